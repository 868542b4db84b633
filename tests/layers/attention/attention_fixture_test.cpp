// nn::AdditiveAttention (Bahdanau) and nn::LuongAttention against PyTorch
// reference modules (tests/fixtures/attention.json,
// tools/make_layer_fixtures.py), gradcheck in float64, and bad input.
#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

TEST_CASE("attention layers match the PyTorch references: context, weights and every gradient") {
  const json fixture = load_fixture("attention.json");
  for (const json& c : fixture.at("cases")) {
    const std::string name = c.at("name");
    if (c.value("kind", "") == "pooling" || name.rfind("mha_", 0) == 0) continue;  // below; multihead_attention_test.cpp
    SUBCASE(name.c_str()) {
      nn::AdditiveAttention additive;
      nn::LuongAttention luong;
      nn::Module* m = nullptr;
      if (c.at("score").is_null()) {
        additive = nn::AdditiveAttention(c.at("query_size"), c.at("key_size"), c.at("hidden_size"));
        m = &additive;
      } else {
        luong = nn::LuongAttention(c.at("query_size"), c.at("key_size"), c.at("score"), c.at("hidden_size"));
        m = &luong;
      }
      nn::Module& att = *m;
      auto run = [&](const Tensor& q, const Tensor& k, const nn::AttentionInput& in) {
        return c.at("score").is_null() ? additive(q, k, in) : luong(q, k, in);
      };
      nn::StateDict d;
      for (auto& [n, t] : c.at("params").items()) d.insert(n, tensor_from(t));
      att.load_state_dict(d);
      Tensor q = tensor_from(c.at("query")).requires_grad_(), k = tensor_from(c.at("keys")).requires_grad_();
      nn::AttentionInput in;
      if (!c.at("values").is_null()) in.values = tensor_from(c.at("values")).requires_grad_();
      if (!c.at("lengths").is_null()) in.lengths = tensor(c.at("lengths").get<std::vector<int64_t>>());
      auto [context, weights] = run(q, k, in);
      check_tensor(context, c.at("context"), name + " context");
      check_tensor(weights, c.at("weights"), name + " weights");
      ((context * tensor_from(c.at("g_context"))).sum() + (weights * tensor_from(c.at("g_weights"))).sum()).backward();
      check_tensor(q.grad(), c.at("grad_query"), name + " grad query");
      check_tensor(k.grad(), c.at("grad_keys"), name + " grad keys");
      if (in.values.defined()) check_tensor(in.values.grad(), c.at("grad_values"), name + " grad values");
      for (auto& [n, p] : att.named_parameters()) check_tensor(p.grad(), c.at("param_grads").at(n), name + " grad " + n);
    }
  }
}

