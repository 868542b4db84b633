// RNN (tanh, relu), LSTM and GRU stacks and cells against PyTorch: outputs,
// final states and the gradients of every parameter, the input and the
// initial states (tests/fixtures/recurrent.json, tools/make_layer_fixtures.py).
#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {

template <typename Options>
Options options_of(const json& c) {
  return Options(c.at("input_size"), c.at("hidden_size"))
      .num_layers(c.at("num_layers"))
      .bidirectional(c.at("bidirectional"))
      .batch_first(c.at("batch_first"));
}

std::shared_ptr<nn::Module> make_stack(const json& c) {
  const std::string kind = c.at("kind");
  if (kind == "lstm") return std::make_shared<nn::LSTM>(options_of<nn::LSTMOptions>(c));
  if (kind == "gru") return std::make_shared<nn::GRU>(options_of<nn::GRUOptions>(c));
  return std::make_shared<nn::RNN>(options_of<nn::RNNOptions>(c).nonlinearity(kind == "rnn_relu" ? "relu" : "tanh"));
}

std::shared_ptr<nn::RecurrentCell> make_cell(const json& c) {
  const std::string kind = c.at("kind");
  const int64_t I = c.at("input_size"), H = c.at("hidden_size");
  if (kind == "lstm") return std::make_shared<nn::LSTMCell>(I, H);
  if (kind == "gru") return std::make_shared<nn::GRUCell>(I, H);
  return std::make_shared<nn::RNNCell>(I, H, true, kind == "rnn_relu" ? "relu" : "tanh");
}

// Loads PyTorch's parameters through a strict load_state_dict.
void load_params(nn::Module& m, const json& c) {
  nn::StateDict d;
  for (auto& [name, t] : c.at("params").items()) d.insert(name, tensor_from(t));
  m.load_state_dict(d);
}

Tensor optional_leaf(const json& j) {
  if (j.is_null()) return Tensor();
  return tensor_from(j).requires_grad_();
}

void check_param_grads(const nn::Module& m, const json& c) {
  auto params = m.named_parameters();
  REQUIRE(params.size() == c.at("param_grads").size());
  for (auto& [name, p] : params) check_tensor(p.grad(), c["param_grads"].at(name), "grad of " + name);
}

}  // namespace

TEST_CASE("recurrent fixtures: stacks and cells match PyTorch") {
  const json fixture = load_fixture("recurrent.json");
  const auto& cases = fixture.at("cases");
  REQUIRE(cases.size() >= 24);
  for (const json& c : cases) {
    const std::string name = c.at("name");
    SUBCASE(name.c_str()) {
      Tensor x = tensor_from(c.at("input")).requires_grad_();
      Tensor h0 = optional_leaf(c.at("h0")), c0 = optional_leaf(c.at("c0"));
      if (c.at("cell").get<bool>()) {
        auto cell = make_cell(c);
        load_params(*cell, c);
        nn::CellState s = cell->forward(x, {h0, c0});
        check_tensor(s.h, c.at("output"), name + " h");
        std::vector<Tensor> roots{s.h}, grads{tensor_from(c.at("g_output"))};
        if (!c.at("c_n").is_null()) {
          check_tensor(s.c, c.at("c_n"), name + " c");
          roots.push_back(s.c);
          grads.push_back(tensor_from(c.at("g_c_n")));
        }
        spool::backward(roots, grads);
        check_param_grads(*cell, c);
      } else {
        auto module = make_stack(c);
        load_params(*module, c);
        auto& stack = dynamic_cast<nn::RecurrentStack&>(*module);
        nn::RecurrentInput extra{h0, c0, {}};
        if (!c.at("lengths").is_null()) extra.lengths = tensor(c.at("lengths").get<std::vector<int64_t>>());
        auto [output, h_n, c_n] = stack(x, extra);
        check_tensor(output, c.at("output"), name + " output");
        check_tensor(h_n, c.at("h_n"), name + " h_n");
        std::vector<Tensor> roots{output, h_n}, grads{tensor_from(c.at("g_output")), tensor_from(c.at("g_h_n"))};
        if (!c.at("c_n").is_null()) {
          check_tensor(c_n, c.at("c_n"), name + " c_n");
          roots.push_back(c_n);
          grads.push_back(tensor_from(c.at("g_c_n")));
        }
        spool::backward(roots, grads);
        check_param_grads(*module, c);
      }
      check_tensor(x.grad(), c.at("input_grad"), name + " input grad");
      if (h0.defined()) check_tensor(h0.grad(), c.at("h0_grad"), name + " h0 grad");
      if (c0.defined()) check_tensor(c0.grad(), c.at("c0_grad"), name + " c0 grad");
    }
  }
}
