// The dynamic tape: ops record one Node per result, backward() runs the graph
// on TBB (see engine.cpp). How an op records itself:
//
// Example (given Tensor x):
//   Tensor y = x.detach().tanh();                  // eager forward (a kernel, in ops/)
//   Tensor out = record("tanh", y, {&x}, [y](const Tensor& gy) -> Grads {
//     return {gy * (1.0 - y * y)};                 // one gradient per input
//   });
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "small_function.hpp"
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
};

// One input's gradient. An undefined value means "no gradient" (zero).
// A value whose shape is a broadcast of the input's shape is reduced by the
// engine (sum over the broadcast dims).
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
  Placement place;
  std::shared_ptr<DeferredProduct> deferred;
};
// One Grad per input; pooled, as one is made per recorded op in backward.
using Grads = std::vector<Grad, detail::PooledAllocator<Grad>>;
// The autograd records of a node's inputs (null: input needs no grad).
using MetaList = std::vector<std::shared_ptr<AutogradMeta>, detail::PooledAllocator<std::shared_ptr<AutogradMeta>>>;
using BackwardFn = SmallFunction<Grads(const Tensor& grad_output)>;

struct Node {
  const char* name = "";
  uint64_t seq = 0;  // creation order: fixes the order of gradient sums
  MetaList inputs;  // null: input needs no grad
  BackwardFn backward;
  std::atomic<bool> released{false};
};

// Grad mode is per thread, like PyTorch's.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool on);
};

// Disables recording in this scope (this thread).
class NoGradGuard {
 public:
  NoGradGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

// Enables recording in this scope (e.g. inside a NoGradGuard), as
// torch.enable_grad().
class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(true); }
  ~EnableGradGuard() { GradMode::set_enabled(prev_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool prev_;
};

// True when an op over these inputs must be recorded.
inline bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->requires_grad()) return true;
  return false;
}
bool any_requires_grad(std::span<const Tensor> inputs);

uint64_t next_node_seq();

namespace detail {
// Node numbering for forward branches run concurrently (parallel_invoke).
struct SeqRange {
  uint64_t begin = 0, end = 0;
};
SeqRange reserve_seq_range();
class SeqRangeScope {
 public:
  explicit SeqRangeScope(SeqRange r);
  ~SeqRangeScope();
  SeqRangeScope(const SeqRangeScope&) = delete;
  SeqRangeScope& operator=(const SeqRangeScope&) = delete;

 private:
  SeqRange saved_;
};
Tensor attach_node(const char* name, Tensor& out, MetaList inputs,
                   BackwardFn fn);
// Makes `view` (a view of base's data) a tensor whose gradient is added into
// region `place` of base's gradient, with no node of its own: a recurrent
// layer's per-step selects then cost no backward step. `name` is what
// grad_fn_name() reports. Call only when base requires grad in grad mode.
void attach_view(const char* name, Tensor& view, const Tensor& base, Placement place);
MetaList metas_of(std::initializer_list<const Tensor*> inputs);
MetaList metas_of(std::span<const Tensor> inputs);
// The records of `first` then `rest`, as one list (no joined tensor list).
MetaList metas_of(std::initializer_list<const Tensor*> first, std::span<const Tensor> rest);
}  // namespace detail

// Records `out` as the result of op `name` over `inputs`; `fn` maps the
// gradient of `out` to one Grad per input. Does nothing (and never builds the
// std::function) when no input requires grad or grad mode is off.
// Pass `std::move(out)` when fn does not capture it: a result held only here
// gets its autograd record without a second tensor handle. Never move a
// result that fn captures: argument order is unspecified, so the capture
// could see the moved-from tensor.
template <typename F>
Tensor record(const char* name, Tensor out, std::initializer_list<const Tensor*> inputs, F&& fn) {
  if (!any_requires_grad(inputs)) return out;
  return detail::attach_node(name, out, detail::metas_of(inputs), BackwardFn(std::forward<F>(fn)));
}
template <typename F>
Tensor record(const char* name, Tensor out, std::span<const Tensor> inputs, F&& fn) {
  if (!any_requires_grad(inputs)) return out;
  return detail::attach_node(name, out, detail::metas_of(inputs), BackwardFn(std::forward<F>(fn)));
}

// Runs backward from several roots at once (like torch.autograd.backward).
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads = {},
              bool retain_graph = false);

}  // namespace spool
