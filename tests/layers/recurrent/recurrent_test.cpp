#include "test_util.hpp"

using namespace spool;

TEST_CASE("recurrent: gradcheck of float64 cells") {
  for (const char* kind : {"rnn", "lstm", "gru"}) {
    SUBCASE(kind) {
      manual_seed(5);
      std::shared_ptr<nn::RecurrentCell> cell;
      if (std::string(kind) == "rnn") cell = std::make_shared<nn::RNNCell>(3, 4);
      if (std::string(kind) == "lstm") cell = std::make_shared<nn::LSTMCell>(3, 4);
      if (std::string(kind) == "gru") cell = std::make_shared<nn::GRUCell>(3, 4);
      std::vector<Tensor> inputs{spool::testing::leaf({2, 3}, 1), spool::testing::leaf({2, 4}, 2)};
      if (std::string(kind) == "lstm") inputs.push_back(spool::testing::leaf({2, 4}, 3));
      for (const Tensor& p : cell->parameters()) inputs.push_back(p.to(kFloat64).detach().requires_grad_());
      auto fn = [&](const std::vector<Tensor>& v) {
        // Swap the float64 copies in as the cell's parameters.
        nn::CellState prev{v[1], v.size() > 6 ? v[2] : Tensor()};
        const size_t p = v.size() - 4;
        nn::CellKind k = std::string(kind) == "lstm" ? nn::CellKind::Lstm
                         : std::string(kind) == "gru" ? nn::CellKind::Gru
                                                      : nn::CellKind::RnnTanh;
        nn::CellState next =
            nn::cell_step(k, nn::input_projection(k, v[0], v[p], v[p + 2], v[p + 3]), prev, v[p + 1], v[p + 3]);
        return next.c.defined() ? next.h * 2.0 + next.c : next.h;
      };
      auto r = gradcheck(fn, inputs);
      INFO(r.report);
      CHECK(r.ok);
    }
  }
}

TEST_CASE("recurrent: padded steps change no state, output zeros and get no gradient") {
  manual_seed(2);
  nn::LSTM lstm(nn::LSTMOptions(3, 4).bidirectional(true));
  Tensor x = randn({5, 2, 3}).requires_grad_();
  Tensor lengths = tensor(std::vector<int64_t>{5, 3});
  auto r = lstm(x, {.lengths = lengths});
  // Sequence 1 alone, truncated to its 3 steps, gives the same final states.
  auto alone = lstm(narrow(select(x, 1, 1), 0, 0, 3).unsqueeze(1).detach());
  CHECK(allclose(select(r.h_n, 1, 1), select(alone.h_n, 1, 0), 1e-5, 1e-6));
  CHECK(allclose(select(r.c_n, 1, 1), select(alone.c_n, 1, 0), 1e-5, 1e-6));
  CHECK(r.output.narrow(0, 3, 2).select(1, 1).abs().sum().item<float>() == 0.0f);
  r.output.sum().backward();
  CHECK(x.grad().narrow(0, 3, 2).select(1, 1).abs().sum().item<float>() == 0.0f);
  CHECK(x.grad().narrow(0, 0, 3).select(1, 1).abs().sum().item<float>() > 0.0f);
}

TEST_CASE("recurrent: dropout between layers only in training") {
  manual_seed(4);
  nn::GRU gru(nn::GRUOptions(3, 4).num_layers(2).dropout(0.5));
  Tensor x = randn({4, 2, 3});
  gru.eval();
  Tensor a = gru(x).output, b = gru(x).output;
  CHECK(allclose(a, b));
  gru.train();
  Tensor c = gru(x).output;
  CHECK_FALSE(allclose(a, c));
}

