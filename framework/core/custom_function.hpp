// Custom ops from user code, the role of torch::autograd::Function:
//
//   struct Cube : spool::Function<Cube> {
//     static constexpr const char* name = "cube";
//     static Tensor forward(AutogradContext& ctx, const Tensor& x) {
//       ctx.save_for_backward({x});
//       return x * x * x;                       // computed without recording
//     }
//     static Grads backward(AutogradContext& ctx, const Tensor& gy) {
//       Tensor x = ctx.saved(0);
//       return {gy * 3 * x * x};                // one entry per tensor argument
//     }
//   };
//   Tensor y = Cube::apply(x);
#pragma once

#include <any>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd.hpp"

namespace spool {

class AutogradContext {
 public:
  explicit AutogradContext(const char* op = "custom_function") : op_(op) {}
  // Saved with the version of their data: reading one in backward after an
  // in-place change of it is an error (SavedTensor).
  void save_for_backward(const std::vector<Tensor>& tensors) {
    saved_.clear();
    for (const Tensor& t : tensors) saved_.emplace_back(op_, t);
  }
  const Tensor& saved(size_t i) const {
    SPOOL_CHECK(i < saved_.size(), "AutogradContext::saved", "index {} but {} tensors were saved", i, saved_.size());
    return saved_[i].get();
  }
  std::vector<Tensor> saved_tensors() const {
    std::vector<Tensor> out;
    for (const SavedTensor& s : saved_) out.push_back(s.get());
    return out;
  }
  // Non-tensor values the backward needs (sizes, flags, scalars).
  std::map<std::string, std::any> saved_data;

 private:
  const char* op_;
  std::vector<SavedTensor> saved_;
};

namespace detail {
template <typename T>
void collect_tensor(std::vector<Tensor>& out, const T& arg) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) out.push_back(arg);
}
template <typename D, typename = void>
struct function_name {
  static constexpr const char* value = "custom_function";
};
template <typename D>
struct function_name<D, std::void_t<decltype(D::name)>> {
  static constexpr const char* value = D::name;
};
}  // namespace detail

template <typename Derived>
struct Function {
  // Runs Derived::forward without recording, then records one node whose
  // backward is Derived::backward; it returns one Grad per Tensor argument.
  template <typename... Args>
  static Tensor apply(Args&&... args) {
    auto ctx = std::make_shared<AutogradContext>(detail::function_name<Derived>::value);
    Tensor out;
    {
      NoGradGuard no_grad;
      out = Derived::forward(*ctx, args...);
    }
    std::vector<Tensor> tensors;
    (detail::collect_tensor(tensors, args), ...);
    out = out.detach();
    return record(detail::function_name<Derived>::value, out, tensors,
                  [ctx](const Tensor& gy) -> Grads { return Derived::backward(*ctx, gy); });
  }
};

}  // namespace spool
