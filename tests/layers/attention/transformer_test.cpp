// nn::TransformerEncoderLayer / TransformerEncoder / TransformerDecoderLayer /
// TransformerDecoder against torch.nn's (tests/fixtures/attention.json,
// tools/make_layer_fixtures.py): PyTorch's state_dict loads unchanged and the
// outputs and every gradient match, post- and pre-norm, relu and gelu, masks,
// batch_first both ways. Then gradcheck in float64 and bad input.
#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {
nn::TransformerLayerOptions options_from(const json& c) {
  return nn::TransformerLayerOptions(c.at("d_model"), c.at("nhead"))
      .dim_feedforward(c.at("dim_feedforward"))
      .dropout(0.0)
      .activation(c.at("activation"))
      .batch_first(c.at("batch_first"))
      .norm_first(c.at("norm_first"));
}
Tensor mask(const json& c, const char* name) {
  return c.at("masks").contains(name) ? tensor_from(c.at("masks").at(name)) : Tensor();
}
}  // namespace

TEST_CASE("Transformer layers and stacks match torch.nn: outputs and every gradient") {
  const json fixture = load_fixture("attention.json");
  int cases = 0;
  for (const json& c : fixture.at("transformer")) {
    const std::string name = c.at("name");
    ++cases;
    SUBCASE(name.c_str()) {
      const nn::TransformerLayerOptions o = options_from(c);
      const bool stack = !c.at("num_layers").is_null();
      const int64_t n = stack ? c.at("num_layers").get<int64_t>() : 0;
      nn::Module model;
      std::function<Tensor(const Tensor&, const Tensor&)> run;
      const nn::TransformerEncoderInput enc_in{.src_mask = mask(c, "src_mask"),
                                               .src_key_padding_mask = mask(c, "src_key_padding_mask")};
      const nn::TransformerDecoderInput dec_in{.tgt_mask = mask(c, "tgt_mask"),
                                               .tgt_key_padding_mask = mask(c, "tgt_key_padding_mask"),
                                               .memory_key_padding_mask = mask(c, "memory_key_padding_mask")};
      if (!c.at("decoder") && !stack) {
        nn::TransformerEncoderLayer m(o);
        model = m;
        run = [m, enc_in](const Tensor& x, const Tensor&) mutable { return m(x, enc_in); };
      } else if (!c.at("decoder")) {
        nn::TransformerEncoder m(nn::TransformerEncoderOptions(o, n).norm(c.at("norm")));
        model = m;
        run = [m, enc_in](const Tensor& x, const Tensor&) mutable { return m(x, enc_in); };
      } else if (!stack) {
        nn::TransformerDecoderLayer m(o);
        model = m;
        run = [m, dec_in](const Tensor& x, const Tensor& mem) mutable { return m(x, mem, dec_in); };
      } else {
        nn::TransformerDecoder m(nn::TransformerDecoderOptions(o, n).norm(c.at("norm")));
        model = m;
        run = [m, dec_in](const Tensor& x, const Tensor& mem) mutable { return m(x, mem, dec_in); };
      }
      nn::StateDict d;
      for (auto& [k, t] : c.at("params").items()) d.insert(k, tensor_from(t));
      model.load_state_dict(d);  // strict: PyTorch's names and shapes
      const json& in = c.at("inputs");
      Tensor x = tensor_from(in.at(c.at("decoder") ? "tgt" : "src")).requires_grad_();
      Tensor memory = c.at("decoder") ? tensor_from(in.at("memory")).requires_grad_() : Tensor();
      Tensor out = run(x, memory);
      check_tensor(out, c.at("output"), name + " output");
      (out * tensor_from(c.at("g_output"))).sum().backward();
      check_tensor(x.grad(), c.at("input_grads").at(c.at("decoder") ? "tgt" : "src"), name + " grad input");
      if (memory.defined()) check_tensor(memory.grad(), c.at("input_grads").at("memory"), name + " grad memory");
      for (auto& [k, p] : model.named_parameters()) check_tensor(p.grad(), c.at("param_grads").at(k), name + " grad " + k);
    }
  }
  CHECK(cases == 6);
}

TEST_CASE("TransformerEncoderLayer and TransformerDecoderLayer: gradcheck in float64") {
  manual_seed(8);
  for (bool norm_first : {false, true}) {
    const auto o = nn::TransformerLayerOptions(4, 2).dim_feedforward(6).dropout(0.0).batch_first(true).norm_first(norm_first).activation("gelu");
    nn::TransformerEncoderLayer enc(o);
    nn::TransformerDecoderLayer dec(o);
    enc.to(kFloat64);
    dec.to(kFloat64);
    Tensor src = randn({2, 3, 4}, kFloat64).requires_grad_(), tgt = randn({2, 2, 4}, kFloat64).requires_grad_();
    Tensor pad = tensor(std::vector<bool>{false, false, true, false, false, false}, {2, 3});
    std::vector<Tensor> inputs{src, tgt};
    for (const Tensor& p : enc.parameters()) inputs.push_back(p);
    for (const Tensor& p : dec.parameters()) inputs.push_back(p);
    auto r = gradcheck([&](const std::vector<Tensor>& v) {
      Tensor memory = enc(v[0], {.src_key_padding_mask = pad});
      Tensor y = dec(v[1], memory, {.memory_key_padding_mask = pad, .tgt_is_causal = true});
      return (y * y).sum() + memory.sum();
    }, inputs);
    INFO(r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("Transformer layers: causal flags, dropout in training only, and bad input") {
  manual_seed(9);
  const auto o = nn::TransformerLayerOptions(4, 2).dim_feedforward(6).dropout(0.5);
  nn::TransformerEncoderLayer enc(o);
  enc.eval();
  Tensor x = randn({3, 2, 4});
  CHECK(allclose(enc(x, {.is_causal = true}), enc(x, {.src_mask = causal_mask(3)})));
  CHECK(allclose(enc(x), enc(x)));  // eval: no dropout
  enc.train();
  CHECK_FALSE(allclose(enc(x), enc(x)));
  nn::TransformerEncoder stack(nn::TransformerEncoderOptions(o, 3));
  CHECK(stack.named_parameters().front().first == "layers.0.self_attn.in_proj_weight");
  CHECK(stack.layers.size() == 3);
  CHECK_FALSE(stack.layers[0].self_attn.in_proj_weight.is_same(stack.layers[1].self_attn.in_proj_weight));

  CHECK_ERROR(nn::TransformerEncoderLayer(6, 4), "TransformerEncoderLayer", "nhead (4) must divide d_model (6)");
  CHECK_ERROR(nn::TransformerDecoderLayer(nn::TransformerLayerOptions(4, 2).activation("tanh")),
              "TransformerDecoderLayer", "activation", "tanh");
  CHECK_ERROR(nn::TransformerEncoder(nn::TransformerEncoderOptions(o, 0)), "TransformerEncoder", "num_layers");
  CHECK_ERROR(nn::TransformerEncoderLayer(nn::TransformerLayerOptions(4, 2).layer_norm_eps(-1)), "layer_norm_eps");
  CHECK_ERROR(stack.layers[3], "ModuleList", "index 3", "list of 3");
  CHECK_ERROR(enc(randn({3, 2, 5})), "MultiheadAttention", "embed_dim 4");
  CHECK_ERROR(enc(x, {.src_key_padding_mask = zeros({3, 2}, kBool)}), "key_padding_mask", "[2, 3]");
  nn::TransformerDecoderLayer dec(o);
  CHECK_ERROR(dec(x, randn({5, 3, 4})), "MultiheadAttention", "batch (2)");
}
