#include "recurrent_cell.hpp"

#include <cmath>

#include "../../framework/core/random.hpp"
#include "../../ops/ops.hpp"
#include "../../ops/pointwise.hpp"

namespace spool::nn {

int64_t gate_count(CellKind kind) {
  switch (kind) {
    case CellKind::Lstm: return 4;
    case CellKind::Gru: return 3;
    default: return 1;
  }
}

namespace {

// The elementwise part of a step, fused with the step's product
// (ops/pointwise.hpp): backward is derived from these expressions. Input 0
// is the product: gates = x_proj + h W_hh^T, or GRU's h W_hh^T + b_hh.
const Pointwise& rnn_tanh_cell() {  // gates -> h'
  static const Pointwise f("rnn_tanh_cell", 1, [](const std::vector<Expr>& in) { return tanh(in[0]); });
  return f;
}
const Pointwise& rnn_relu_cell() {  // gates -> h'
  static const Pointwise f("rnn_relu_cell", 1, [](const std::vector<Expr>& in) { return relu(in[0]); });
  return f;
}
const Pointwise& lstm_cell() {  // (gates, c) -> [h', c'], gate order i, f, g, o
  static const Pointwise f("lstm_cell", 2, [](const std::vector<Expr>& in) {
    const Expr& gates = in[0];
    const Expr c = sigmoid(gates.chunk(1, 4)) * in[1] + sigmoid(gates.chunk(0, 4)) * tanh(gates.chunk(2, 4));
    return std::vector<Expr>{sigmoid(gates.chunk(3, 4)) * tanh(c), c};
  });
  return f;
}
const Pointwise& gru_cell() {  // (h_proj, x_proj, h) -> h', gate order r, z, n
  static const Pointwise f("gru_cell", 3, [](const std::vector<Expr>& in) {
    const Expr r = sigmoid(in[1].chunk(0, 3) + in[0].chunk(0, 3));
    const Expr z = sigmoid(in[1].chunk(1, 3) + in[0].chunk(1, 3));
    const Expr n = tanh(in[1].chunk(2, 3) + r * in[0].chunk(2, 3));
    return n + z * (in[2] - n);  // (1 - z) n + z h
  });
  return f;
}

}  // namespace

Tensor input_projection(CellKind kind, const Tensor& x, const Tensor& w_ih, const Tensor& b_ih, const Tensor& b_hh) {
  // RNN and LSTM add b_hh outside any product, so it joins b_ih here once
  // per sequence; GRU multiplies it by r and keeps it in the step.
  const bool fold = kind != CellKind::Gru && b_hh.defined();
  return linear(x, w_ih, fold ? b_ih + b_hh : b_ih);
}

namespace {
// cell({h W_hh^T + bias, rest...}) for one direction's [G, H] weight (maybe
// packed): one op. For a batch [D, H, G] of pre-transposed weights, a
// batched product, then the cell.
Tensor cell_after_product(const Pointwise& cell, const Tensor& h, const Tensor& w_hh, const PackedWeight& packed,
                          const Tensor& bias, std::initializer_list<Tensor> rest) {
  if (packed.defined()) return cell(rest, {.linear = LinearInput(h, packed, bias)});
  if (w_hh.dim() == 2) return cell(rest, {.linear = LinearInput(h, w_hh, bias)});
  std::vector<Tensor> inputs{bias.defined() ? baddbmm(bias, h, w_hh) : bmm(h, w_hh)};
  inputs.insert(inputs.end(), rest.begin(), rest.end());
  return cell(inputs);
}
}  // namespace

CellState cell_step(CellKind kind, const Tensor& x_proj, const CellState& prev, const Tensor& w_hh,
                    const Tensor& b_hh, const PackedWeight& packed) {
  switch (kind) {
    case CellKind::Gru: return {cell_after_product(gru_cell(), prev.h, w_hh, packed, b_hh, {x_proj, prev.h}), {}};
    case CellKind::RnnTanh: return {cell_after_product(rnn_tanh_cell(), prev.h, w_hh, packed, x_proj, {}), {}};
    case CellKind::RnnRelu: return {cell_after_product(rnn_relu_cell(), prev.h, w_hh, packed, x_proj, {}), {}};
    default: {
      // h' and c' are views of one result: selects record no node.
      const Tensor hc = cell_after_product(lstm_cell(), prev.h, w_hh, packed, x_proj, {prev.c});
      return {select(hc, 0, 0), select(hc, 0, 1)};
    }
  }
}

Tensor recurrent_init(const Shape& shape, int64_t hidden_size) {
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  return uniform(shape, -k, k);
}

RecurrentCell::RecurrentCell(const char* name, CellKind kind, int64_t in, int64_t hidden, bool bias)
    : Module(name), input_size_(in), hidden_size_(hidden), kind_(kind) {
  SPOOL_CHECK(in > 0 && hidden > 0, name, "input_size and hidden_size must be positive, got {} and {}", in, hidden);
  const int64_t G = gate_count(kind) * hidden;
  weight_ih = register_parameter("weight_ih", recurrent_init({G, in}, hidden));
  weight_hh = register_parameter("weight_hh", recurrent_init({G, hidden}, hidden));
  if (bias) {
    bias_ih = register_parameter("bias_ih", recurrent_init({G}, hidden));
    bias_hh = register_parameter("bias_hh", recurrent_init({G}, hidden));
  }
}

RNNCell::RNNCell(int64_t in, int64_t hidden, bool bias, const std::string& nonlinearity)
    : RecurrentCell("RNNCell", nonlinearity == "relu" ? CellKind::RnnRelu : CellKind::RnnTanh, in, hidden, bias) {
  SPOOL_CHECK(nonlinearity == "tanh" || nonlinearity == "relu", "RNNCell",
              "nonlinearity must be \"tanh\" or \"relu\", got \"{}\"", nonlinearity);
}

CellState RecurrentCell::forward(const Tensor& input, const CellState& state) {
  check_defined("RecurrentCell");
  const char* name = type_name().c_str();
  SPOOL_CHECK(input.dim() == 1 || input.dim() == 2, name, "input must be [batch, {}] or [{}], got shape {}",
              input_size_, input_size_, input.sizes());
  SPOOL_CHECK(input.size(-1) == input_size_, name, "input has {} features, expected {} (shape {})", input.size(-1),
              input_size_, input.sizes());
  const bool unbatched = input.dim() == 1;
  const Tensor x = unbatched ? unsqueeze(input, 0) : input;
  const int64_t B = x.size(0);
  auto prepare = [&](const Tensor& s, const char* what) {
    if (!s.defined()) return zeros({B, hidden_size_}, x.dtype());
    const Shape want = unbatched ? Shape{hidden_size_} : Shape{B, hidden_size_};
    SPOOL_CHECK(s.sizes() == want, name, "{} must have shape {}, got {}", what, want, s.sizes());
    return unbatched ? unsqueeze(s, 0) : s;
  };
  CellState prev{prepare(state.h, "h"), kind_ == CellKind::Lstm ? prepare(state.c, "c") : Tensor()};
  SPOOL_CHECK(kind_ != CellKind::Lstm || state.h.defined() == state.c.defined(), name,
              "LSTMCell takes h and c together (as PyTorch's (h, c)); got only {}", state.h.defined() ? "h" : "c");
  SPOOL_CHECK(kind_ == CellKind::Lstm || !state.c.defined(), name, "only LSTMCell takes a cell state c");
  const Tensor x_proj = input_projection(kind_, x, weight_ih, bias_ih, bias_hh);
  CellState next = cell_step(kind_, x_proj, prev, weight_hh, bias_hh);
  if (unbatched) {
    next.h = squeeze(next.h, 0);
    if (next.c.defined()) next.c = squeeze(next.c, 0);
  }
  note_output_shape(next.h.sizes());
  return next;
}

std::string RecurrentCell::extra_repr() const {
  std::string s = fmt::format("{}, {}", input_size_, hidden_size_);
  if (!bias_ih.defined()) s += ", bias=False";
  if (kind_ == CellKind::RnnRelu) s += ", nonlinearity=relu";
  return s;
}

}  // namespace spool::nn
