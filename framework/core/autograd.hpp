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
#include <concepts>
#include <type_traits>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "grad.hpp"
#include "saved_tensor.hpp"
#include "small_function.hpp"
#include "small_object_pool.hpp"
#include "tensor.hpp"

namespace spool {

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

// Sets grad mode (this thread) for a scope and restores it after.
template <bool Enabled>
class GradModeGuard {
 public:
  GradModeGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(Enabled); }
  ~GradModeGuard() { GradMode::set_enabled(prev_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool prev_;
};
// Disables recording in this scope, as torch.no_grad().
using NoGradGuard = GradModeGuard<false>;
// Enables recording in this scope (e.g. inside a NoGradGuard), as torch.enable_grad().
using EnableGradGuard = GradModeGuard<true>;

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
// Gives `out` (in place) a node over `inputs`: what record() does once it
// knows the op must be recorded.
void attach_node(const char* name, Tensor& out, MetaList inputs, BackwardFn fn);
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
// closure) when no input requires grad or grad mode is off.
// `out` is taken by reference, so fn may capture it whatever the order in
// which the arguments are evaluated; a result nothing else holds (a
// temporary, or a local fn does not capture) gets its autograd record
// without a second tensor handle. A named `out` becomes the recorded tensor.
template <typename Out, typename F>
  requires std::same_as<std::remove_cvref_t<Out>, Tensor> && (!std::is_const_v<std::remove_reference_t<Out>>)
Tensor record(const char* name, Out&& out, std::initializer_list<const Tensor*> inputs, F&& fn) {
  if (any_requires_grad(inputs))
    detail::attach_node(name, out, detail::metas_of(inputs), BackwardFn(std::forward<F>(fn)));
  return std::forward<Out>(out);
}
template <typename Out, typename F>
  requires std::same_as<std::remove_cvref_t<Out>, Tensor> && (!std::is_const_v<std::remove_reference_t<Out>>)
Tensor record(const char* name, Out&& out, std::span<const Tensor> inputs, F&& fn) {
  if (any_requires_grad(inputs))
    detail::attach_node(name, out, detail::metas_of(inputs), BackwardFn(std::forward<F>(fn)));
  return std::forward<Out>(out);
}

// Runs backward from several roots at once (like torch.autograd.backward).
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads = {},
              bool retain_graph = false);

}  // namespace spool
