// Tensor: a strided view of a pooled buffer, plus the autograd state that
// links it into the tape when it requires grad.
//
//   auto x = spool::randn({2, 3}).requires_grad_();
//   auto y = spool::tanh(x).sum();   // ops live in ops/, see spool.hpp
//   y.backward();                    // x.grad() now holds 1 - tanh(x)^2
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dtype.hpp"
#include "error.hpp"
#include "scalar.hpp"
#include "shape.hpp"
#include "storage.hpp"

namespace spool {

class Tensor;
struct Node;
struct ValuesIndices;  // ops/ops.hpp

// Where a gradient lands in its input: value[i...] adds into
// input_grad[offset + sum(i_k * strides_k)] of a contiguous buffer of the
// input's shape. Lets slices, selects and chunks accumulate into one buffer
// instead of each building a full-size zero tensor (README "Design" 6).
// A placement is a strided view of that buffer: no index carries from one of
// the input's dims into the next, which is what lets placements compose.
struct Placement {
  int64_t offset = 0;
  Shape strides;
};

// Autograd state of one tensor; shared by the tensor and the tape nodes that
// consume it, so the tape never keeps a consumed tensor's data alive.
struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  std::shared_ptr<Node> grad_fn;  // null for leaves and views
  std::shared_ptr<struct TensorImpl> grad;
  std::vector<std::function<Tensor(const Tensor&)>> hooks;
  Shape sizes;
  ScalarType dtype = kFloat32;
  // A view (select, slice) records no node: its gradient is placed straight
  // into region view_place of view_base's gradient (framework/engine.cpp).
  std::shared_ptr<AutogradMeta> view_base;
  Placement view_place;
  const char* view_name = "";
  uint64_t view_seq = 0;  // creation order, as a node's seq
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape sizes, strides;
  int64_t offset = 0;  // in elements
  ScalarType dtype = kFloat32;
  std::shared_ptr<AutogradMeta> autograd;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Uninitialized contiguous tensor (contents are whatever the pool held).
  static Tensor empty(const Shape& sizes, ScalarType dtype = kFloat32);

  bool defined() const { return impl_ != nullptr; }
  const Shape& sizes() const { return impl().sizes; }
  const Shape& strides() const { return impl().strides; }
  int64_t size(int64_t dim) const {  // inline: called several times by every op
    const Shape& s = sizes();
    if (dim >= 0 && dim < static_cast<int64_t>(s.size())) return s[dim];
    SPOOL_CHECK(s.size() > 0, "size", "a 0-dim tensor has no dim {}", dim);
    return s[wrap_dim(dim, s.size(), "size")];
  }
  int dim() const { return impl().sizes.size(); }
  int64_t numel() const { return impl().sizes.numel(); }
  ScalarType dtype() const { return impl().dtype; }
  int64_t storage_offset() const { return impl().offset; }
  // Count of in-place changes of this tensor's data (shared with its views),
  // as torch's t._version: backward checks it for the tensors it saved.
  uint32_t version() const { return impl().storage->version(); }
  bool is_contiguous() const;
  bool is_floating_point() const { return is_floating(dtype()); }

  // Pointer to the first element (honours the view's offset).
  template <typename T>
  T* data_ptr() const {
    SPOOL_CHECK(dtype_of<T>::value == dtype(), "data_ptr", "tensor is {}, asked for {}", dtype_name(dtype()),
                dtype_name(dtype_of<T>::value));
    return static_cast<T*>(impl().storage->data()) + impl().offset;
  }
  void* raw_data() const {
    return static_cast<char*>(impl().storage->data()) + impl().offset * element_size(dtype());
  }

  // The single value of a one-element tensor, converted to T.
  template <typename T>
  T item() const;
  // Element at a full index (for tests and inspection, not for hot loops).
  template <typename T>
  T at(std::initializer_list<int64_t> index) const;
  // All elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- autograd ----
  bool requires_grad() const { return impl_ && impl_->autograd && impl_->autograd->requires_grad; }
  // Marks a leaf as requiring grad; returns *this for chaining.
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const { return !impl_->autograd || (!impl_->autograd->grad_fn && !impl_->autograd->view_base); }
  // Accumulated gradient (undefined until a backward reaches this tensor).
  Tensor grad() const;
  void set_grad(const Tensor& g);
  // Makes this leaf use `data` (its storage, shape and dtype) while staying
  // the same tensor for every handle and keeping requires_grad, as
  // PyTorch's param.data = data; the gradient is dropped. Module::to uses it.
  void set_data(const Tensor& data);
  // Makes a non-leaf tensor keep its gradient in grad(), like PyTorch.
  void retain_grad();
  // Name of the op that produced this tensor, empty for leaves.
  std::string grad_fn_name() const;
  // Runs backward from this tensor. A non-scalar needs an explicit gradient.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  // hook(grad) runs when this tensor's gradient is computed; a defined return
  // value replaces the gradient.
  void register_hook(std::function<Tensor(const Tensor&)> hook);
  // Same data, cut from the tape.
  Tensor detach() const;

