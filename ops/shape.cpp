// Shape ops. Views share the input's buffer. A slice, select or chunk records
// no node (detail::attach_view): its gradient is placed into the input's
// gradient at its offset, so T per-step slices of one tensor accumulate into
// one buffer and cost no backward step of their own.
#include <numeric>

#include "../framework/core/kernels.hpp"
#include "ops.hpp"

namespace spool {

namespace {

Shape infer_size(const Shape& sizes, int64_t numel, const char* op, const Shape& from) {
  Shape out = sizes;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      SPOOL_CHECK(infer < 0, op, "only one dimension can be -1, got {}", sizes);
      infer = i;
    } else {
      SPOOL_CHECK(out[i] >= 0, op, "invalid size {} in shape {}", out[i], sizes);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    SPOOL_CHECK(known > 0 && numel % known == 0, op, "shape {} is invalid for input of shape {} ({} elements)", sizes,
                from, numel);
    out[infer] = numel / known;
  }
  SPOOL_CHECK(out.numel() == numel, op, "shape {} is invalid for input of shape {} ({} elements)", sizes, from, numel);
  return out;
}

// Computes strides for viewing `a` as `sizes` without copying, if possible
// (merging and splitting only dims that are contiguous with each other).
bool view_strides(const Tensor& a, const Shape& sizes, Shape& strides) {
  if (a.is_contiguous()) {
    strides = contiguous_strides(sizes);
    return true;
  }
  // General case: walk chunks of old dims that are mutually contiguous.
  const Shape& os = a.sizes();
  const Shape& ost = a.strides();
  strides = Shape::filled(sizes.size(), 0);
  int view_d = sizes.size() - 1;
  int64_t chunk_base_stride = ost.size() ? ost[ost.size() - 1] : 1;
  int64_t tensor_numel = 1, view_numel = 1;
  for (int tensor_d = os.size() - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= os[tensor_d];
    if (tensor_d == 0 || (os[tensor_d - 1] != 1 && ost[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || sizes[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (tensor_d > 0) {
        chunk_base_stride = ost[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

Tensor reshape_impl(const Tensor& a, const Shape& requested, bool must_view, const char* op) {
  const Shape sizes = infer_size(requested, a.numel(), op, a.sizes());
  Shape strides;
  Tensor y;
  if (view_strides(a, sizes, strides)) {
    y = kernels::strided_view(a, sizes, strides, a.storage_offset());
  } else {
    SPOOL_CHECK(!must_view, op,
                "view size {} is not compatible with the input's shape {} and strides {}; use reshape", sizes,
                a.sizes(), a.strides());
    y = kernels::contiguous_copy(a);
    y.impl().sizes = sizes;
    y.impl().strides = contiguous_strides(sizes);
  }
  const Shape in_sizes = a.sizes();
  return record(op, std::move(y), {&a}, [in_sizes](const Tensor& gy) -> Grads { return {reshape(gy, in_sizes)}; });
}

}  // namespace

Tensor reshape(const Tensor& a, const Shape& sizes) { return reshape_impl(a, sizes, false, "reshape"); }
Tensor view(const Tensor& a, const Shape& sizes) { return reshape_impl(a, sizes, true, "view"); }

Tensor flatten(const Tensor& a, int64_t start_dim, int64_t end_dim) {
  if (a.dim() == 0) return reshape(a, {1});
  const int s = wrap_dim(start_dim, a.dim(), "flatten"), e = wrap_dim(end_dim, a.dim(), "flatten");
  SPOOL_CHECK(s <= e, "flatten", "start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape sizes;
  for (int i = 0; i < s; ++i) sizes.push_back(a.size(i));
  int64_t p = 1;
  for (int i = s; i <= e; ++i) p *= a.size(i);
  sizes.push_back(p);
  for (int i = e + 1; i < a.dim(); ++i) sizes.push_back(a.size(i));
  return reshape(a, sizes);
}

Tensor permute(const Tensor& a, const Shape& dims) {
  SPOOL_CHECK(dims.size() == a.dim(), "permute", "dims {} do not match a tensor of shape {}", dims, a.sizes());
  Shape sizes = a.sizes(), strides = a.strides(), inverse = Shape::filled(a.dim(), 0);
  std::vector<bool> seen(a.dim(), false);
  for (int i = 0; i < a.dim(); ++i) {
    const int d = wrap_dim(dims[i], a.dim(), "permute");
    SPOOL_CHECK(!seen[d], "permute", "dim {} repeated in {}", d, dims);
    seen[d] = true;
    sizes[i] = a.size(d);
    strides[i] = a.strides()[d];
    inverse[d] = i;
  }
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset());
  return record("permute", std::move(y), {&a}, [inverse](const Tensor& gy) -> Grads { return {permute(gy, inverse)}; });
}

Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1) {
  const int d0 = wrap_dim(dim0, a.dim(), "transpose"), d1 = wrap_dim(dim1, a.dim(), "transpose");
  Shape dims = Shape::filled(a.dim(), 0);
  for (int i = 0; i < a.dim(); ++i) dims[i] = i;
  if (a.dim() > 0) std::swap(dims[d0], dims[d1]);
  Tensor y = kernels::strided_view(a, a.sizes(), a.strides(), a.storage_offset());
  if (a.dim() > 0) {
    std::swap(y.impl().sizes[d0], y.impl().sizes[d1]);
    std::swap(y.impl().strides[d0], y.impl().strides[d1]);
  }
  return record("transpose", std::move(y), {&a},
                [d0, d1](const Tensor& gy) -> Grads { return {transpose(gy, d0, d1)}; });
}

Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  const int d = wrap_dim(dim, a.dim(), "slice");
  SPOOL_CHECK(step > 0, "slice", "step must be positive, got {}", step);
  const int64_t n = a.size(d);
  auto clampi = [n](int64_t i) { return std::min(std::max(i < 0 ? i + n : i, int64_t(0)), n); };
  start = clampi(start);
  end = std::max(clampi(end), start);
  const int64_t len = end == start ? 0 : (end - start - 1) / step + 1;  // no overflow for huge steps
  Shape sizes = a.sizes(), strides = a.strides();
  sizes[d] = len;
  strides[d] *= step;
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset() + start * a.strides()[d]);
  Shape cs = contiguous_strides(a.sizes());
  const int64_t off = start * cs[d];
  cs[d] *= step;
  if (any_requires_grad({&a})) detail::attach_view("slice", y, a, {off, std::move(cs)});
  return y;
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  const int d = wrap_dim(dim, a.dim(), "narrow");
  const int64_t n = a.size(d);
  if (start < 0) start += n;
  SPOOL_CHECK(start >= 0 && length >= 0 && start <= n && length <= n - start, "narrow",
              "start {} and length {} out of range for dim {} of size {} (shape {})", start, length, d, n, a.sizes());
  return slice(a, d, start, start + length, 1);
}

Tensor select(const Tensor& a, int64_t dim, int64_t index) {
  const int d = wrap_dim(dim, a.dim(), "select");
  SPOOL_CHECK(a.dim() > 0, "select", "cannot select from a 0-dim tensor");
  const int64_t n = a.size(d);
  SPOOL_CHECK(index >= -n && index < n, "select", "index {} out of range for dim {} of size {} (shape {})", index, d,
              n, a.sizes());
  if (index < 0) index += n;
  Shape sizes = a.sizes(), strides = a.strides();
  sizes.erase(d);
  strides.erase(d);
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset() + index * a.strides()[d]);
  Shape cs = contiguous_strides(a.sizes());
  const int64_t off = index * cs[d];
  cs.erase(d);
  if (any_requires_grad({&a})) detail::attach_view("select", y, a, {off, std::move(cs)});
  return y;
}

Tensor squeeze(const Tensor& a) {
  Shape sizes, strides;
  for (int i = 0; i < a.dim(); ++i)
    if (a.size(i) != 1) {
      sizes.push_back(a.size(i));
      strides.push_back(a.strides()[i]);
    }
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset());
  const Shape in_sizes = a.sizes();
  return record("squeeze", std::move(y), {&a},
                [in_sizes](const Tensor& gy) -> Grads { return {reshape(gy, in_sizes)}; });
}

Tensor squeeze(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim(), "squeeze");
  if (a.dim() == 0 || a.size(d) != 1) return a;
  Shape sizes = a.sizes(), strides = a.strides();
  sizes.erase(d);
  strides.erase(d);
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset());
  return record("squeeze", std::move(y), {&a}, [d](const Tensor& gy) -> Grads { return {unsqueeze(gy, d)}; });
}

Tensor unsqueeze(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim() + 1, "unsqueeze");
  Shape sizes = a.sizes(), strides = a.strides();
  const int64_t st = d < a.dim() ? a.strides()[d] * a.size(d) : 1;
  sizes.insert(d, 1);
  strides.insert(d, st);
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset());
  return record("unsqueeze", std::move(y), {&a}, [d](const Tensor& gy) -> Grads { return {squeeze(gy, d)}; });
}

