// One input's gradient as a backward closure returns it and the engine
// carries it: a value (maybe broadcast, maybe placed in a larger buffer) or a
// product left unevaluated. The kernels that land such gradients in a
// buffer live here too, so the scheduler (engine.cpp) only orders them.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "small_object_pool.hpp"
#include "tensor.hpp"

namespace spool {

namespace kernels {
class PackedMatrix;
}

// A gradient left as a product alpha * a @ b (2-D, or 3-D for a batch of
// products as bmm's; any strides). The engine runs it straight into the
// input's gradient buffer with BLAS beta = 1, so the T per-step gradients of
// a recurrent weight need neither T temporaries nor T additions.
struct DeferredProduct {
  Tensor a, b;
  double alpha = 1.0;
  // b packed once for many products (framework/packed_matrix.hpp), used
  // instead of b when set; such a product is never joined with others.
  std::shared_ptr<const kernels::PackedMatrix> packed_b;

  // Operands of rank 2, or of rank 3 with one batch, whose inner dims agree.
  bool valid() const;
  // [M, N] or [E, M, N]; only for a valid product.
  Shape result_sizes() const;
};

// One input's gradient. An undefined value means "no gradient" (zero).
// A value whose shape is a broadcast of the input's shape is reduced by the
// engine (sum over the broadcast dims). With `place`, the value (or
// product) is a region of the input's gradient, not all of it.
struct Grad {
  Grad() = default;
  Grad(Tensor v) : value(std::move(v)) {}  // NOLINT: implicit on purpose
  Grad(Tensor v, Placement p) : value(std::move(v)), place(std::move(p)) {}
  static Grad product(Tensor a, Tensor b, double alpha = 1.0,
                      std::shared_ptr<const kernels::PackedMatrix> packed_b = nullptr) {
    Grad g;
    g.deferred =
        detail::make_pooled<DeferredProduct>(DeferredProduct{std::move(a), std::move(b), alpha, std::move(packed_b)});
    return g;
  }
  bool defined() const { return value.defined() || deferred != nullptr; }
  Tensor value;
  std::optional<Placement> place;
  std::shared_ptr<DeferredProduct> deferred;
};
// One Grad per input; pooled, as one is made per recorded op in backward.
using Grads = std::vector<Grad, detail::PooledAllocator<Grad>>;

namespace kernels {

// The gradient g as a tensor of exactly `sizes`: a product evaluated, a
// broadcast value summed, a placed one laid into zeros. Consumes g.
Tensor to_dense(Grad&& g, const Shape& sizes, ScalarType dtype);

// out = d.alpha * d.a @ d.b + beta * out (out contiguous, of d's result shape).
void multiply_into(const Tensor& out, const DeferredProduct& d, double beta);
// out += d's product, laid in out by `place` (a product for a view).
void add_placed_product(const Tensor& out, const DeferredProduct& d, const Placement& place);

// Summing many thin products (a recurrent weight's T per-step gradients at
// batch 1) one GEMM each is T rank-1 updates; laid side by side over their
// inner dims they are one GEMM. A run starts at any product; `joins` says
// whether `next` can extend a run that starts at `first` and has `inner`
// inner dims so far.
bool joins(const DeferredProduct& first, const DeferredProduct& next, int64_t inner);
// out = beta * out + the sum of the run's products (as `joins` built it).
void multiply_run_into(const Tensor& out, std::span<const DeferredProduct* const> run, double beta);

}  // namespace kernels

}  // namespace spool
