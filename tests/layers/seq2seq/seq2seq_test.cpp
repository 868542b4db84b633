// nn::Seq2Seq and its parts: logits, loss and every gradient against a
// PyTorch reference with the same parameter names (tests/fixtures/
// attention.json, tools/make_layer_fixtures.py), gradcheck in float64, the
// whole-target and step-by-step decoders agreeing, teacher forcing,
// batched decoding equal to one input at a time, and bad input.
#include <atomic>
#include <thread>

#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {
nn::Seq2SeqOptions options_from(const json& c) {
  return nn::Seq2SeqOptions(c.at("vocab"), c.at("vocab"))
      .embedding_dim(c.at("embedding_dim"))
      .hidden_size(c.at("hidden_size"))
      .num_layers(c.at("num_layers"))
      .cell(c.at("cell"))
      .bidirectional(c.at("bidirectional"))
      .attention(c.at("attention"))
      .bridge(c.at("bridge"))
      .input_feeding(c.at("input_feeding"))
      .tie_weights(c.at("tie_weights"));
}
// Logits when every step after the first reads the model's own best token.
Tensor free_running_logits(nn::Seq2Seq& model, const Tensor& src, const Tensor& len, const Tensor& tin) {
  auto e = model.encode(src, len);
  Tensor tokens = select(tin, 1, 0);
  nn::DecoderState state = e.state;
  std::vector<Tensor> logits;
  for (int64_t t = 0; t < tin.size(1); ++t) {
    nn::DecoderStep s = model.decoder.step(tokens, state, e.memory);
    logits.push_back(model.decoder.logits(s.output));
    tokens = argmax(logits.back(), -1);
    state = s.state;
  }
  return stack(logits, 1);
}
}  // namespace

TEST_CASE("Seq2Seq matches a PyTorch reference: logits, loss and every gradient") {
  const json fixture = load_fixture("attention.json");
  int cases = 0;
  for (const json& c : fixture.at("seq2seq")) {
    const std::string name = c.at("name");
    ++cases;
    SUBCASE(name.c_str()) {
      nn::Seq2Seq model(options_from(c));
      nn::StateDict d;
      for (auto& [n, t] : c.at("params").items()) d.insert(n, tensor_from(t));
      model.load_state_dict(d);  // strict: the reference has exactly spool's names
      const Tensor logits = model(tensor_from(c.at("source")), tensor_from(c.at("lengths")), tensor_from(c.at("target_in")));
      check_tensor(logits, c.at("logits"), name + " logits");
      Tensor loss = model.loss(logits, tensor_from(c.at("target_out")));
      CHECK(loss.item<double>() == doctest::Approx(c.at("loss").get<double>()).epsilon(1e-5));
      loss.backward();
      for (auto& [n, p] : model.named_parameters()) check_tensor(p.grad(), c.at("param_grads").at(n), name + " grad " + n);
    }
  }
  CHECK(cases == 4);
}