Tensor expand(const Tensor& a, const Shape& requested) {
  const int nd = requested.size(), lead = nd - a.dim();
  SPOOL_CHECK(lead >= 0, "expand", "cannot expand shape {} to fewer dims {}", a.sizes(), requested);
  Shape sizes = requested, strides = Shape::filled(nd, 0);
  for (int i = 0; i < nd; ++i) {
    const int j = i - lead;
    if (j < 0) {
      SPOOL_CHECK(sizes[i] >= 0, "expand", "size -1 is not allowed for a new leading dim (target {})", requested);
      continue;
    }
    SPOOL_CHECK(sizes[i] >= -1, "expand", "size {} at dim {} is negative (target {})", sizes[i], i, requested);
    if (sizes[i] == -1) sizes[i] = a.size(j);
    SPOOL_CHECK(a.size(j) == sizes[i] || a.size(j) == 1, "expand",
                "shape {} cannot be expanded to {} (dim {}: {} vs {})", a.sizes(), requested, i, a.size(j), sizes[i]);
    strides[i] = a.size(j) == 1 && sizes[i] != 1 ? 0 : a.strides()[j];
  }
  if (sizes == a.sizes()) return a;
  Tensor y = kernels::strided_view(a, sizes, strides, a.storage_offset());
  // The engine sums the gradient over the expanded dims.
  return record("expand", std::move(y), {&a}, [](const Tensor& gy) -> Grads { return {gy}; });
}

Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) {
  const int d = wrap_dim(dim, a.dim(), "index_select");
  SPOOL_CHECK(index.dtype() == kInt64 && index.dim() <= 1, "index_select",
              "index must be a 1-D int64 tensor, got {} of shape {}", dtype_name(index.dtype()), index.sizes());
  const std::vector<int64_t> idx = index.to_vector<int64_t>();
  const int64_t n = a.size(d);
  for (int64_t i : idx)
    SPOOL_CHECK(i >= 0 && i < n, "index_select", "index {} out of range for dim {} of size {} (shape {})", i, d, n,
                a.sizes());
  Shape sizes = a.sizes();
  sizes[d] = static_cast<int64_t>(idx.size());
  Tensor y = Tensor::empty(sizes, a.dtype());
  for (size_t k = 0; k < idx.size(); ++k) kernels::copy_into(select(y, d, k).detach(), select(a, d, idx[k]).detach());
  const Shape in_sizes = a.sizes();
  return record("index_select", std::move(y), {&a}, [idx, d, in_sizes](const Tensor& gy) -> Grads {
    Tensor g = zeros(in_sizes, gy.dtype());
    for (size_t k = 0; k < idx.size(); ++k) kernels::add_into(select(g, d, idx[k]), select(gy, d, k));
    return {g};
  });
}

