#include "test_util.hpp"

using namespace spool;

namespace {
struct Tagger : nn::Module {
  Tagger(int64_t vocab, int64_t hidden, int64_t tags)
      : Module("Tagger"),
        emb(register_module("emb", nn::Embedding(vocab, hidden))),
        lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(hidden, hidden).bidirectional(true)))),
        out(register_module("out", nn::Linear(2 * hidden, tags))) {}
  Tensor forward(const Tensor& tokens) { return out(lstm(emb(tokens)).output); }
  nn::Embedding emb;
  nn::LSTM lstm;
  nn::Linear out;
};
}  // namespace

TEST_CASE("module: dotted parameter names, counts and shapes as PyTorch") {
  Tagger m(10, 4, 3);
  std::vector<std::string> names;
  for (auto& [n, p] : m.named_parameters()) names.push_back(n);
  CHECK(names == std::vector<std::string>{"emb.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0",
                                          "lstm.bias_hh_l0", "lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse",
                                          "lstm.bias_ih_l0_reverse", "lstm.bias_hh_l0_reverse", "out.weight",
                                          "out.bias"});
  CHECK(m.lstm.parameter("weight_ih_l0").sizes() == Shape{16, 4});
  // 10*4 + 2*(16*4 + 16*4 + 16 + 16) + 3*8 + 3
  CHECK(m.num_parameters() == 40 + 2 * 160 + 27);
  CHECK(m.children().size() == 3);
  for (const Tensor& p : m.parameters()) CHECK(p.requires_grad());
}

TEST_CASE("module: members and registered children are the same module") {
  Tagger m(10, 4, 3);
  Tensor tokens = tensor(std::vector<int64_t>{1, 2, 3, 4}, {4, 1});
  Tensor y = m.forward(tokens);
  CHECK(y.sizes() == Shape{4, 1, 3});
  y.sum().backward();
  // The gradient lands on the parameters that named_parameters reports.
  for (auto& [n, p] : m.named_parameters()) {
    INFO(n);
    CHECK(p.grad().defined());
  }
  m.zero_grad();
  for (const Tensor& p : m.parameters()) CHECK_FALSE(p.grad().defined());
  m.eval();
  CHECK_FALSE(m.out.is_training());
  CHECK_FALSE(m.lstm.is_training());
  m.train();
  CHECK(m.lstm.is_training());
}

TEST_CASE("module: state_dict round trip, strict and non-strict loading") {
  manual_seed(1);
  nn::Linear a(3, 2), b(3, 2);
  b.load_state_dict(a.state_dict());
  CHECK(allclose(a.weight, b.weight));
  CHECK(allclose(a.bias, b.bias));
  CHECK(a.weight.raw_data() != b.weight.raw_data());  // values copied, tensors kept

  nn::StateDict partial;
  partial.insert("weight", zeros({2, 3}));
  partial.insert("extra", zeros({1}));
  CHECK_THROWS_WITH_AS(b.load_state_dict(partial), doctest::Contains("missing keys [bias]"), Error);
  CHECK(allclose(b.weight, a.weight));  // a failed strict load changes nothing
  auto r = b.load_state_dict(partial, /*strict=*/false);
  CHECK(r.missing_keys == std::vector<std::string>{"bias"});
  CHECK(r.unexpected_keys == std::vector<std::string>{"extra"});
  CHECK(b.weight.sum().item<float>() == 0.0f);

  nn::StateDict wrong;
  wrong.insert("weight", zeros({3, 3}));
  wrong.insert("bias", zeros({2}));
  CHECK_THROWS_WITH_AS(b.load_state_dict(wrong), doctest::Contains("size mismatch for weight"), Error);

  // A name given twice is an error, not a silent overwrite; set() replaces on purpose.
  CHECK_ERROR(wrong.insert("bias", ones({2})), "StateDict::insert", "\"bias\" is already in the dict", "[2]", "set()");
  CHECK(wrong.at("bias").sum().item<float>() == 0.0f);
  wrong.set("bias", ones({2}));
  wrong.set("new", ones({1}));
  CHECK(wrong.at("bias").sum().item<float>() == 2.0f);
  CHECK(wrong.size() == 3);
}

TEST_CASE("module: repr and summary") {
  nn::Sequential net(nn::Linear(4, 8), nn::ReLU(), nn::Dropout(0.1), nn::Linear(8, 2, false));
  CHECK(net.repr() ==
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.1)\n"
        "  (3): Linear(in_features=8, out_features=2, bias=False)\n"
        ")");
  net.forward(zeros({5, 4}));
  const std::string s = net.summary();
  CHECK(s.find("0 (Linear)") != std::string::npos);
  CHECK(s.find("[5, 8]") != std::string::npos);
  CHECK(s.find("Total params: 56") != std::string::npos);
  nn::LSTM lstm(nn::LSTMOptions(3, 5).num_layers(2).batch_first(true).bidirectional(true));
  CHECK(lstm.repr() == "LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)");
}

TEST_CASE("module: Sequential holds a recurrent layer") {
  nn::Sequential net(nn::Embedding(10, 4), nn::GRU(nn::GRUOptions(4, 6).batch_first(true)), nn::Linear(6, 2));
  Tensor y = net.forward(tensor(std::vector<int64_t>{1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK(y.sizes() == Shape{2, 3, 2});
}

TEST_CASE("module: a default-constructed module is a clear error") {
  nn::Linear unset;
  CHECK_FALSE(unset.defined());
  CHECK_THROWS_WITH_AS(unset.forward(zeros({1, 2})), doctest::Contains("before it was constructed"), Error);
  CHECK_THROWS_AS(unset.parameters(), Error);
}

TEST_CASE("module: layers match their functional forms") {
  manual_seed(3);
  nn::Embedding emb(nn::EmbeddingOptions(5, 3).padding_idx(0));
  CHECK(emb.weight.select(0, 0).abs().sum().item<float>() == 0.0f);
  Tensor frozen_w = randn({4, 2});
  auto frozen = nn::Embedding::from_pretrained(frozen_w);
  CHECK_FALSE(frozen.weight.requires_grad());
  CHECK(allclose(frozen(tensor(std::vector<int64_t>{3})), frozen_w.narrow(0, 3, 1)));
  nn::LayerNorm ln(4);
  Tensor x = randn({2, 4});
  CHECK(allclose(ln(x), layer_norm(x, {4})));
  nn::Dropout drop(0.5);
  drop.eval();
  CHECK(allclose(drop(x), x));
  drop.train();
  Tensor d = drop(ones({1000}));
  const double kept = sum(gt(d, 0.0).to(kFloat32)).item<double>();
  CHECK(kept > 400);
  CHECK(kept < 600);
  CHECK(allclose(max(d), scalar_tensor(2.0)));
}
