// nn::MultiheadAttention against torch.nn.MultiheadAttention itself
// (tests/fixtures/attention.json, tools/make_layer_fixtures.py): a PyTorch
// state_dict loads unchanged, and outputs, weights and every gradient match,
// with masks of both kinds, kdim/vdim, bias_kv, zero attention, batch_first
// both ways and unbatched input. Then gradcheck in float64, fully masked
// queries, and bad input.
#include <cmath>
#include <limits>

#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {
bool all_finite(const Tensor& t) { return std::isfinite(t.abs().sum().item<double>()); }

nn::MultiheadAttention mha_from(const json& c) {
  auto o = nn::MultiheadAttentionOptions(c.at("embed_dim"), c.at("num_heads"))
               .bias(c.at("bias"))
               .add_bias_kv(c.at("add_bias_kv"))
               .add_zero_attn(c.at("add_zero_attn"))
               .batch_first(c.at("batch_first"));
  if (!c.at("kdim").is_null()) o.kdim(c.at("kdim").get<int64_t>());
  if (!c.at("vdim").is_null()) o.vdim(c.at("vdim").get<int64_t>());
  return nn::MultiheadAttention(o);
}
}  // namespace

TEST_CASE("MultiheadAttention matches torch.nn.MultiheadAttention: outputs, weights and every gradient") {
  const json fixture = load_fixture("attention.json");
  int cases = 0;
  for (const json& c : fixture.at("cases")) {
    const std::string name = c.at("name");
    if (name.rfind("mha_", 0) != 0) continue;
    ++cases;
    SUBCASE(name.c_str()) {
      nn::MultiheadAttention mha = mha_from(c);
      nn::StateDict d;
      for (auto& [n, t] : c.at("params").items()) d.insert(n, tensor_from(t));
      mha.load_state_dict(d);  // strict: the names and shapes are PyTorch's
      const json& in = c.at("inputs");
      Tensor q = tensor_from(in.at("query")).requires_grad_();
      Tensor k = q, v = q;
      if (!c.at("self_attention")) {
        k = tensor_from(in.at("key")).requires_grad_();
        v = tensor_from(in.at("value")).requires_grad_();
      }
      nn::MultiheadAttentionInput args{.average_attn_weights = c.at("average_attn_weights"),
                                       .is_causal = c.at("causal")};
      if (c.contains("key_padding_mask")) args.key_padding_mask = tensor_from(c.at("key_padding_mask"));
      if (c.contains("attn_mask")) args.attn_mask = tensor_from(c.at("attn_mask"));
      auto [out, weights] = mha(q, k, v, args);
      check_tensor(out, c.at("output"), name + " output");
      check_tensor(weights, c.at("weights"), name + " weights");
      ((out * tensor_from(c.at("g_output"))).sum() + (weights * tensor_from(c.at("g_weights"))).sum()).backward();
      check_tensor(q.grad(), c.at("input_grads").at("query"), name + " grad query");
      if (!c.at("self_attention")) {
        check_tensor(k.grad(), c.at("input_grads").at("key"), name + " grad key");
        check_tensor(v.grad(), c.at("input_grads").at("value"), name + " grad value");
      }
      for (auto& [n, p] : mha.named_parameters()) check_tensor(p.grad(), c.at("param_grads").at(n), name + " grad " + n);
    }
  }
  CHECK(cases == 8);
}