Tensor flip(const Tensor& a, const Shape& dims) {
  // A copy of `a` read through a view that walks the flipped dims backwards.
  Shape strides = a.strides();
  int64_t offset = a.storage_offset();
  std::vector<bool> seen(std::max(a.dim(), 1), false);  // a 0-dim tensor takes dim 0 or -1, as in PyTorch
  for (int64_t dim : dims) {
    const int d = wrap_dim(dim, a.dim(), "flip");
    SPOOL_CHECK(!seen[d], "flip", "dim {} appears more than once in dims {}", d, dims);
    seen[d] = true;
    if (a.dim() > 0 && a.size(d) > 1) {
      offset += (a.size(d) - 1) * strides[d];
      strides[d] = -strides[d];
    }
  }
  Tensor y = Tensor::empty(a.sizes(), a.dtype());
  kernels::copy_into(y, kernels::strided_view(a, a.sizes(), strides, offset));
  // Flipping is its own inverse.
  const Shape flipped = dims;
  return record("flip", std::move(y), {&a}, [flipped](const Tensor& gy) -> Grads { return {flip(gy, flipped)}; });
}

Tensor gather(const Tensor& a, int64_t dim, const Tensor& index) {
  const int d = wrap_dim(dim, a.dim(), "gather");
  SPOOL_CHECK(index.dtype() == kInt64, "gather", "index must be int64, got {}", dtype_name(index.dtype()));
  SPOOL_CHECK(index.dim() == a.dim(), "gather", "index of shape {} must have as many dims as input {}", index.sizes(),
              a.sizes());
  for (int i = 0; i < a.dim(); ++i)
    SPOOL_CHECK(i == d || index.size(i) <= a.size(i), "gather", "index shape {} exceeds input shape {} at dim {}",
                index.sizes(), a.sizes(), i);
  const Tensor idx = index.is_contiguous() ? index : kernels::contiguous_copy(index);
  const int64_t* ip = idx.data_ptr<int64_t>();
  const int64_t n = a.size(d);
  for (int64_t i = 0; i < idx.numel(); ++i)
    SPOOL_CHECK(ip[i] >= 0 && ip[i] < n, "gather", "index {} out of range for dim {} of size {} (shape {})", ip[i], d,
                n, a.sizes());
  // Offsets into `a` for every output element: a's strides, with dim d taken from the index.
  Shape astr = a.strides();
  const int64_t dstride = astr[d];
  astr[d] = 0;
  Tensor y = Tensor::empty(idx.sizes(), a.dtype());
  SPOOL_DISPATCH_ALL(a.dtype(), "gather", [&] {
    const scalar_t* x = a.data_ptr<scalar_t>();
    scalar_t* o = y.data_ptr<scalar_t>();
    int64_t j = 0;
    kernels::for_each_offset<1>(idx.sizes(), {astr}, [&](int64_t off) {
      o[j] = x[off + ip[j] * dstride];
      ++j;
    });
  });
  const Shape in_sizes = a.sizes();
  return record("gather", std::move(y), {&a}, [saved_idx = SavedTensor("gather", idx), d, in_sizes](const Tensor& gy) -> Grads {
    const Tensor& idx = saved_idx;
    // scatter-add of gy into zeros of the input's shape
    Tensor g = zeros(in_sizes, gy.dtype());
    Shape gst = g.strides();
    const int64_t ds = gst[d];
    gst[d] = 0;
    SPOOL_DISPATCH_FLOAT(gy.dtype(), "gather_backward", [&] {
      scalar_t* gp = g.data_ptr<scalar_t>();
      const scalar_t* yp = gy.data_ptr<scalar_t>();
      const int64_t* ip2 = idx.data_ptr<int64_t>();
      int64_t j = 0;
      kernels::for_each_offset<2>(idx.sizes(), {gst, gy.strides()}, [&](int64_t off, int64_t oy) {
        gp[off + ip2[j] * ds] += yp[oy];
        ++j;
      });
    });
    return {g};
  });
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  SPOOL_CHECK(!tensors.empty(), "cat", "expects a non-empty list of tensors");
  const Tensor& first = tensors[0];
  const int d = wrap_dim(dim, first.dim(), "cat");
  SPOOL_CHECK(first.dim() > 0, "cat", "zero-dimensional tensors cannot be concatenated");
  Shape sizes = first.sizes();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    SPOOL_CHECK(t.dtype() == first.dtype(), "cat", "tensor {} is {}, tensor 0 is {}", i, dtype_name(t.dtype()),
                dtype_name(first.dtype()));
    SPOOL_CHECK(t.dim() == first.dim(), "cat", "tensor {} has shape {}, tensor 0 has shape {}", i, t.sizes(),
                first.sizes());
    for (int k = 0; k < t.dim(); ++k)
      SPOOL_CHECK(k == d || t.size(k) == first.size(k), "cat",
                  "sizes must match except in dim {}: tensor {} has shape {}, tensor 0 has shape {}", d, i, t.sizes(),
                  first.sizes());
    total += t.size(d);
  }
  sizes[d] = total;
  Tensor y = Tensor::empty(sizes, first.dtype());
  std::vector<int64_t> offsets;
  int64_t off = 0;
  for (const Tensor& t : tensors) {
    offsets.push_back(off);
    kernels::copy_into(narrow(y, d, off, t.size(d)).detach(), t);
    off += t.size(d);
  }
  std::vector<int64_t> lengths;
  for (const Tensor& t : tensors) lengths.push_back(t.size(d));
  return record("cat", std::move(y), tensors, [offsets, lengths, d](const Tensor& gy) -> Grads {
    Grads g;
    for (size_t i = 0; i < offsets.size(); ++i) g.emplace_back(narrow(gy, d, offsets[i], lengths[i]));
    return g;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  SPOOL_CHECK(!tensors.empty(), "stack", "expects a non-empty list of tensors");
  const Tensor& first = tensors[0];
  const int d = wrap_dim(dim, first.dim() + 1, "stack");
  for (size_t i = 0; i < tensors.size(); ++i) {
    SPOOL_CHECK(tensors[i].sizes() == first.sizes(), "stack",
                "all tensors must have one shape: tensor {} is {}, tensor 0 is {}", i, tensors[i].sizes(),
                first.sizes());
    SPOOL_CHECK(tensors[i].dtype() == first.dtype(), "stack", "tensor {} is {}, tensor 0 is {}", i,
                dtype_name(tensors[i].dtype()), dtype_name(first.dtype()));
  }
  std::vector<int64_t> sizes(first.sizes().begin(), first.sizes().end());
  sizes.insert(sizes.begin() + d, static_cast<int64_t>(tensors.size()));
  Tensor y = Tensor::empty(Shape(sizes), first.dtype());
  for (size_t i = 0; i < tensors.size(); ++i) kernels::copy_into(select(y, d, static_cast<int64_t>(i)), tensors[i]);
  // One recorded op (not an unsqueeze per input and a cat): a recurrent
  // layer stacks every step's output, so this is one node instead of T + 1.
  return record("stack", std::move(y), tensors, [d, n = tensors.size()](const Tensor& gy) -> Grads {
    Grads g;
    g.reserve(n);
    for (size_t i = 0; i < n; ++i) g.emplace_back(select(gy, d, static_cast<int64_t>(i)));
    return g;
  });
}

std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim) {
  const int d = wrap_dim(dim, a.dim(), "split");
  SPOOL_CHECK(split_size > 0, "split", "split_size must be positive, got {}", split_size);
  std::vector<Tensor> out;
  for (int64_t s = 0; s < a.size(d); s += split_size) out.push_back(narrow(a, d, s, std::min(split_size, a.size(d) - s)));
  return out;
}