TEST_CASE("AdditiveAttention: gradcheck in float64, masks, and bad input") {
  manual_seed(3);
  nn::AdditiveAttention att(3, 4, 5);
  att.to(kFloat64);
  Tensor q = randn({2, 2, 3}, kFloat64).requires_grad_(), k = randn({2, 4, 4}, kFloat64).requires_grad_();
  Tensor mask = tensor(std::vector<bool>{false, false, true, true, true, true, true, true}, {2, 4});  // batch 1: no key
  std::vector<Tensor> inputs{q, k};
  for (const Tensor& p : att.parameters()) inputs.push_back(p);
  auto r = gradcheck([&](const std::vector<Tensor>& v) {
    auto out = att(v[0], v[1], {.key_padding_mask = mask});
    return out.output.sum() + (out.weights * out.weights).sum();
  }, inputs);
  INFO(r.report);
  CHECK(r.ok);
  auto out = att(q, k, {.key_padding_mask = mask});
  CHECK(out.output.select(0, 1).abs().max().item<double>() == 0.0);  // no valid key: zero context
  CHECK(allclose(out.weights.select(0, 0).sum(-1), ones({2}, kFloat64)));
  // lengths and the equivalent padding mask agree.
  auto by_len = att(q, k, {.lengths = tensor({2, 0}, kInt64)});
  CHECK(allclose(by_len.output, out.output));

  CHECK_ERROR(att(randn({2, 2, 4}, kFloat64), k), "AdditiveAttention", "query", "[2, 2, 4]");
  CHECK_ERROR(att(q, randn({3, 4, 4}, kFloat64)), "AdditiveAttention", "keys", "[3, 4, 4]");
  CHECK_ERROR(att(q, k, {.values = randn({2, 3, 2}, kFloat64)}), "AdditiveAttention", "values", "[2, 3, 2]");
  CHECK_ERROR(att(q, k, {.key_padding_mask = zeros({2, 3}, kBool)}), "AdditiveAttention", "key_padding_mask", "[2, 3]");
  CHECK_ERROR(att(q, k, {.lengths = tensor({5, 1}, kInt64)}), "AdditiveAttention", "length 5", "[0, 4]");
  CHECK_ERROR(att(q, k, {.key_padding_mask = mask, .lengths = tensor({1, 1}, kInt64)}), "not both");
  CHECK_ERROR(att(q, k, {.lengths = tensor({1.0, 1.0}, {2})}), "AdditiveAttention", "lengths must be int64 [2]");
  CHECK(att.repr() == "AdditiveAttention(\n  query_size=3, key_size=4, hidden_size=5\n  (query_proj): Linear(in_features=3, out_features=5, bias=False)\n"
                      "  (key_proj): Linear(in_features=4, out_features=5, bias=True)\n"
                      "  (score): Linear(in_features=5, out_features=1, bias=False)\n)");
}

TEST_CASE("LuongAttention: gradcheck of each score in float64, and bad input") {
  for (const char* score : {"dot", "general", "concat"}) {
    INFO(score);
    manual_seed(5);
    nn::LuongAttention att(3, 3, score, 4);
    att.to(kFloat64);
    Tensor q = randn({2, 2, 3}, kFloat64).requires_grad_(), k = randn({2, 3, 3}, kFloat64).requires_grad_();
    std::vector<Tensor> inputs{q, k};
    for (const Tensor& p : att.parameters()) inputs.push_back(p);
    auto r = gradcheck([&](const std::vector<Tensor>& v) {
      auto out = att(v[0], v[1], {.lengths = tensor({3, 1}, kInt64)});
      return out.output.sum() + (out.weights * out.weights).sum();
    }, inputs);
    INFO(r.report);
    CHECK(r.ok);
  }
  CHECK(nn::LuongAttention(3, 3, "dot").parameters().empty());
  CHECK_ERROR(nn::LuongAttention(3, 4, "dot"), "LuongAttention", "equal query and key sizes", "3", "4");
  CHECK_ERROR(nn::LuongAttention(3, 4, "bilinear"), "LuongAttention", "\"bilinear\"");
  CHECK_ERROR(nn::LuongAttention(3, 4, "concat"), "LuongAttention", "hidden_size");
  CHECK_ERROR(nn::LuongAttention(0, 4), "LuongAttention", "positive", "query 0");
  nn::LuongAttention att(3, 4);
  CHECK_ERROR(att(randn({2, 3}), randn({2, 5, 3})), "LuongAttention", "keys", "[2, 5, 3]");
  CHECK(att(randn({2, 3}), randn({2, 5, 4})).weights.sizes() == Shape{2, 5});
}