TEST_CASE("Seq2Seq: gradcheck in float64, LSTM with Bahdanau attention and GRU without attention") {
  for (bool lstm : {true, false}) {
    manual_seed(21);
    auto o = nn::Seq2SeqOptions(6, 5).embedding_dim(3).hidden_size(2);
    if (!lstm) o.cell("gru").attention("none").bridge("sum").tie_weights(true).num_layers(2);
    nn::Seq2Seq model(o);
    model.to(kFloat64);
    const Tensor src = tensor({3, 4, 5, 0, 4, 3, 0, 0}, kInt64).reshape({2, 4}), len = tensor({3, 2}, kInt64);
    const Tensor tin = tensor({1, 3, 4, 1, 4, 0}, kInt64).reshape({2, 3}), tout = tensor({3, 4, 2, 4, 2, 0}, kInt64).reshape({2, 3});
    auto r = gradcheck([&](const std::vector<Tensor>&) { return model.loss(model(src, len, tin), tout); }, model.parameters());
    INFO(r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("Seq2Seq: the whole-target decoder equals the step-by-step one, for every attention") {
  for (const char* attention : {"additive", "general", "concat", "none"}) {
    CAPTURE(attention);
    manual_seed(22);
    nn::Seq2Seq model(nn::Seq2SeqOptions(9, 8).embedding_dim(4).hidden_size(5).num_layers(2).attention(attention).input_feeding(false));
    const Tensor src = randint(3, 9, {3, 5}), len = tensor({5, 2, 4}, kInt64), tin = randint(3, 8, {3, 4});
    auto e = model.encode(src, len);
    Tensor seq_weights;
    const Tensor whole = model.decoder.forward_sequence(tin, e.state, e.memory, &seq_weights);
    nn::DecoderState state = e.state;
    for (int64_t t = 0; t < 4; ++t) {
      nn::DecoderStep s = model.decoder.step(select(tin, 1, t), state, e.memory);
      CHECK(allclose(s.output, select(whole, 1, t), 1e-5, 1e-6));
      if (s.weights.defined()) CHECK(allclose(s.weights, select(seq_weights, 1, t), 1e-5, 1e-6));
      state = s.state;
    }
  }
}

TEST_CASE("Seq2Seq: teacher forcing ratios, the schedule, and decoding that ignores the padding") {
  manual_seed(23);
  nn::Seq2Seq model(nn::Seq2SeqOptions(9, 8).embedding_dim(4).hidden_size(5));
  const Tensor src = randint(3, 9, {3, 5}), len = tensor({5, 2, 4}, kInt64), tin = randint(3, 8, {3, 4});
  // Ratio 0: every step after the first reads the model's own prediction.
  const Tensor free_running = model(src, len, tin, 0.0);
  const Tensor forced_first = free_running_logits(model, src, len, tin);
  CHECK(allclose(free_running, forced_first, 1e-5, 1e-6));
  CHECK_FALSE(allclose(free_running, model(src, len, tin, 1.0)));
  const nn::TeacherForcingSchedule schedule{.start = 1.0, .end = 0.25, .epochs = 3};
  CHECK(schedule(0) == 1.0);
  CHECK(schedule(1) == doctest::Approx(0.75));
  CHECK(schedule(3) == 0.25);
  CHECK(schedule(10) == 0.25);

  // Each input decoded in the batch as alone: its padding changes nothing.
  const auto batch = model.greedy(src, len, {.max_length = 6});
  const auto beams = model.beam_search(src, len, {.beam_width = 3, .max_length = 6, .n_best = 2});
  for (int64_t b = 0; b < 3; ++b) {
    const int64_t n = len.to_vector<int64_t>()[b];
    const Tensor one = narrow(narrow(src, 0, b, 1), 1, 0, n);
    const auto alone = model.greedy(one, tensor({n}, kInt64), {.max_length = 6});
    CHECK(alone[0].tokens == batch[b].tokens);
    CHECK(alone[0].log_prob == doctest::Approx(batch[b].log_prob).epsilon(1e-5));
    CHECK(allclose(alone[0].attention, batch[b].attention, 1e-5, 1e-6));
    const auto alone_beams = model.beam_search(one, tensor({n}, kInt64), {.beam_width = 3, .max_length = 6, .n_best = 2});
    for (size_t j = 0; j < 2; ++j) CHECK(alone_beams[0][j].tokens == beams[b][j].tokens);
  }
}

TEST_CASE("Seq2Seq: parameter names, weight tying, bridges and the Keras-style model without attention") {
  nn::Seq2Seq model(nn::Seq2SeqOptions(9, 8).embedding_dim(4).hidden_size(5));
  std::vector<std::string> names;
  for (auto& [n, p] : model.named_parameters()) names.push_back(n);
  for (const char* n : {"encoder.embedding.weight", "encoder.rnn.weight_hh_l0_reverse", "bridge.h_proj.weight",
                        "bridge.c_proj.bias", "decoder.rnn.weight_ih_l0", "decoder.attention.query_proj.weight",
                        "decoder.combine.weight", "decoder.generator.weight"})
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
  CHECK(model.parameter("decoder.rnn.weight_ih_l0").size(1) == 4 + 5);  // embedding + fed attentional vector

  nn::Seq2Seq tied(nn::Seq2SeqOptions(9, 8).embedding_dim(4).hidden_size(5).tie_weights(true).bridge("sum"));
  CHECK_THROWS(tied.parameter("decoder.generator.weight"));
  CHECK_THROWS(tied.parameter("bridge.h_proj.weight"));
  CHECK(tied.decoder.combine.weight.size(0) == 4);  // the attentional vector has the embedding's width
  Tensor logits = tied(randint(3, 9, {2, 3}), tensor({3, 1}, kInt64), randint(3, 8, {2, 2}));
  tied.loss(logits, randint(2, 8, {2, 2})).backward();
  CHECK(tied.decoder.embedding.weight.grad().abs().sum().item<double>() > 0);

  // Without attention the encoder's final state is every step's context: it trains and decodes.
  manual_seed(24);
  nn::Seq2Seq keras(nn::Seq2SeqOptions(6, 6).embedding_dim(8).hidden_size(16).attention("none").input_feeding(false));
  optim::Adam opt(keras.parameters(), optim::AdamOptions(1e-2));
  const Tensor src = tensor({3, 4, 5, 4, 5, 3}, kInt64).reshape({2, 3}), len = tensor({3, 3}, kInt64);
  const Tensor tin = tensor({1, 3, 4, 5, 1, 4, 5, 3}, kInt64).reshape({2, 4});
  const Tensor tout = tensor({3, 4, 5, 2, 4, 5, 3, 2}, kInt64).reshape({2, 4});
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    Tensor loss = keras.loss(keras(src, len, tin), tout);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  CHECK(last < 0.1 * first);
  const auto copy = keras.greedy(src, len, {.max_length = 5});
  CHECK(copy[0].tokens == std::vector<int64_t>{3, 4, 5});
  CHECK(copy[1].tokens == std::vector<int64_t>{4, 5, 3});
  CHECK_FALSE(copy[0].attention.defined());
}

TEST_CASE("Seq2Seq: bad options and input name the layer and the values") {
  auto o = nn::Seq2SeqOptions(9, 8).embedding_dim(4).hidden_size(5);
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 8).cell("rnn")), "Seq2Seq", "cell", "rnn");
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 8).attention("dot")), "Seq2Seq", "dot", "general");
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 8).attention("luong")), "Seq2Seq", "attention", "luong");
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 8).eos_id(8)), "Seq2Seq", "eos_id 8", "[0, 8)");
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 8).bridge("mean")), "Seq2Seq", "bridge", "mean");
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 8).dropout(1.0)), "Seq2Seq", "dropout");
  nn::Seq2Seq model(o);
  const Tensor src = randint(3, 9, {2, 3}), len = tensor({3, 2}, kInt64), tin = randint(3, 8, {2, 2});
  CHECK_ERROR(model(src, tensor({4, 2}, kInt64), tin), "Seq2SeqEncoder", "length 4", "[1, 3]");
  CHECK_ERROR(model(src, tensor({3, 0}, kInt64), tin), "Seq2SeqEncoder", "length 0");
  CHECK_ERROR(model(src, tensor({3, 2, 1}, kInt64), tin), "Seq2SeqEncoder", "lengths", "[2]");
  CHECK_ERROR(model(src.to(kFloat32), len, tin), "Seq2SeqEncoder", "source", "float32");
  CHECK_ERROR(model(src, len, randint(3, 8, {3, 2})), "Seq2Seq", "batch size");
  CHECK_ERROR(model(src, len, randint(3, 8, {2})), "Seq2Seq", "target_in", "[2]");
  CHECK_ERROR(model(src, len, tin, 1.5), "Seq2Seq", "teacher_forcing", "1.5");
  CHECK_ERROR(model.loss(randn({2, 2, 8}), randint(0, 8, {2, 3})), "Seq2Seq", "loss", "[2, 3]");
  CHECK_ERROR(model.beam_search(src, len, {.beam_width = 0}), "beam_search", "beam_width", "0");
  CHECK_ERROR(model.beam_search(src, len, {.max_length = 0}), "beam_search", "max_length", "0");
  CHECK_ERROR(model.beam_search(src, len, {.eos = 8}), "beam_search", "eos 8", "[0, 8)");
  CHECK_ERROR(model.beam_search(src, len, {.beam_width = 2, .n_best = 3}), "beam_search", "n_best", "3");
  CHECK_ERROR(model.beam_search(src, len, {.length_penalty = -1}), "beam_search", "length_penalty");
  CHECK_ERROR(model.beam_search(src, len, {.max_length = 3, .min_length = 3}), "beam_search", "min_length");
  CHECK_ERROR(model.greedy(src, len, {.max_length = 0}), "greedy", "max_length", "0");
  CHECK_ERROR(model.decoder.forward_sequence(tin, model.encode(src, len).state, model.encode(src, len).memory),
              "Seq2SeqDecoder", "input_feeding");
}

