// Fused pointwise expressions: several elementwise ops run as one recorded op.
// The expression is written once with symbolic values; forward evaluates it in
// one pass over the data, and backward is derived from the expression itself
// (reverse mode over its instructions, recomputing the forward values from
// the saved inputs), so nobody writes a backward by hand. Recurrent cells use
// it to turn a step's dozen gate ops into one or two.
//
//   static const spool::Pointwise swish("swish", 1, [](const std::vector<spool::Expr>& in) {
//     return in[0] * spool::sigmoid(in[0]);
//   });
//   Tensor y = swish({x});
//
// A body may return several results, computed in one pass and recorded as one
// op: the call returns them stacked along a new first dim, and select(y, 0, k)
// reads result k (a select records no node of its own):
//
//   static const spool::Pointwise lstm("lstm_cell", 2, [](const std::vector<spool::Expr>& in) {
//     const spool::Expr c = ...;                       // uses in[0].chunk(j, 4), in[1]
//     return std::vector<spool::Expr>{o * spool::tanh(c), c};
//   });
//   Tensor hc = lstm({gates, c_prev});               // [2, B, H]: h', c'
//   Tensor hc2 = lstm({c_prev}, {.linear = spool::LinearInput(h, w_hh, x_proj)});  // gates = linear(h, w_hh, x_proj)
//
// Inputs broadcast against each other like any elementwise op. `in[k].chunk(j, n)`
// reads the j-th of n equal pieces of input k along its last dim (as
// chunk(n, -1)[j] would, without recording the slices); a chunked input is
// not broadcast, and its gradient lands only in the pieces the expression reads.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../framework/core/tensor.hpp"

namespace spool {

class PackedWeight;

namespace detail {
struct PointwiseProgram;
}

// A symbolic value of a pointwise expression: an input, a constant, or an
// elementwise function of other values.
class Expr {
 public:
  Expr(detail::PointwiseProgram* program, int id) : program_(program), id_(id) {}
  // The j-th of n equal pieces of this input along its last dim.
  Expr chunk(int64_t j, int64_t n) const;

  detail::PointwiseProgram* program() const { return program_; }
  int id() const { return id_; }

 private:
  detail::PointwiseProgram* program_;
  int id_;  // instruction index; -(k + 1) for input k not yet read
};

Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator*(const Expr& a, const Expr& b);
Expr operator/(const Expr& a, const Expr& b);
Expr operator+(const Expr& a, double b);
Expr operator-(const Expr& a, double b);
Expr operator*(const Expr& a, double b);
Expr operator/(const Expr& a, double b);
Expr operator+(double a, const Expr& b);
Expr operator-(double a, const Expr& b);
Expr operator*(double a, const Expr& b);
Expr operator/(double a, const Expr& b);
Expr operator-(const Expr& a);
Expr sigmoid(const Expr& a);
Expr tanh(const Expr& a);
Expr relu(const Expr& a);
Expr exp(const Expr& a);
Expr log(const Expr& a);

// Input 0 of an expression computed inside the call as
// linear(x, weight, bias): the product needs no node of its own, so a
// recurrent step's gates and cell are one recorded op, with the values and
// gradients of the two ops. x is [..., in]; a bias is [out], or [rows, out]
// with a 2-D x, or undefined. It refers to its arguments: build it in the
// call, as `f({c}, {.linear = LinearInput(h, w, b)})`.
struct LinearInput {
  LinearInput(const Tensor& x, const Tensor& weight, const Tensor& bias)
      : x(x), weight(weight), bias(bias) {}
  LinearInput(const Tensor& x, const PackedWeight& weight, const Tensor& bias);  // weight packed once for many calls
  const Tensor& x;
  const Tensor& weight;
  const Tensor& bias;
  const PackedWeight* packed = nullptr;
};

struct PointwiseOptions {
  std::optional<LinearInput> linear;  // when set, input 0 is this product and `inputs` are the rest
};

// A compiled pointwise expression of `arity` inputs; build it once (e.g. as a
// function-local static) and call it like an op.
class Pointwise {
 public:
  using Body = std::function<Expr(const std::vector<Expr>& inputs)>;
  using MultiBody = std::function<std::vector<Expr>(const std::vector<Expr>& inputs)>;
  Pointwise(std::string name, int arity, const Body& body);
  Pointwise(std::string name, int arity, const MultiBody& body);  // several results

  // The expression over these tensors (all of one floating dtype), recorded
  // as one op named after the expression; several results come stacked
  // along a new first dim.
  Tensor operator()(std::span<const Tensor> inputs, const PointwiseOptions& options = {}) const;
  Tensor operator()(std::initializer_list<Tensor> inputs, const PointwiseOptions& options = {}) const {
    return (*this)(std::span<const Tensor>(inputs.begin(), inputs.size()), options);
  }

  const char* name() const;
  int arity() const;
  int results() const;  // how many values the body returns

 private:
  std::shared_ptr<const detail::PointwiseProgram> program_;
};

}  // namespace spool