TEST_CASE("AttentionPooling matches the PyTorch reference, and gradcheck") {
  const json fixture = load_fixture("attention.json");
  int cases = 0;
  for (const json& c : fixture.at("cases")) {
    if (c.value("kind", "") != "pooling") continue;
    const std::string name = c.at("name");
    ++cases;
    nn::AttentionPooling pool(c.at("input_size"));
    nn::StateDict d;
    for (auto& [n, t] : c.at("params").items()) d.insert(n, tensor_from(t));
    pool.load_state_dict(d);
    Tensor x = tensor_from(c.at("input")).requires_grad_();
    nn::AttentionInput in;
    if (!c.at("lengths").is_null()) in.lengths = tensor(c.at("lengths").get<std::vector<int64_t>>());
    auto [pooled, weights] = pool(x, in);
    check_tensor(pooled, c.at("context"), name + " pooled");
    check_tensor(weights, c.at("weights"), name + " weights");
    ((pooled * tensor_from(c.at("g_context"))).sum() + (weights * tensor_from(c.at("g_weights"))).sum()).backward();
    check_tensor(x.grad(), c.at("grad_input"), name + " grad input");
    for (auto& [n, p] : pool.named_parameters()) check_tensor(p.grad(), c.at("param_grads").at(n), name + " grad " + n);
  }
  CHECK(cases == 2);

  manual_seed(6);
  nn::AttentionPooling tm(3, /*batch_first=*/false);
  tm.to(kFloat64);
  Tensor x = randn({4, 2, 3}, kFloat64).requires_grad_();  // [T, B, D]
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : tm.parameters()) inputs.push_back(p);
  auto r = gradcheck([&](const std::vector<Tensor>& v) {
    auto out = tm(v[0], {.lengths = tensor({4, 2}, kInt64)});
    return out.output.sum() + (out.weights * out.weights).sum();
  }, inputs);
  INFO(r.report);
  CHECK(r.ok);
  CHECK(tm(x).output.sizes() == Shape{2, 3});
  CHECK_ERROR(tm(randn({4, 2, 5}, kFloat64)), "AttentionPooling", "[T, B, D]", "[4, 2, 5]");
  CHECK_ERROR(tm(x, {.values = x}), "AttentionPooling", "no values");
  CHECK_ERROR(tm(x, {.lengths = tensor({5, 1}, kInt64)}), "AttentionPooling", "length 5");
}

TEST_CASE("PositionalEncoding: the sinusoid table, time-major and batch-first, and errors") {
  nn::PositionalEncoding pos(6, 0.0, 10);
  CHECK(pos.pe.sizes() == Shape{10, 6});
  // pe[t, 2i] = sin(t / 10000^(2i / d)), pe[t, 2i + 1] = cos(...)
  CHECK(pos.pe.at<float>({3, 2}) == doctest::Approx(std::sin(3 / std::pow(10000.0, 2.0 / 6))));
  CHECK(pos.pe.at<float>({3, 3}) == doctest::Approx(std::cos(3 / std::pow(10000.0, 2.0 / 6))));
  CHECK(pos.pe.at<float>({0, 1}) == 1.0f);
  Tensor x = zeros({4, 2, 6});
  Tensor y = pos(x);
  CHECK(allclose(y.select(1, 0), narrow(pos.pe, 0, 0, 4)));
  nn::PositionalEncoding bf(6, 0.0, 10, /*batch_first=*/true);
  CHECK(allclose(bf(zeros({2, 4, 6})).select(0, 1), narrow(bf.pe, 0, 0, 4)));
  // A float64 model: gradcheck passes through (the gradient is the identity).
  bf.to(kFloat64);
  auto r = gradcheck([&](const std::vector<Tensor>& v) { return bf(v[0]); }, {randn({2, 3, 6}, kFloat64).requires_grad_()});
  CHECK(r.ok);
  CHECK(bf.state_dict().contains("pe"));
  CHECK_ERROR(pos(zeros({11, 1, 6})), "PositionalEncoding", "11 steps", "max_len 10");
  CHECK_ERROR(pos(zeros({4, 2, 5})), "PositionalEncoding", "d_model = 6");
  CHECK_ERROR(pos(zeros({4, 2, 6}, kFloat64)), "PositionalEncoding", "float64", "to()");
  CHECK_ERROR(nn::PositionalEncoding(6, 1.0), "PositionalEncoding", "dropout");
  CHECK_ERROR(nn::PositionalEncoding(0), "PositionalEncoding", "positive", "0");
}