TEST_CASE("Seq2Seq decoding: the model's own log-probabilities under min_length, never pad or bos, and memories checked") {
  manual_seed(25);
  nn::Seq2Seq model(nn::Seq2SeqOptions(9, 6).embedding_dim(4).hidden_size(5));
  const Tensor src = randint(3, 9, {3, 4}), len = tensor({4, 2, 3}, kInt64);
  const auto greedy = model.greedy(src, len, {.max_length = 6, .min_length = 3});
  const auto beams = model.beam_search(src, len, {.beam_width = 3, .max_length = 6, .min_length = 3, .n_best = 3});
  // Replays a hypothesis: its log-probability is the sum of the model's log_softmax at its tokens.
  auto replay = [&](int64_t b, const nn::Hypothesis& h) {
    NoGradGuard no_grad;
    const Tensor one = narrow(src, 0, b, 1), one_len = narrow(len, 0, b, 1);
    auto e = model.encode(one, one_len);
    std::vector<int64_t> tokens = h.tokens;
    if (h.finished) tokens.push_back(model.options().eos_id());
    double lp = 0;
    Tensor prev = tensor({model.options().bos_id()}, kInt64);
    nn::DecoderState state = e.state;
    for (int64_t tok : tokens) {
      nn::DecoderStep s = model.decoder.step(prev, state, e.memory);
      lp += log_softmax(model.decoder.logits(s.output), -1).select(0, 0).select(0, tok).item<double>();
      prev = tensor({tok}, kInt64);
      state = s.state;
    }
    return lp;
  };
  for (int64_t b = 0; b < 3; ++b) {
    CHECK(greedy[b].tokens.size() >= 3);
    CHECK(greedy[b].log_prob == doctest::Approx(replay(b, greedy[b])).epsilon(1e-5));
    for (const nn::Hypothesis& h : beams[b]) {
      CHECK(h.log_prob == doctest::Approx(replay(b, h)).epsilon(1e-5));
      for (int64_t tok : h.tokens) CHECK((tok != 0 && tok != 1));
    }
    for (int64_t tok : greedy[b].tokens) CHECK((tok != 0 && tok != 1));
  }
  // Another model's memory, or an attention memory of another kind: an error, not a silent mix.
  nn::Seq2Seq other(nn::Seq2SeqOptions(9, 6).embedding_dim(4).hidden_size(5));
  auto e = model.encode(src, len);
  CHECK_ERROR(other.decoder.step(tensor({1, 1, 1}, kInt64), e.state, e.memory), "Seq2SeqDecoder", "not made by this decoder");
  nn::LuongAttention luong(5, 10, "general");
  CHECK_ERROR(luong.attend(randn({3, 5}), e.memory.attention), "LuongAttention", "LuongAttention(general)",
              "AdditiveAttention");
  CHECK_ERROR(luong.attend(randn({3, 5}), nn::AttentionMemory{}), "LuongAttention", "an empty one");
  CHECK_ERROR(nn::Seq2Seq(nn::Seq2SeqOptions(9, 3)), "Seq2Seq", "no token besides");
  CHECK_ERROR(model.greedy(src, len, {.eos = 6}), "greedy", "eos 6");
}

TEST_CASE("Seq2Seq decoding runs in eval mode on its own thread only: concurrent decodes agree, training mode stays") {
  manual_seed(26);
  nn::Seq2Seq model(nn::Seq2SeqOptions(9, 8).embedding_dim(4).hidden_size(5).dropout(0.5));
  model.train();
  const Tensor src = randint(3, 9, {4, 5}), len = tensor({5, 2, 4, 3}, kInt64);
  const auto lone = model.greedy(src, len, {.max_length = 8});
  std::vector<std::thread> threads;
  std::atomic<int> differ{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        // Training forwards (dropout on) interleave with the decodes on other threads.
        model(src, len, randint(3, 8, {4, 3}));
        const auto d = model.greedy(src, len, {.max_length = 8});
        for (size_t b = 0; b < d.size(); ++b) differ += d[b].tokens != lone[b].tokens;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(differ == 0);
  CHECK(model.is_training());
  {
    nn::EvalModeGuard eval;
    CHECK_FALSE(model.is_training());
    nn::Dropout drop(0.5);
    const Tensor x = ones({100});
    CHECK(allclose(drop(x), x));
  }
  CHECK(model.is_training());
}
