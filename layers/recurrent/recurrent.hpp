// RNN, LSTM and GRU stacks: any number of layers, bidirectional, batch_first,
// optional initial states and variable-length batches. Parameter names,
// shapes, gate order and initialization are PyTorch's, so a PyTorch
// state_dict loads unchanged.
//
//   nn::LSTM lstm(nn::LSTMOptions(32, 64).num_layers(2).bidirectional(true).batch_first(true));
//   auto [output, h_n, c_n] = lstm(x);                  // x [B, T, 32]
//   auto r = lstm(x, {.lengths = lengths});             // padded batch + lengths
//
// Shapes (T steps, B batch, D = 2 if bidirectional else 1, H hidden):
//   input [T, B, I] ([B, T, I] with batch_first, or unbatched [T, I])
//   output [T, B, D*H]; h_n and c_n [num_layers * D, B, H]
// Keras names: return_sequences=True is `output`; return_state=True is h_n / c_n.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "../../framework/core/options.hpp"
#include "recurrent_cell.hpp"

namespace spool::nn {

struct PackedSequence;         // packed_sequence.hpp
struct PackedRecurrentOutput;  // packed_sequence.hpp

// What RNN, LSTM and GRU options share, read-only: any stack's options()
// gives this view. RecurrentOptions<Self> adds the chainable setters.
class RecurrentOptionsBase {
 public:
  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }
  int64_t num_layers() const { return num_layers_; }
  bool bias() const { return bias_; }
  bool batch_first() const { return batch_first_; }
  double dropout() const { return dropout_; }  // between layers, in training
  bool bidirectional() const { return bidirectional_; }

 protected:
  RecurrentOptionsBase(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  int64_t input_size_, hidden_size_, num_layers_ = 1;
  bool bias_ = true, batch_first_ = false, bidirectional_ = false;
  double dropout_ = 0.0;
};

// The shared setters; each returns Self, so a chain keeps its options type.
template <typename Self>
class RecurrentOptions : public RecurrentOptionsBase {
 public:
  using RecurrentOptionsBase::batch_first, RecurrentOptionsBase::bias, RecurrentOptionsBase::bidirectional,
      RecurrentOptionsBase::dropout, RecurrentOptionsBase::hidden_size, RecurrentOptionsBase::input_size,
      RecurrentOptionsBase::num_layers;
  Self& input_size(int64_t n) { return set(input_size_, n); }
  Self& hidden_size(int64_t n) { return set(hidden_size_, n); }
  Self& num_layers(int64_t n) { return set(num_layers_, n); }
  Self& bias(bool on) { return set(bias_, on); }
  Self& batch_first(bool on) { return set(batch_first_, on); }
  Self& dropout(double p) { return set(dropout_, p); }
  Self& bidirectional(bool on) { return set(bidirectional_, on); }

 protected:
  using RecurrentOptionsBase::RecurrentOptionsBase;

 private:
  template <typename T>
  Self& set(T& field, T value) {
    field = value;
    return static_cast<Self&>(*this);
  }
};

// As torch::nn::RNNOptions, LSTMOptions and GRUOptions: only RNN has a
// nonlinearity ("tanh" or "relu"), so LSTMOptions(...).nonlinearity(...)
// does not compile.
class RNNOptions : public RecurrentOptions<RNNOptions> {
 public:
  using Self = RNNOptions;
  RNNOptions(int64_t input_size, int64_t hidden_size) : RecurrentOptions(input_size, hidden_size) {}
  SPOOL_ARG(std::string, nonlinearity) = "tanh";
};
class LSTMOptions : public RecurrentOptions<LSTMOptions> {
 public:
  LSTMOptions(int64_t input_size, int64_t hidden_size) : RecurrentOptions(input_size, hidden_size) {}
};
class GRUOptions : public RecurrentOptions<GRUOptions> {
 public:
  GRUOptions(int64_t input_size, int64_t hidden_size) : RecurrentOptions(input_size, hidden_size) {}
};

// Optional inputs besides the sequence.
// Designated initializers follow this order (a C++ rule):
//   lstm(x, {.h0 = h, .c0 = c, .lengths = l});
struct RecurrentInput {
  // [num_layers * D, B, H]; zeros when absent; c0 only for LSTM, and an
  // LSTM takes both or neither.
  Tensor h0, c0;
  // int64 [B], each in [1, T]; sorted or not. Steps past a length are
  // padding, so padding must be at the END: keras::pad_sequences pads at the
  // front unless given "post"; keras::sequence_lengths(batch) gives the
  // lengths of a post-padded batch and refuses a front-padded one.
  Tensor lengths;
};

struct RecurrentOutput {
  Tensor output, h_n, c_n;  // c_n only for LSTM
};

class RecurrentStack : public Module {
 public:
  RecurrentStack() = default;
  RecurrentOutput forward(const Tensor& input, const RecurrentInput& extra = {});
  RecurrentOutput operator()(const Tensor& input, const RecurrentInput& extra = {}) { return forward(input, extra); }
  // A packed batch (as PyTorch's lstm(packed)): the output is packed the same
  // way; h_n / c_n are in the batch's original order. Defined in packed_sequence.cpp.
  PackedRecurrentOutput forward(const PackedSequence& input, const RecurrentInput& extra = {});
  PackedRecurrentOutput operator()(const PackedSequence& input, const RecurrentInput& extra = {});
  Tensor forward_tensor(const Tensor& x) override { return forward(x).output; }
  std::string extra_repr() const override;
  // A new stack of the same kind and options, with fresh weights.
  RecurrentStack fresh() const { return RecurrentStack(type_name().c_str(), kind_, options_); }
  // The options every kind has, fixed at construction (the weights follow
  // from them); RNN, LSTM and GRU return their own options type.
  const RecurrentOptionsBase& options() const;

