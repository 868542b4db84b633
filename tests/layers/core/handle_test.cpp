// A module member initialized from register_module IS the registered module:
// what is done through one handle (a push_back, a field set) every handle
// sees, and options cannot drift from the weights built from them.
#include <type_traits>

#include "test_util.hpp"

using namespace spool;

namespace {

struct Stacked : nn::Module {
  Stacked() : Module("Stacked"), inner(register_module("inner", nn::Sequential(nn::Linear(2, 4)))) {}
  nn::Sequential inner;
};

struct WithDropout : nn::Module {
  WithDropout() : Module("WithDropout"), drop(register_module("drop", nn::Dropout(0.5))) {}
  nn::Dropout drop;
};

std::shared_ptr<nn::Module> registered(const nn::Module& m, const std::string& name) {
  for (const auto& [n, child] : m.named_children())
    if (n == name) return child;
  return nullptr;
}

}  // namespace

TEST_CASE("handles: push_back on a Sequential member reaches the registered child") {
  Stacked model;
  model.inner.push_back(nn::Linear(4, 3));
  const auto child = registered(model, "inner");
  REQUIRE(child);
  CHECK(child->children().size() == 2);
  CHECK(model.inner.size() == 2);
  CHECK(model.parameters().size() == 4);  // two Linear layers, weight and bias each
  // The registered child runs both steps (it used to stop at width 4).
  CHECK(child->forward_tensor(zeros({5, 2})).sizes() == Shape{5, 3});
  CHECK(model.inner(zeros({5, 2})).sizes() == Shape{5, 3});

  // A copy is the same Sequential too.
  nn::Sequential copy = model.inner;
  copy.push_back(nn::Tanh());
  CHECK(model.inner.size() == 3);
  CHECK(child->forward_tensor(full({1, 2}, 100.0)).abs().sum().item<float>() <= 3.0f);  // tanh ran last: |y| <= 1
}

TEST_CASE("handles: Dropout's p set on a member is the registered module's p") {
  WithDropout net;
  net.drop.p = 0.0;
  const double read = net.drop.p;
  CHECK(read == 0.0);
  const auto child = registered(net, "drop");
  REQUIRE(child);
  CHECK(child->repr() == "Dropout(p=0)");
  const Tensor x = ones({1000});
  CHECK(child->is_training());
  CHECK(allclose(child->forward_tensor(x), x));  // p = 0 drops nothing (it dropped with 0.5 before)

  // Assigning a new module rebinds every field with it; other handles keep theirs.
  nn::Dropout a(0.3);
  nn::Dropout b = a;
  a = nn::Dropout(0.7);
  CHECK(static_cast<double>(a.p) == doctest::Approx(0.7));
  CHECK(static_cast<double>(b.p) == doctest::Approx(0.3));
  b.p = 0.1;
  CHECK(static_cast<double>(a.p) == doctest::Approx(0.7));
}

// True when `options()` of M gives a read-only O (a const reference).
template <typename M, typename O>
constexpr bool read_only_options = std::is_same_v<decltype(std::declval<M&>().options()), const O&>;
// What would change a layer's options in place, or set a nonlinearity.
template <typename M>
concept options_settable = requires(M& m) { m.options().num_layers(3); };
template <typename O>
concept has_nonlinearity = requires(O o) { o.nonlinearity("sigmoid"); };

TEST_CASE("handles: layer options are read-only after construction") {
  static_assert(read_only_options<nn::Linear, nn::LinearOptions>);
  static_assert(read_only_options<nn::Embedding, nn::EmbeddingOptions>);
  static_assert(read_only_options<nn::LayerNorm, nn::LayerNormOptions>);
  static_assert(read_only_options<nn::RNN, nn::RNNOptions>);
  static_assert(read_only_options<nn::LSTM, nn::LSTMOptions>);
  static_assert(read_only_options<nn::GRU, nn::GRUOptions>);
  static_assert(read_only_options<nn::RecurrentStack, nn::RecurrentOptionsBase>);
  static_assert(!options_settable<nn::LSTM>);
  static_assert(std::is_same_v<decltype(std::declval<nn::Bidirectional&>().merge_mode()), const std::string&>);
  static_assert(std::is_same_v<decltype(std::declval<nn::LSTMCell&>().hidden_size()), int64_t>);

  nn::LSTM lstm(nn::LSTMOptions(2, 3).num_layers(2).batch_first(true));
  CHECK(lstm.options().num_layers() == 2);
  CHECK(lstm.options().batch_first());
  // A stack seen through its base reports the same options.
  const nn::RecurrentStack& stack = lstm;
  CHECK(stack.options().hidden_size() == 3);
  CHECK(nn::Linear(4, 2, false).options().bias() == false);
  CHECK(nn::Embedding(nn::EmbeddingOptions(5, 2).padding_idx(-1)).options().padding_idx() == 4);  // wrapped
  CHECK(nn::Bidirectional(nn::GRU(3, 4), "sum").merge_mode() == "sum");
  CHECK(nn::RepeatVector(3).n() == 3);
  // A default-constructed layer has no options: a clear error.
  CHECK_ERROR(nn::LSTM().options(), "options", "before it was constructed");
}

TEST_CASE("options: LSTM and GRU have their own options types, and only RNN has a nonlinearity") {
  static_assert(!has_nonlinearity<nn::LSTMOptions>);
  static_assert(!has_nonlinearity<nn::GRUOptions>);
  static_assert(has_nonlinearity<nn::RNNOptions>);
  static_assert(!std::is_convertible_v<nn::RNNOptions, nn::LSTMOptions>);
  static_assert(!std::is_constructible_v<nn::LSTM, nn::RNNOptions>);
  // Chains keep their type.
  static_assert(std::is_same_v<decltype(nn::LSTMOptions(1, 1).bidirectional(true)), nn::LSTMOptions&>);
  static_assert(std::is_same_v<decltype(nn::RNNOptions(1, 1).num_layers(2).nonlinearity("relu")), nn::RNNOptions&>);
  CHECK(nn::RNN(nn::RNNOptions(3, 4).nonlinearity("relu")).options().nonlinearity() == "relu");
  CHECK_ERROR(nn::RNN(nn::RNNOptions(3, 4).nonlinearity("sigmoid")), "RNN", "\"tanh\" or \"relu\"", "sigmoid");
}

TEST_CASE("options: getter and chainable setter of the same name") {
  auto o = nn::LinearOptions(4, 2).bias(false).in_features(8);
  CHECK(o.in_features() == 8);
  CHECK(o.out_features() == 2);
  CHECK_FALSE(o.bias());
  auto n = nn::LayerNormOptions({3}).eps(1e-3).elementwise_affine(false);
  CHECK(n.normalized_shape() == Shape{3});
  CHECK(n.eps() == 1e-3);
  CHECK_FALSE(n.elementwise_affine());
  CHECK(nn::LayerNorm(n).parameters().empty());
}