std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  SPOOL_CHECK(chunks > 0, "chunk", "chunks must be positive, got {}", chunks);
  const int d = wrap_dim(dim, a.dim(), "chunk");
  const int64_t size = (a.size(d) + chunks - 1) / chunks;
  return split(a, std::max<int64_t>(size, 1), d);
}

std::vector<Tensor> unbind(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim(), "unbind");
  std::vector<Tensor> out;
  out.reserve(a.size(d));
  for (int64_t i = 0; i < a.size(d); ++i) out.push_back(select(a, d, i));
  return out;
}

namespace {
// a with the elements outside the band zeroed: keep (i, j) of the last two
// dims where keep(j - i) (tril: j - i <= k, triu: j - i >= k).
template <typename Keep>
Tensor band(const char* op, const Tensor& a, Keep keep) {
  SPOOL_CHECK(a.dim() >= 2, op, "expects at least 2 dims, got shape {}", a.sizes());
  const int64_t rows = a.size(-2), cols = a.size(-1);
  std::vector<bool> drop(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) drop[i * cols + j] = !keep(j - i);
  return masked_fill(a, tensor(drop, {rows, cols}), 0.0);
}
}  // namespace

Tensor tril(const Tensor& a, int64_t k) { return band("tril", a, [k](int64_t off) { return off <= k; }); }
Tensor triu(const Tensor& a, int64_t k) { return band("triu", a, [k](int64_t off) { return off >= k; }); }

