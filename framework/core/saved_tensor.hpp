// A tensor that a backward closure keeps, with the version of its data when
// it was saved. A backward that reads it after an in-place change of that
// data (copy_, fill_, add_, an optimizer step; on the tensor or any view of
// it) would compute with the new values and give a wrong gradient without a
// word; get() refuses instead, as PyTorch does.
//
// A closure captures it in place of the tensor and uses it as one (each use
// checks the version):
//   return record("mul", y, {&a, &b}, [a = SavedTensor("mul", a), b = SavedTensor("mul", b)](const Tensor& gy) -> Grads {
//     return {gy * b, gy * a};
//   });
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "error.hpp"
#include "small_object_pool.hpp"
#include "tensor.hpp"

namespace spool {

namespace detail {
[[noreturn]] inline void saved_tensor_changed(const char* op, const Tensor& t, uint32_t saved) {
  fail(op,
       "a tensor of shape {} ({}) saved for backward was changed in place after the forward (version {} -> {}); "
       "clone() it before changing it, or change it after backward",
       t.sizes(), dtype_name(t.dtype()), saved, t.impl().storage->version());
}
}  // namespace detail

class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const char* op, Tensor t)
      : tensor_(std::move(t)),
        op_(op),
        storage_(tensor_.defined() ? tensor_.impl().storage.get() : nullptr),
        version_(storage_ ? storage_->version() : 0) {}

  // The saved tensor; an error if its data changed in place since.
  const Tensor& get() const {
    // The data changed in place, or was replaced (set_data, Module::to).
    if (tensor_.defined() && (tensor_.impl().storage.get() != storage_ || storage_->version() != version_)) [[unlikely]]
      detail::saved_tensor_changed(op_, tensor_, version_);
    return tensor_;
  }
  operator const Tensor&() const { return get(); }  // NOLINT: used as the tensor it saved
  const Tensor* operator->() const { return &get(); }
  bool defined() const { return tensor_.defined(); }

 private:
  Tensor tensor_;
  const char* op_ = "";
  const Storage* storage_ = nullptr;
  uint32_t version_ = 0;
};

// The versions of a list of tensors that a closure keeps whole (and passes
// on as a list, as Pointwise does): check() before reading them. A few are
// kept inline: a recurrent cell records one such list per step.
class SavedVersions {
 public:
  SavedVersions() = default;
  SavedVersions(const char* op, std::span<const Tensor> tensors) : op_(op), count_(tensors.size()) {
    if (count_ > kInline) more_.resize(count_);
    uint32_t* v = data();
    for (size_t i = 0; i < count_; ++i) v[i] = tensors[i].defined() ? tensors[i].impl().storage->version() : 0;
  }
  void check(std::span<const Tensor> tensors) const {
    const uint32_t* v = data();
    for (size_t i = 0; i < tensors.size() && i < count_; ++i)
      if (tensors[i].defined() && tensors[i].impl().storage->version() != v[i]) [[unlikely]]
        detail::saved_tensor_changed(op_, tensors[i], v[i]);
  }

 private:
  static constexpr size_t kInline = 4;
  uint32_t* data() { return count_ > kInline ? more_.data() : inline_; }
  const uint32_t* data() const { return count_ > kInline ? more_.data() : inline_; }
  const char* op_ = "";
  size_t count_ = 0;
  uint32_t inline_[kInline] = {};
  std::vector<uint32_t, detail::PooledAllocator<uint32_t>> more_;
};

}  // namespace spool
