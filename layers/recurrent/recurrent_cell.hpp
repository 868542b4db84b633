// One time step of the recurrent cells, composed from generic ops (no
// hand-written backward), and the cell modules. Gate orders follow PyTorch:
// LSTM i, f, g, o; GRU r, z, n.
//
//   LSTM: i, f, g, o = chunk(x W_ih^T + b_ih + h W_hh^T + b_hh, 4)
//         c' = sigmoid(f) c + sigmoid(i) tanh(g);  h' = sigmoid(o) tanh(c')
//   GRU:  r = sigmoid(x_r + h_r);  z = sigmoid(x_z + h_z)
//         n = tanh(x_n + r h_n);   h' = (1 - z) n + z h
//   RNN:  h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)   (or relu)
#pragma once

#include <string>

#include "../../ops/ops.hpp"
#include "../core/module.hpp"

namespace spool::nn {

enum class CellKind { RnnTanh, RnnRelu, Lstm, Gru };

// Gates per hidden unit: 1 (RNN), 4 (LSTM), 3 (GRU).
int64_t gate_count(CellKind kind);

struct CellState {
  Tensor h, c;  // c only for LSTM
};

// The input projection of a cell: x W_ih^T + b_ih, plus b_hh for RNN and
// LSTM (where it adds outside any product). Computed for all steps at once.
Tensor input_projection(CellKind kind, const Tensor& x, const Tensor& w_ih, const Tensor& b_ih, const Tensor& b_hh);

// One step from the input projection x_proj ([B, G*H], from input_projection):
// the recurrent product is linear(h, W_hh, x_proj), whose T per-step weight
// gradients the engine sums in W_hh's own layout; b_hh (may be undefined) is
// read by GRU only. Directions batched together pass x_proj [D, B, G*H],
// h [D, B, H], W_hh^T [D, H, G*H] and b_hh [D, 1, G*H] (a baddbmm). A
// defined `packed` is W_hh packed once for all steps of a sequence, which the
// product then reads. The gate nonlinearities run as a fused pointwise
// expression, in one op with the product (Pointwise with a LinearInput), whose
// backward the framework derives; an LSTM's h' and c' are views of that
// op's one result.
CellState cell_step(CellKind kind, const Tensor& x_proj, const CellState& prev, const Tensor& w_hh,
                    const Tensor& b_hh, const PackedWeight& packed = PackedWeight());

// Weight and bias initialization shared by cells and stacks: every tensor
// U(-1/sqrt(H), 1/sqrt(H)), as PyTorch.
Tensor recurrent_init(const Shape& shape, int64_t hidden_size);

// RNNCell / LSTMCell / GRUCell: input [B, I] (or [I]), state [B, H].
class RecurrentCell : public Module {
 public:
  RecurrentCell() = default;
  // h (and c for LSTM) default to zeros. Returns the new state.
  CellState forward(const Tensor& input, const CellState& state = {});
  CellState operator()(const Tensor& input, const CellState& state = {}) { return forward(input, state); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x).h; }
  std::string extra_repr() const override;

  // Fixed at construction (the weights' shapes follow from them).
  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }

  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RecurrentCell(const char* name, CellKind kind, int64_t input_size, int64_t hidden_size, bool bias);

 private:
  int64_t input_size_ = 0, hidden_size_ = 0;
  CellKind kind_ = CellKind::RnnTanh;
};

class RNNCell : public RecurrentCell {
 public:
  RNNCell() = default;
  // nonlinearity: "tanh" or "relu"
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true, const std::string& nonlinearity = "tanh");
};
class LSTMCell : public RecurrentCell {
 public:
  LSTMCell() = default;
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RecurrentCell("LSTMCell", CellKind::Lstm, input_size, hidden_size, bias) {}
};
class GRUCell : public RecurrentCell {
 public:
  GRUCell() = default;
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RecurrentCell("GRUCell", CellKind::Gru, input_size, hidden_size, bias) {}
};

}  // namespace spool::nn