Tensor repeat(const Tensor& a, const Shape& repeats) {
  SPOOL_CHECK(static_cast<int>(repeats.size()) >= a.dim(), "repeat",
              "needs at least as many repeats ({}) as the tensor has dims (shape {})", repeats.size(), a.sizes());
  for (int64_t r : repeats) SPOOL_CHECK(r >= 0, "repeat", "repeats must be >= 0, got {}", repeats);
  // [s0, s1, ...] as [1, s0, 1, s1, ...], expanded to [r0, s0, r1, s1, ...]
  // and merged pairwise: the gradient sums over the copies by itself.
  const int lead = static_cast<int>(repeats.size()) - a.dim();
  Shape pairs, expanded, out;
  for (int i = 0; i < repeats.size(); ++i) {
    const int64_t s = i < lead ? 1 : a.size(i - lead);
    pairs.push_back(1);
    pairs.push_back(s);
    expanded.push_back(repeats[i]);
    expanded.push_back(s);
    out.push_back(repeats[i] * s);
  }
  return reshape(expand(reshape(a, pairs), expanded), out);
}

Tensor repeat_interleave(const Tensor& a, int64_t repeats, std::optional<int64_t> dim) {
  SPOOL_CHECK(repeats >= 0, "repeat_interleave", "repeats must be >= 0, got {}", repeats);
  if (!dim) return repeat_interleave(reshape(a, {-1}), repeats, 0);
  const int d = wrap_dim(*dim, a.dim(), "repeat_interleave");
  Shape expanded = a.sizes(), out = a.sizes();
  expanded.insert(d + 1, repeats);
  out[d] *= repeats;
  return reshape(expand(unsqueeze(a, d + 1), expanded), out);
}

