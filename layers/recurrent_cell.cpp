#include "recurrent_cell.hpp"

#include <cmath>

#include "../framework/random.hpp"
#include "../ops/ops.hpp"

namespace spool::nn {

int64_t gate_count(CellKind kind) {
  switch (kind) {
    case CellKind::Lstm: return 4;
    case CellKind::Gru: return 3;
    default: return 1;
  }
}

CellState cell_step(CellKind kind, const Tensor& x_proj, const CellState& prev, const Tensor& w_t,
                    const Tensor& b_hh) {
  const Tensor h_proj = b_hh.defined() ? addmm(b_hh, prev.h, w_t) : matmul(prev.h, w_t);
  switch (kind) {
    case CellKind::RnnTanh: return {tanh(x_proj + h_proj), {}};
    case CellKind::RnnRelu: return {relu(x_proj + h_proj), {}};
    case CellKind::Lstm: {
      auto g = chunk(x_proj + h_proj, 4, 1);
      Tensor c = sigmoid(g[1]) * prev.c + sigmoid(g[0]) * tanh(g[2]);
      return {sigmoid(g[3]) * tanh(c), c};
    }
    case CellKind::Gru: {
      auto x = chunk(x_proj, 3, 1), h = chunk(h_proj, 3, 1);
      Tensor r = sigmoid(x[0] + h[0]);
      Tensor z = sigmoid(x[1] + h[1]);
      Tensor n = tanh(x[2] + r * h[2]);
      return {n + z * (prev.h - n), {}};  // (1 - z) n + z h
    }
  }
  return {};
}

Tensor recurrent_init(const Shape& shape, int64_t hidden_size) {
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  return uniform(shape, -k, k);
}

RecurrentCell::RecurrentCell(const char* name, CellKind kind, int64_t in, int64_t hidden, bool bias)
    : Module(name), input_size(in), hidden_size(hidden), kind_(kind) {
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
              input_size, input_size, input.sizes());
  SPOOL_CHECK(input.size(-1) == input_size, name, "input has {} features, expected {} (shape {})", input.size(-1),
              input_size, input.sizes());
  const bool unbatched = input.dim() == 1;
  const Tensor x = unbatched ? unsqueeze(input, 0) : input;
  const int64_t B = x.size(0);
  auto prepare = [&](const Tensor& s, const char* what) {
    if (!s.defined()) return zeros({B, hidden_size}, x.dtype());
    const Shape want = unbatched ? Shape{hidden_size} : Shape{B, hidden_size};
    SPOOL_CHECK(s.sizes() == want, name, "{} must have shape {}, got {}", what, want, s.sizes());
    return unbatched ? unsqueeze(s, 0) : s;
  };
  CellState prev{prepare(state.h, "h"), kind_ == CellKind::Lstm ? prepare(state.c, "c") : Tensor()};
  SPOOL_CHECK(kind_ == CellKind::Lstm || !state.c.defined(), name, "only LSTMCell takes a cell state c");
  CellState next = cell_step(kind_, linear(x, weight_ih, bias_ih), prev, transpose(weight_hh, 0, 1), bias_hh);
  if (unbatched) {
    next.h = squeeze(next.h, 0);
    if (next.c.defined()) next.c = squeeze(next.c, 0);
  }
  note_output_shape(next.h.sizes());
  return next;
}

std::string RecurrentCell::extra_repr() const {
  std::string s = fmt::format("{}, {}", input_size, hidden_size);
  if (!bias_ih.defined()) s += ", bias=False";
  if (kind_ == CellKind::RnnRelu) s += ", nonlinearity=relu";
  return s;
}

}  // namespace spool::nn
