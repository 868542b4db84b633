// From the encoder's final states to the decoder's initial ones. A
// bidirectional encoder ends with two states per layer ([num_layers * 2, B,
// H]); the decoder runs one direction ([num_layers, B, H]):
//   "linear": h0[l] = h_proj([h_fwd[l]; h_bwd[l]]) (and c_proj for an LSTM's cells)
//   "sum":    h0[l] = h_fwd[l] + h_bwd[l]
// A unidirectional encoder's states pass unchanged.
#pragma once

#include "../basic/linear.hpp"
#include "../recurrent/recurrent_cell.hpp"
#include "seq2seq_options.hpp"

namespace spool::nn {

class Bridge : public Module {
 public:
  Bridge() = default;
  explicit Bridge(const Seq2SeqOptions& options);
  // h_n (and c_n, undefined for a GRU) [num_layers * D, B, H] -> one state per decoder layer.
  std::vector<CellState> forward(const Tensor& h_n, const Tensor& c_n);
  std::vector<CellState> operator()(const Tensor& h_n, const Tensor& c_n) { return forward(h_n, c_n); }
  std::string extra_repr() const override { return "mode=" + options_.bridge(); }

  Linear h_proj, c_proj;  // "linear" with a bidirectional encoder; c_proj for LSTM

 private:
  Seq2SeqOptions options_{1, 1};
};

}  // namespace spool::nn