Tensor repeat_interleave(const Tensor& a, const Tensor& repeats, std::optional<int64_t> dim) {
  const char* op = "repeat_interleave";
  if (!dim) return repeat_interleave(reshape(a, {-1}), repeats, 0);
  const int d = wrap_dim(*dim, a.dim(), op);
  SPOOL_CHECK(repeats.dtype() == kInt64 && repeats.dim() <= 1, op, "repeats must be an int64 scalar or 1-D tensor, got {} of shape {}",
              dtype_name(repeats.dtype()), repeats.sizes());
  if (repeats.numel() == 1) return repeat_interleave(a, repeats.reshape({-1}).at<int64_t>({0}), d);
  SPOOL_CHECK(repeats.size(0) == a.size(d), op, "{} repeats given for dim {} of size {}", repeats.size(0), d, a.size(d));
  std::vector<int64_t> index;
  const std::vector<int64_t> r = repeats.to_vector<int64_t>();
  for (int64_t i = 0; i < static_cast<int64_t>(r.size()); ++i) {
    SPOOL_CHECK(r[i] >= 0, op, "repeats must be >= 0, got {} at {}", r[i], i);
    index.insert(index.end(), r[i], i);
  }
  return index_select(a, d, tensor(index, {static_cast<int64_t>(index.size())}));
}

Tensor one_hot(const Tensor& indices, int64_t num_classes) {
  const char* op = "one_hot";
  SPOOL_CHECK(indices.dtype() == kInt64, op, "expects int64 class indices, got {}", dtype_name(indices.dtype()));
  const std::vector<int64_t> v = indices.to_vector<int64_t>();
  int64_t classes = num_classes;
  if (classes < 0) {
    SPOOL_CHECK(!v.empty(), op, "cannot infer num_classes from an empty tensor");
    classes = *std::max_element(v.begin(), v.end()) + 1;
  }
  Shape sizes = indices.sizes();
  sizes.push_back(classes);
  Tensor out = zeros(sizes, kInt64);
  int64_t* o = out.data_ptr<int64_t>();
  for (size_t i = 0; i < v.size(); ++i) {
    SPOOL_CHECK(v[i] >= 0 && v[i] < classes, op, "class index {} is outside [0, {}) (num_classes {})", v[i], classes,
                classes);
    o[i * classes + v[i]] = 1;
  }
  return out;
}

}  // namespace spool