TEST_CASE("recurrent: bad input gives clear errors") {
  nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2));
  Tensor x = zeros({5, 2, 3});
  CHECK_THROWS_WITH_AS(lstm(zeros({5, 2, 3, 1})), doctest::Contains("input must be 3-D"), Error);
  CHECK_THROWS_WITH_AS(lstm(zeros({5, 2, 4})), doctest::Contains("input has 4 features, expected input_size 3"), Error);
  CHECK_THROWS_WITH_AS(lstm(x, {.h0 = zeros({1, 2, 4})}), doctest::Contains("h0 must have shape [2, 2, 4]"), Error);
  CHECK_THROWS_WITH_AS(lstm(x, {.c0 = zeros({2, 3, 4})}), doctest::Contains("c0 must have shape [2, 2, 4]"), Error);
  // h0 without c0 (or c0 without h0) would start the cell state from zeros silently.
  CHECK_ERROR(lstm(x, {.h0 = zeros({2, 2, 4})}), "LSTM", "h0 and c0 together", "got only h0");
  CHECK_ERROR(lstm(x, {.c0 = zeros({2, 2, 4})}), "LSTM", "got only c0");
  CHECK_THROWS_WITH_AS(lstm(x, {.lengths = tensor(std::vector<int64_t>{6, 2})}), doctest::Contains("length 6"), Error);
  CHECK_THROWS_WITH_AS(lstm(x, {.lengths = tensor(std::vector<int64_t>{0, 2})}), doctest::Contains("length 0"), Error);
  CHECK_THROWS_WITH_AS(lstm(x, {.lengths = tensor(std::vector<int64_t>{-1, 2})}), doctest::Contains("length -1"),
                       Error);
  CHECK_THROWS_WITH_AS(lstm(x, {.lengths = tensor(std::vector<int64_t>{5, 2, 1})}),
                       doctest::Contains("3 lengths given for a batch of 2"), Error);
  CHECK_THROWS_WITH_AS(lstm(x, {.lengths = tensor({5.0, 2.0})}), doctest::Contains("int64"), Error);
  nn::GRU gru(3, 4);
  CHECK_THROWS_WITH_AS(gru(x, {.c0 = zeros({1, 2, 4})}), doctest::Contains("c0 is only for LSTM"), Error);
  CHECK_THROWS_AS(nn::RNN(nn::RNNOptions(3, 4).nonlinearity("sigmoid")), Error);
  CHECK_THROWS_AS(nn::LSTM(nn::LSTMOptions(3, 0)), Error);
  nn::LSTMCell cell(3, 4);
  CHECK_THROWS_WITH_AS(cell(zeros({2, 5})), doctest::Contains("input has 5 features, expected 3"), Error);
  CHECK_THROWS_WITH_AS(cell(zeros({2, 3}), {zeros({2, 5}), {}}), doctest::Contains("h must have shape [2, 4]"), Error);
  CHECK_ERROR(cell(zeros({2, 3}), {zeros({2, 4}), {}}), "LSTMCell", "h and c together", "got only h");
  CHECK_ERROR(cell(zeros({2, 3}), {{}, zeros({2, 4})}), "LSTMCell", "got only c");
}

TEST_CASE("recurrent: unbatched input") {
  manual_seed(6);
  nn::RNN rnn(nn::RNNOptions(3, 4).num_layers(2));
  Tensor x = randn({5, 3});
  auto r = rnn(x);
  CHECK(r.output.sizes() == Shape{5, 4});
  CHECK(r.h_n.sizes() == Shape{2, 4});
  auto batched = rnn(x.unsqueeze(1));
  CHECK(allclose(r.output, batched.output.squeeze(1)));
}

TEST_CASE("recurrent: wide bidirectional layers run their directions concurrently, same as one at a time") {
  // B * 4H = 8 * 1024 gate elements per step: the two directions go to two threads.
  set_num_threads(2);
  manual_seed(6);
  const int64_t T = 3, B = 8, I = 4, H = 256;
  nn::LSTM bi(nn::LSTMOptions(I, H).bidirectional(true));
  nn::LSTM fwd(nn::LSTMOptions(I, H)), bwd(nn::LSTMOptions(I, H));
  {
    NoGradGuard g;
    for (const char* name : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}) {
      fwd.parameter(name).copy_(bi.parameter(name));
      bwd.parameter(name).copy_(bi.parameter(std::string(name) + "_reverse"));
    }
  }
  Tensor x = randn({T, B, I});
  std::vector<int64_t> rev(T);
  for (int64_t t = 0; t < T; ++t) rev[t] = T - 1 - t;
  const Tensor flip = tensor(rev);
  auto r = bi(x);
  Tensor expected = cat({fwd(x).output, index_select(bwd(index_select(x, 0, flip)).output, 0, flip)}, 2);
  CHECK(r.output.sizes() == Shape{T, B, 2 * H});
  CHECK(allclose(r.output, expected, 1e-6, 1e-7));
  // Gradients do not depend on the thread count.
  auto grads_at = [&](int threads) {
    set_num_threads(threads);
    bi.zero_grad();
    bi(x).output.sum().backward();
    return bi.parameter("weight_hh_l0_reverse").grad().clone();
  };
  CHECK(grads_at(1).to_vector<float>() == grads_at(2).to_vector<float>());
  set_num_threads(2);
}

