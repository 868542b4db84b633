#include "tensor.hpp"

#include <cmath>

#include "autograd.hpp"
#include "small_object_pool.hpp"
#include "kernels.hpp"

namespace spool {

Tensor Tensor::empty(const Shape& sizes, ScalarType dtype) {
  // Sizes whose product (in bytes) overflows would give a tensor larger than
  // its buffer. Overflow-checked multiplies: this runs for every op's result.
  int64_t bytes = int64_t(element_size(dtype));
  for (int64_t s : sizes) {
    SPOOL_CHECK(s >= 0, "empty", "negative size in shape {}", sizes);
    SPOOL_CHECK(!__builtin_mul_overflow(bytes, s, &bytes), "empty", "shape {} has too many elements", sizes);
  }
  auto impl = detail::make_pooled<TensorImpl>();
  impl->storage = detail::make_pooled<Storage>(bytes);
  impl->sizes = sizes;
  impl->strides = contiguous_strides(sizes);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

bool Tensor::is_contiguous() const {
  const TensorImpl& t = impl();
  int64_t expected = 1;
  for (int i = t.sizes.size() - 1; i >= 0; --i) {
    if (t.sizes[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.sizes[i];
  }
  return true;
}

template <typename T>
T Tensor::item() const {
  SPOOL_CHECK(numel() == 1, "item", "a tensor with {} elements (shape {}) cannot be converted to a scalar", numel(),
              sizes());
  return SPOOL_DISPATCH_ALL(dtype(), "item", [&] { return convert_exact<T>(*data_ptr<scalar_t>(), "item"); });
}

template <typename T>
T Tensor::at(std::initializer_list<int64_t> index) const {
  SPOOL_CHECK(static_cast<int>(index.size()) == dim(), "at", "index has {} entries for a tensor of shape {}",
              index.size(), sizes());
  int64_t offset = 0;
  int d = 0;
  for (int64_t i : index) {
    int64_t n = sizes()[d];
    SPOOL_CHECK(i >= -n && i < n, "at", "index {} out of range for dim {} of size {}", i, d, n);
    offset += (i < 0 ? i + n : i) * strides()[d];
    ++d;
  }
  return SPOOL_DISPATCH_ALL(dtype(), "at", [&] { return convert_exact<T>(data_ptr<scalar_t>()[offset], "at"); });
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(numel());
  SPOOL_DISPATCH_ALL(dtype(), "to_vector", [&] {
    const scalar_t* x = data_ptr<scalar_t>();
    int64_t j = 0;
    kernels::for_each_offset<1>(sizes(), {strides()}, [&](int64_t i) { out[j++] = convert_exact<T>(x[i], "to_vector"); });
  });
  return out;
}

#define SPOOL_INSTANTIATE(T)                                             \
  template T Tensor::item<T>() const;                                   \
  template T Tensor::at<T>(std::initializer_list<int64_t>) const;       \
  template std::vector<T> Tensor::to_vector<T>() const;
SPOOL_INSTANTIATE(float)
SPOOL_INSTANTIATE(double)
SPOOL_INSTANTIATE(int64_t)
SPOOL_INSTANTIATE(int)
SPOOL_INSTANTIATE(bool)
#undef SPOOL_INSTANTIATE

Tensor& Tensor::requires_grad_(bool on) {
  SPOOL_CHECK(!on || is_floating_point(), "requires_grad_", "only floating tensors can require grad, got {}",
              dtype_name(dtype()));
  SPOOL_CHECK(is_leaf(), "requires_grad_",
              "can only change requires_grad of leaf tensors; use detach() to make a leaf");
  auto& meta = impl().autograd;
  if (!meta) {
    if (!on) return *this;
    meta = detail::make_pooled<AutogradMeta>();
    meta->sizes = sizes();
    meta->dtype = dtype();
  }
  meta->requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const {
  auto* m = autograd_meta();
  return m && m->grad ? Tensor(m->grad) : Tensor();
}

void Tensor::set_grad(const Tensor& g) {
  auto* m = autograd_meta();
  SPOOL_CHECK(m, "set_grad", "tensor does not require grad");
  if (g.defined())
    SPOOL_CHECK(g.sizes() == sizes() && g.dtype() == dtype(), "set_grad",
                "gradient of shape {} and dtype {} for a tensor of shape {} and dtype {}", g.sizes(),
                dtype_name(g.dtype()), sizes(), dtype_name(dtype()));
  // Gradients are kept dense: optimizers and clipping walk them element by
  // element, and an expanded or sliced view would have them read past its data.
  m->grad = g.defined() && !g.is_contiguous() ? kernels::contiguous_copy(g.detach()).impl_ptr() : g.impl_ptr();
}

void Tensor::set_data(const Tensor& data) {
  SPOOL_CHECK(data.defined(), "set_data", "the new data is an undefined tensor (shape {})", sizes());
  SPOOL_CHECK(is_leaf(), "set_data", "only a leaf's data can be replaced; this tensor (shape {}) comes from {}",
              sizes(), grad_fn_name());
  TensorImpl& me = impl();
  const TensorImpl& src = data.impl();
  me.storage = src.storage;
  me.sizes = src.sizes;
  me.strides = src.strides;
  me.offset = src.offset;
  me.dtype = src.dtype;
  if (AutogradMeta* m = me.autograd.get()) {
    SPOOL_CHECK(!m->requires_grad || is_floating(src.dtype), "set_data",
                "a tensor that requires grad needs floating data, got {}", dtype_name(src.dtype));
    m->sizes = src.sizes;
    m->dtype = src.dtype;
    m->grad.reset();  // a gradient of the old data's dtype or shape
  }
}

void Tensor::retain_grad() {
  SPOOL_CHECK(requires_grad(), "retain_grad", "called on a tensor that does not require grad");
  impl().autograd->retains_grad = true;
}

std::string Tensor::grad_fn_name() const {
  auto* m = autograd_meta();
  if (!m) return "";
  return m->grad_fn ? m->grad_fn->name : m->view_name;
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  spool::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{},
                  retain_graph);
}

void Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) {
  SPOOL_CHECK(requires_grad(), "register_hook", "cannot register a hook on a tensor that does not require grad");
  impl().autograd->hooks.push_back(std::move(hook));
}

Tensor Tensor::detach() const {
  auto t = detail::make_pooled<TensorImpl>(impl());
  t->autograd.reset();
  return Tensor(std::move(t));
}

Tensor Tensor::clone() const {
  Tensor out = kernels::contiguous_copy(*this);
  return record("clone", out, {this}, [](const Tensor& gy) -> Grads { return {gy}; });
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = kernels::contiguous_copy(*this);
  return record("contiguous", out, {this}, [](const Tensor& gy) -> Grads { return {gy}; });
}

Tensor Tensor::to(ScalarType target) const {
  if (target == dtype()) return *this;
  Tensor out = kernels::cast(*this, target);
  if (!is_floating(target)) return out;
  const ScalarType source = dtype();
  return record("to", out, {this}, [source](const Tensor& gy) -> Grads { return {kernels::cast(gy, source)}; });
}

namespace detail {
void check_inplace(const Tensor& t, const char* op) {
  SPOOL_CHECK(!(GradMode::is_enabled() && t.requires_grad()), op,
              "in-place change of a tensor that requires grad (shape {}); wrap it in NoGradGuard or use detach()",
              t.sizes());
}
}  // namespace detail

Tensor& Tensor::copy_(const Tensor& src) {
  detail::check_inplace(*this, "copy_");
  kernels::copy_into(*this, src.dtype() == dtype() ? src : kernels::cast(src, dtype()));
  impl().storage->bump_version();
  return *this;
}

Tensor& Tensor::fill_(double value) {
  detail::check_inplace(*this, "fill_");
  kernels::fill(*this, value);
  impl().storage->bump_version();
  return *this;
}

// ---- creation ----
Tensor empty(const Shape& sizes, ScalarType dtype) { return Tensor::empty(sizes, dtype); }
Tensor full(const Shape& sizes, double value, ScalarType dtype) {
  Tensor t = Tensor::empty(sizes, dtype);
  kernels::fill(t, value);
  return t;
}
Tensor zeros(const Shape& sizes, ScalarType dtype) { return full(sizes, 0.0, dtype); }
Tensor ones(const Shape& sizes, ScalarType dtype) { return full(sizes, 1.0, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.sizes(), value, t.dtype()); }
Tensor empty_like(const Tensor& t) { return Tensor::empty(t.sizes(), t.dtype()); }
Tensor scalar_tensor(double value, ScalarType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double end, double step, ScalarType dtype) {
  SPOOL_CHECK(step != 0, "arange", "step must be nonzero");
  SPOOL_CHECK((end - start) / step >= 0, "arange", "range [{}, {}) cannot be walked with step {}", start, end, step);
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = Tensor::empty({n}, dtype);
  SPOOL_DISPATCH_ALL(dtype, "arange", [&] {
    scalar_t* d = t.data_ptr<scalar_t>();
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<scalar_t>(start + i * step);
  });
  return t;
}
Tensor arange(int64_t end, ScalarType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

Tensor linspace(double start, double end, int64_t steps, ScalarType dtype) {
  SPOOL_CHECK(steps >= 0, "linspace", "steps must be >= 0, got {}", steps);
  Tensor t = Tensor::empty({steps}, dtype);
  const double step = steps > 1 ? (end - start) / double(steps - 1) : 0.0;
  SPOOL_DISPATCH_ALL(dtype, "linspace", [&] {
    scalar_t* d = t.data_ptr<scalar_t>();
    // From both ends, as PyTorch: the last value is `end` exactly.
    for (int64_t i = 0; i < steps; ++i)
      d[i] = convert_exact<scalar_t>(
          steps == 1 ? start : i < steps / 2 ? start + double(i) * step : end - double(steps - 1 - i) * step,
          "linspace");
  });
  return t;
}

namespace {
template <typename V>
Tensor from_values(const V& values, const Shape& sizes, ScalarType dtype) {
  Shape shape = sizes.empty() ? Shape{static_cast<int64_t>(values.size())} : sizes;
  SPOOL_CHECK(shape.numel() == static_cast<int64_t>(values.size()), "tensor",
              "{} values do not fill shape {} ({} elements)", values.size(), shape, shape.numel());
  Tensor t = Tensor::empty(shape, dtype);
  SPOOL_DISPATCH_ALL(dtype, "tensor", [&] {
    scalar_t* d = t.data_ptr<scalar_t>();
    int64_t i = 0;
    for (auto v : values) d[i++] = static_cast<scalar_t>(v);
  });
  return t;
}
}  // namespace

Tensor tensor(const std::vector<double>& values, const Shape& sizes, ScalarType dtype) {
  return from_values(values, sizes, dtype);
}
Tensor tensor(std::initializer_list<double> values, const Shape& sizes, ScalarType dtype) {
  return from_values(values, sizes, dtype);
}
Tensor tensor(const std::vector<float>& values, const Shape& sizes) { return from_values(values, sizes, kFloat32); }
Tensor tensor(const std::vector<int64_t>& values, const Shape& sizes) { return from_values(values, sizes, kInt64); }
Tensor tensor(const std::vector<bool>& values, const Shape& sizes) { return from_values(values, sizes, kBool); }
Tensor tensor(std::initializer_list<double> values, ScalarType dtype) { return from_values(values, {}, dtype); }
Tensor tensor(const std::vector<int>& values, const Shape& sizes) { return from_values(values, sizes, kInt64); }

}  // namespace spool