TEST_CASE("MultiheadAttention: gradcheck in float64 through every option") {
  manual_seed(5);
  for (bool kv : {false, true}) {
    auto o = nn::MultiheadAttentionOptions(4, 2).batch_first(true).add_bias_kv(kv).add_zero_attn(kv);
    if (kv) o.kdim(3).vdim(5);
    nn::MultiheadAttention mha(o);
    mha.to(kFloat64);
    Tensor q = randn({2, 3, 4}, kFloat64).requires_grad_();
    Tensor k = randn({2, 4, kv ? 3 : 4}, kFloat64).requires_grad_(), v = randn({2, 4, kv ? 5 : 4}, kFloat64).requires_grad_();
    Tensor pad = tensor(std::vector<bool>{false, false, false, true, true, false, false, false}, {2, 4});
    std::vector<Tensor> inputs{q, k, v};
    for (const Tensor& p : mha.parameters()) inputs.push_back(p);
    auto r = gradcheck([&](const std::vector<Tensor>& x) {
      auto out = mha(x[0], x[1], x[2], {.key_padding_mask = pad, .average_attn_weights = false});
      return (out.output * out.output).sum() + (out.weights * out.weights).sum();
    }, inputs);
    INFO(r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("MultiheadAttention: a query with every key masked gets zeros and finite gradients, not NaN") {
  manual_seed(6);
  nn::MultiheadAttention mha(nn::MultiheadAttentionOptions(4, 2).batch_first(true));
  Tensor x = randn({2, 3, 4}).requires_grad_();
  Tensor pad = tensor(std::vector<bool>{true, true, true, false, true, false}, {2, 3});  // batch 0: no key
  auto [out, w] = mha(x, x, x, {.key_padding_mask = pad});
  // No key: the attention is zero, so the output is out_proj's bias alone.
  CHECK(allclose(out.select(0, 0), expand(unsqueeze(mha.out_proj.bias, 0), {3, 4})));
  CHECK(w.select(0, 0).abs().max().item<double>() == 0.0);
  CHECK(allclose(w.select(0, 1).sum(-1), ones({3})));
  out.sum().backward();
  CHECK(all_finite(x.grad()));
  for (const Tensor& p : mha.parameters()) CHECK(all_finite(p.grad()));

  // A float mask's -inf excludes a key as the bool mask does; both kinds combine.
  Tensor inf_pad = masked_fill(zeros({2, 3}), pad, -std::numeric_limits<double>::infinity());
  CHECK(allclose(mha(x, x, x, {.key_padding_mask = inf_pad}).output, out));
  Tensor causal = causal_mask(3);
  auto both = mha(x, x, x, {.key_padding_mask = inf_pad, .attn_mask = causal});
  auto both_bool = mha(x, x, x, {.key_padding_mask = pad, .attn_mask = causal});
  CHECK(allclose(both.output, both_bool.output));
  CHECK(allclose(mha(x, x, x, {.is_causal = true}).output, mha(x, x, x, {.attn_mask = causal}).output));
  // need_weights = false: no weights, the same output.
  auto lean = mha(x, x, x, {.key_padding_mask = pad, .need_weights = false});
  CHECK_FALSE(lean.weights.defined());
  CHECK(allclose(lean.output, out));
}

TEST_CASE("MultiheadAttention: bad input names the layer and the shapes") {
  CHECK_ERROR(nn::MultiheadAttention(6, 4), "MultiheadAttention", "num_heads (4) must divide embed_dim (6)");
  CHECK_ERROR(nn::MultiheadAttention(nn::MultiheadAttentionOptions(4, 2).dropout(1.0)), "MultiheadAttention", "dropout");
  nn::MultiheadAttention mha(4, 2);  // sequence-first
  Tensor q = randn({3, 2, 4}), k = randn({5, 2, 4});
  CHECK_ERROR(mha(randn({3, 2, 5}), k, k), "MultiheadAttention", "[3, 2, 5]", "embed_dim 4");
  CHECK_ERROR(mha(q, randn({5, 2, 3}), k), "MultiheadAttention", "kdim 4");
  CHECK_ERROR(mha(q, k, randn({4, 2, 4})), "MultiheadAttention", "[5, 2, 4]", "[4, 2, 4]");
  CHECK_ERROR(mha(q, randn({5, 3, 4}), randn({5, 3, 4})), "MultiheadAttention", "batch (2)");
  CHECK_ERROR(mha(randn({2, 4}), k, k), "MultiheadAttention", "3-D", "2-D");
  CHECK_ERROR(mha(q, k, k, {.key_padding_mask = zeros({2, 4}, kBool)}), "MultiheadAttention", "key_padding_mask",
              "[2, 5]", "[2, 4]");
  CHECK_ERROR(mha(q, k, k, {.key_padding_mask = zeros({2, 5}, kInt64)}), "MultiheadAttention", "key_padding_mask",
              "int64");
  CHECK_ERROR(mha(q, k, k, {.attn_mask = zeros({3, 4}, kBool)}), "MultiheadAttention", "attn_mask", "[3, 5]",
              "[4, 3, 5]", "[3, 4]");
  CHECK_ERROR(mha(q, k, k, {.attn_mask = zeros({3, 5}, kFloat64)}), "MultiheadAttention", "attn_mask", "float64");
  CHECK(mha.repr() == "MultiheadAttention(\n  embed_dim=4, num_heads=2\n  (out_proj): Linear(in_features=4, out_features=4, bias=True)\n)");
}