TEST_CASE("recurrent: a wide batch runs its two halves on two threads, same as each half alone") {
  // (B / 2) * 4H = 8 * 1024 gate elements per half: the halves of the batch go
  // to two threads. Uneven halves (8 and 9), lengths, initial states.
  set_num_threads(2);
  manual_seed(9);
  const int64_t T = 4, B = 17, I = 3, H = 256;
  nn::LSTM lstm(nn::LSTMOptions(I, H));
  const Tensor x = randn({T, B, I}).requires_grad_();
  const Tensor h0 = randn({1, B, H}).requires_grad_(), c0 = randn({1, B, H}).requires_grad_();
  std::vector<int64_t> len(B);
  for (int64_t b = 0; b < B; ++b) len[b] = 1 + (b * 5) % T;
  const Tensor lengths = tensor(len);
  // Every result in the loss: outputs, and final states through their cat.
  auto loss = [](const Tensor& output, const Tensor& h_n, const Tensor& c_n) {
    return (output * output).sum() + (h_n * 3.0).sum() + (c_n * c_n).sum();
  };
  auto r = lstm(x, {.h0 = h0, .c0 = c0, .lengths = lengths});
  loss(r.output, r.h_n, r.c_n).backward();
  const Tensor gx = x.grad().clone(), gw = lstm.parameter("weight_hh_l0").grad().clone();
  const Tensor gh0 = h0.grad().clone(), gc0 = c0.grad().clone();
  // Each half alone is below the split: one recurrence on one thread.
  lstm.zero_grad();
  const Tensor x2 = x.detach().requires_grad_(), h02 = h0.detach().requires_grad_(),
               c02 = c0.detach().requires_grad_();
  std::vector<nn::RecurrentOutput> parts;
  for (auto [b0, n] : {std::pair<int64_t, int64_t>{0, 8}, {8, 9}})
    parts.push_back(lstm(narrow(x2, 1, b0, n), {.h0 = narrow(h02, 1, b0, n), .c0 = narrow(c02, 1, b0, n),
                                                .lengths = narrow(lengths, 0, b0, n)}));
  const Tensor output = cat({parts[0].output, parts[1].output}, 1);
  const Tensor h_n = cat({parts[0].h_n, parts[1].h_n}, 1), c_n = cat({parts[0].c_n, parts[1].c_n}, 1);
  CHECK(allclose(r.output, output, 1e-6, 1e-7));
  CHECK(allclose(r.h_n, h_n, 1e-6, 1e-7));
  CHECK(allclose(r.c_n, c_n, 1e-6, 1e-7));
  loss(output, h_n, c_n).backward();
  CHECK(allclose(gx, x2.grad(), 1e-5, 1e-6));
  CHECK(allclose(gh0, h02.grad(), 1e-5, 1e-6));
  CHECK(allclose(gc0, c02.grad(), 1e-5, 1e-6));
  CHECK(allclose(gw, lstm.parameter("weight_hh_l0").grad(), 1e-4, 1e-5));
}

TEST_CASE("recurrent: a GRU batch in halves gives the one-thread gradients at two threads") {
  // (B / 2) * 3H = 12 * 768 gate elements per half.
  manual_seed(10);
  const int64_t T = 3, B = 24, I = 5, H = 256;
  nn::GRU gru(nn::GRUOptions(I, H).batch_first(true));
  Tensor x = randn({B, T, I}).requires_grad_();
  auto run = [&](int threads) {
    set_num_threads(threads);
    gru.zero_grad();
    x.set_grad(Tensor());
    auto r = gru(x);
    r.output.pow(2).sum().backward();
    std::vector<float> all = r.output.to_vector<float>();
    for (const Tensor& t : {x.grad(), gru.parameter("weight_hh_l0").grad(), gru.parameter("bias_hh_l0").grad()}) {
      const auto g = t.to_vector<float>();
      all.insert(all.end(), g.begin(), g.end());
    }
    return all;
  };
  const std::vector<float> one = run(1);
  CHECK(run(2) == one);
  // Against the halves run one after another as separate batches.
  set_num_threads(2);
  const Tensor first = narrow(x.detach(), 0, 0, 12), second = narrow(x.detach(), 0, 12, 12);
  const Tensor whole = gru(x.detach()).output;
  CHECK(allclose(whole, cat({gru(first).output, gru(second).output}, 0), 1e-6, 1e-7));
}