  // ---- data movement (no autograd except where noted) ----
  Tensor contiguous() const;                 // recorded: a copy when not contiguous
  Tensor clone() const;                      // recorded
  Tensor to(ScalarType dtype) const;         // recorded between floating types
  Tensor& copy_(const Tensor& src);          // in place, broadcasting src
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }

  // ---- method forms of common ops (defined in ops/) ----
  Tensor reshape(const Shape& sizes) const;
  Tensor view(const Shape& sizes) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const { return transpose(0, 1); }
  Tensor permute(const Shape& dims) const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor expand(const Shape& sizes) const;
  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor pow(Scalar exponent) const;
  Tensor abs() const;
  Tensor sqrt() const;
  Tensor neg() const;
  Tensor operator-() const { return neg(); }
  Tensor operator[](int64_t index) const { return select(0, index); }
  template <typename... Dims>
  Tensor view(int64_t d0, Dims... ds) const { return view(Shape{d0, static_cast<int64_t>(ds)...}); }  // x.view(-1)
  template <typename... Dims>
  Tensor reshape(int64_t d0, Dims... ds) const { return reshape(Shape{d0, static_cast<int64_t>(ds)...}); }
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor squeeze() const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(const Shape& repeats) const;
  Tensor repeat_interleave(int64_t repeats, std::optional<int64_t> dim = std::nullopt) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor tril(int64_t k = 0) const;
  Tensor triu(int64_t k = 0) const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  ValuesIndices max(int64_t dim, bool keepdim = false) const;
  ValuesIndices min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor logsumexp(int64_t dim, bool keepdim = false) const;
  Tensor cumsum(int64_t dim) const;
  Tensor cumprod(int64_t dim) const;
  Tensor norm(double p = 2.0, std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor any() const;
  Tensor all() const;
  ValuesIndices sort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  ValuesIndices topk(int64_t k, int64_t dim = -1, bool largest = true) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor masked_fill(const Tensor& mask, double value) const;
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor square() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor sign() const;
  Tensor reciprocal() const;
  Tensor rsqrt() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor logical_not() const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;

  // ---- in place (torch's add_ ...): the data changes, its version goes up.
  // An error on a tensor that requires grad in grad mode, and with an
  // operand that requires grad (the change would not be recorded).
  Tensor& add_(const Tensor& other);
  Tensor& add_(Scalar other);
  Tensor& sub_(const Tensor& other);
  Tensor& sub_(Scalar other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(Scalar other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(Scalar other);
  Tensor& clamp_(std::optional<double> min, std::optional<double> max);
  Tensor& operator+=(const Tensor& other) { return add_(other); }
  Tensor& operator+=(Scalar other) { return add_(other); }
  Tensor& operator-=(const Tensor& other) { return sub_(other); }
  Tensor& operator-=(Scalar other) { return sub_(other); }
  Tensor& operator*=(const Tensor& other) { return mul_(other); }
  Tensor& operator*=(Scalar other) { return mul_(other); }
  Tensor& operator/=(const Tensor& other) { return div_(other); }
  Tensor& operator/=(Scalar other) { return div_(other); }

  // Same tensor object (identity, not value equality).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  TensorImpl& impl() const {
    SPOOL_CHECK(impl_ != nullptr, "tensor", "use of an undefined tensor");
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  AutogradMeta* autograd_meta() const { return impl_ ? impl_->autograd.get() : nullptr; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// ---- creation ----
Tensor empty(const Shape& sizes, ScalarType dtype = kFloat32);
Tensor zeros(const Shape& sizes, ScalarType dtype = kFloat32);
Tensor ones(const Shape& sizes, ScalarType dtype = kFloat32);
Tensor full(const Shape& sizes, double value, ScalarType dtype = kFloat32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);
// [start, end) in steps of `step`; int64 unless a dtype is given.
Tensor arange(double start, double end, double step = 1.0, ScalarType dtype = kInt64);
Tensor arange(int64_t end, ScalarType dtype = kInt64);
// `steps` values evenly spaced from start to end inclusive, as torch.linspace.
Tensor linspace(double start, double end, int64_t steps, ScalarType dtype = kFloat32);
// A scalar (0-dim) tensor.
Tensor scalar_tensor(double value, ScalarType dtype = kFloat32);
// Copies values into a new tensor of the given shape (1-D when shape is empty).
Tensor tensor(const std::vector<double>& values, const Shape& sizes = {}, ScalarType dtype = kFloat32);
Tensor tensor(std::initializer_list<double> values, const Shape& sizes = {}, ScalarType dtype = kFloat32);
Tensor tensor(const std::vector<float>& values, const Shape& sizes = {});
Tensor tensor(const std::vector<int64_t>& values, const Shape& sizes = {});
Tensor tensor(const std::vector<bool>& values, const Shape& sizes = {});

namespace detail {
// An in-place change of a tensor that requires grad, in grad mode, is an
// error naming `op` (copy_, fill_, add_, ...).
void check_inplace(const Tensor& t, const char* op);
}  // namespace detail
// tensor({1, 2, 3}, kInt64): a 1-D tensor of the given dtype.
Tensor tensor(std::initializer_list<double> values, ScalarType dtype);
Tensor tensor(const std::vector<int>& values, const Shape& sizes = {});  // int64

}  // namespace spool