 protected:
  using AnyOptions = std::variant<RNNOptions, LSTMOptions, GRUOptions>;
  RecurrentStack(const char* name, CellKind kind, AnyOptions options);
  template <typename O>
  const O& typed_options() const {
    check_defined("options");
    return std::get<O>(options_);
  }
  AnyOptions options_{LSTMOptions(0, 0)};

 private:
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  // One direction of one layer over the whole sequence; with `halves`, the
  // two halves of the batch run on two threads.
  void run_direction(const Tensor& x, const Weights& w, bool reverse, const std::vector<Tensor>& masks, bool halves,
                     CellState& state, Tensor& output) const;
  // Both directions of one layer as one batch of two (states and outputs
  // indexed by direction, as run_direction's).
  void run_directions_batched(const Tensor& x, const Weights& forward, const Weights& reverse,
                              const std::vector<Tensor>& masks, std::vector<CellState>& states,
                              std::vector<Tensor>& outputs) const;
  // The steps of a recurrence from its input projection x_proj [T, ...]:
  // step s reads time t = s (T - 1 - s when reverse) and writes outs[t].
  std::vector<Tensor> run_steps(const Tensor& x_proj, bool reverse, const std::vector<Tensor>& masks,
                                const Tensor& w_hh, const Tensor& b_hh, const PackedWeight& packed,
                                CellState& state) const;
  // Gate elements per step and recurrence ([B, G*H]) from which two
  // recurrences (the directions of a bidirectional layer, or the halves of a
  // batch) run on two threads (measured: below it, the tiny ops' cross-core
  // frees cost more than the second core gives, and two directions run as
  // one batch of two instead). The split depends on shapes only, for
  // results that do not depend on the thread count; on one thread, halves
  // cost a medium LSTM (B = 32, H = 256) ~5% (47 vs 45 ms), on two they
  // save ~12% (26 vs 29.6 ms).
  static constexpr int64_t kConcurrentGateElements = 8192;
  CellKind kind_ = CellKind::RnnTanh;
  std::vector<Weights> weights_;  // [layer * D + direction]
};

class RNN : public RecurrentStack {
 public:
  RNN() = default;
  explicit RNN(const RNNOptions& options);
  RNN(int64_t input_size, int64_t hidden_size) : RNN(RNNOptions(input_size, hidden_size)) {}
  const RNNOptions& options() const { return typed_options<RNNOptions>(); }
};
class LSTM : public RecurrentStack {
 public:
  LSTM() = default;
  explicit LSTM(const LSTMOptions& options);
  LSTM(int64_t input_size, int64_t hidden_size) : LSTM(LSTMOptions(input_size, hidden_size)) {}
  const LSTMOptions& options() const { return typed_options<LSTMOptions>(); }
};
class GRU : public RecurrentStack {
 public:
  GRU() = default;
  explicit GRU(const GRUOptions& options);
  GRU(int64_t input_size, int64_t hidden_size) : GRU(GRUOptions(input_size, hidden_size)) {}
  const GRUOptions& options() const { return typed_options<GRUOptions>(); }
};

}  // namespace spool::nn