TEST_CASE("recurrent: small bidirectional layers run as one batch of two, same as two one-way layers") {
  // B * 3H = 2 * 24 gate elements per step: one batched product per step.
  // Without biases (the bmm branch), with lengths, and the gradients.
  manual_seed(7);
  const int64_t T = 5, B = 2, I = 3, H = 8;
  nn::GRU bi(nn::GRUOptions(I, H).bidirectional(true).bias(false));
  nn::GRU fwd(nn::GRUOptions(I, H).bias(false)), bwd(nn::GRUOptions(I, H).bias(false));
  {
    NoGradGuard g;
    for (const char* name : {"weight_ih_l0", "weight_hh_l0"}) {
      fwd.parameter(name).copy_(bi.parameter(name));
      bwd.parameter(name).copy_(bi.parameter(std::string(name) + "_reverse"));
    }
  }
  const Tensor x = randn({T, B, I});
  const Tensor lengths = tensor(std::vector<int64_t>{5, 3});
  auto r = bi(x, {.lengths = lengths});
  // The reverse direction of sequence b reads its own steps backwards.
  auto f = fwd(x, {.lengths = lengths});
  std::vector<Tensor> rev_out;
  for (int64_t b = 0; b < B; ++b) {
    const int64_t n = b == 0 ? 5 : 3;
    const Tensor xb = narrow(narrow(x, 1, b, 1), 0, 0, n);
    Tensor ob = flip(bwd(flip(xb, {0})).output, {0});
    if (n < T) ob = cat({ob, zeros({T - n, 1, H})}, 0);
    rev_out.push_back(ob);
  }
  const Tensor expected = cat({f.output, cat(rev_out, 1)}, 2);
  CHECK(allclose(r.output, expected, 1e-5, 1e-6));
  CHECK(allclose(select(r.h_n, 0, 0), select(f.h_n, 0, 0), 1e-5, 1e-6));
  CHECK(allclose(select(r.h_n, 0, 1), cat({select(rev_out[0], 0, 0), select(rev_out[1], 0, 0)}, 0), 1e-5, 1e-6));
  (r.output * r.output).sum().backward();
  (expected * expected).sum().backward();
  CHECK(allclose(bi.parameter("weight_hh_l0").grad(), fwd.parameter("weight_hh_l0").grad(), 1e-4, 1e-6));
  CHECK(allclose(bi.parameter("weight_hh_l0_reverse").grad(), bwd.parameter("weight_hh_l0").grad(), 1e-4, 1e-6));
  CHECK(allclose(bi.parameter("weight_ih_l0_reverse").grad(), bwd.parameter("weight_ih_l0").grad(), 1e-4, 1e-6));
}

TEST_CASE("recurrent: repeated training steps on two threads give the one-thread gradients every time") {
  // A batch-32, width-256 LSTM splits its products into blocks that run on
  // both cores: with a BLAS that is unsafe to call concurrently, its
  // gradients came out ~1% off in 1-5 of these 24 repetitions.
  manual_seed(8);
  const int64_t T = 24, B = 32, I = 64, H = 256;
  nn::LSTM lstm(nn::LSTMOptions(I, H).batch_first(true));
  Tensor x = randn({B, T, I}).requires_grad_(), upstream = randn({B, T, H});
  auto grads = [&] {
    lstm.zero_grad();
    x.set_grad(Tensor());
    lstm(x).output.backward(upstream);
    std::vector<float> all = x.grad().to_vector<float>();
    for (const Tensor& p : lstm.parameters()) {
      const auto g = p.grad().to_vector<float>();
      all.insert(all.end(), g.begin(), g.end());
    }
    return all;
  };
  set_num_threads(1);
  const std::vector<float> want = grads();
  set_num_threads(2);
  int differing = 0;
  for (int rep = 0; rep < 24; ++rep) differing += grads() != want;
  CHECK(differing == 0);
}

