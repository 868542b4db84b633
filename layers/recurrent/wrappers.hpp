// Keras conveniences around the recurrent layers.
//
//   nn::Bidirectional bi(nn::LSTM(nn::LSTMOptions(8, 16).batch_first(true)), "sum");
//   auto r = bi(x, {.lengths = lengths});      // r.output [B, T, 16]
//   nn::TimeDistributed td(nn::Linear(16, 4)); // applies per time step
//   nn::RepeatVector rep(10);                  // [B, F] -> [B, 10, F]
//
// Keras' return_sequences=True is RecurrentOutput::output, return_state=True
// is h_n (and c_n); both are always returned.
#pragma once

#include <string>

#include "recurrent.hpp"

namespace spool::nn {

// Runs a unidirectional recurrent layer forwards and a fresh copy of it over
// each sequence reversed within its own length, then merges the two outputs:
// "concat" (default), "sum", "mul" or "ave". h_n / c_n stack both directions.
class Bidirectional : public Module {
 public:
  Bidirectional() = default;
  explicit Bidirectional(const RecurrentStack& layer, std::string merge_mode = "concat");
  RecurrentOutput forward(const Tensor& input, const RecurrentInput& extra = {});
  RecurrentOutput operator()(const Tensor& input, const RecurrentInput& extra = {}) { return forward(input, extra); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x).output; }
  std::string extra_repr() const override { return "merge_mode=" + merge_mode_; }
  // Fixed at construction, as the layers' options.
  const std::string& merge_mode() const { return merge_mode_; }

  RecurrentStack forward_layer, backward_layer;

 private:
  std::string merge_mode_;
};

// Applies a module to every time step of a batch-first sequence [B, T, ...].
class TimeDistributed : public Module {
 public:
  TimeDistributed() = default;
  template <typename M>
  explicit TimeDistributed(M layer) : Module("TimeDistributed"), inner_(&register_module("layer", std::move(layer))) {}
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }

 private:
  Module* inner_ = nullptr;
};

// [B, F] -> [B, n, F]: the input repeated n times (a view, no copy).
class RepeatVector : public Module {
 public:
  explicit RepeatVector(int64_t n);
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override { return "n=" + std::to_string(n_); }
  int64_t n() const { return n_; }  // fixed at construction

 private:
  int64_t n_;
};

}  // namespace spool::nn
