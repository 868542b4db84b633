// Embedding lookup, dropout and layer_norm.
#include <cmath>

#include "../framework/core/kernels.hpp"
#include "../framework/core/random.hpp"
#include <algorithm>

#include "ops.hpp"

namespace spool {

Tensor embedding(const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx) {
  SPOOL_CHECK(weight.dim() == 2, "embedding", "weight must be 2-D [num_embeddings, dim], got shape {}", weight.sizes());
  SPOOL_CHECK(indices.dtype() == kInt64, "embedding", "indices must be int64, got {} of shape {}",
              dtype_name(indices.dtype()), indices.sizes());
  const int64_t V = weight.size(0), D = weight.size(1);
  const Tensor idx = indices.is_contiguous() ? indices : kernels::contiguous_copy(indices);
  const int64_t* ip = idx.data_ptr<int64_t>();
  const int64_t n = idx.numel();
  for (int64_t i = 0; i < n; ++i)
    SPOOL_CHECK(ip[i] >= 0 && ip[i] < V, "embedding", "index {} out of range for {} embeddings (indices shape {})",
                ip[i], V, indices.sizes());
  std::optional<int64_t> pad = padding_idx;
  if (pad) {
    SPOOL_CHECK(*pad >= -V && *pad < V, "embedding", "padding_idx {} out of range for {} embeddings", *pad, V);
    if (*pad < 0) *pad += V;
  }
  Shape sizes = idx.sizes();
  sizes.push_back(D);
  Tensor y = Tensor::empty(sizes, weight.dtype());
  const Tensor w = weight.is_contiguous() ? weight : kernels::contiguous_copy(weight);
  SPOOL_DISPATCH_FLOAT(weight.dtype(), "embedding", [&] {
    const scalar_t* wp = w.data_ptr<scalar_t>();
    scalar_t* o = y.data_ptr<scalar_t>();
    for (int64_t i = 0; i < n; ++i) std::copy(wp + ip[i] * D, wp + (ip[i] + 1) * D, o + i * D);
  });
  // Rows add up the gradients of every position that looked them up;
  // the padding row gets none.
  return record("embedding", std::move(y), {&weight}, [saved_idx = SavedTensor("embedding", idx), pad, V, D](const Tensor& gy_in) -> Grads {
    const Tensor& idx = saved_idx;
    Tensor gy = gy_in.is_contiguous() ? gy_in : kernels::contiguous_copy(gy_in);
    Tensor g = zeros({V, D}, gy.dtype());
    SPOOL_DISPATCH_FLOAT(gy.dtype(), "embedding_backward", [&] {
      const scalar_t* gp = gy.data_ptr<scalar_t>();
      scalar_t* out = g.data_ptr<scalar_t>();
      const int64_t* ip2 = idx.data_ptr<int64_t>();
      for (int64_t i = 0, m = idx.numel(); i < m; ++i) {
        if (pad && ip2[i] == *pad) continue;
        scalar_t* row = out + ip2[i] * D;
        const scalar_t* src = gp + i * D;
        for (int64_t j = 0; j < D; ++j) row[j] += src[j];
      }
    });
    return {g};
  });
}

Tensor dropout(const Tensor& a, double p, bool training) {
  SPOOL_CHECK(p >= 0 && p <= 1, "dropout", "probability must be in [0, 1], got {}", p);
  if (!training || p == 0) return a;
  SPOOL_CHECK(a.is_floating_point(), "dropout", "needs a floating tensor, got {}", dtype_name(a.dtype()));
  if (p == 1) return a * 0.0;
  // Kept elements are scaled by 1/(1-p) so the expectation is unchanged.
  Tensor mask = bernoulli(a.sizes(), 1 - p, a.dtype());
  return a * (mask * (1.0 / (1 - p))).detach();
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const int k = normalized_shape.size();
  SPOOL_CHECK(k >= 1 && k <= x.dim(), "layer_norm", "normalized_shape {} does not fit input of shape {}",
              normalized_shape, x.sizes());
  for (int i = 0; i < k; ++i)
    SPOOL_CHECK(x.size(x.dim() - k + i) == normalized_shape[i], "layer_norm",
                "input of shape {} does not end with normalized_shape {}", x.sizes(), normalized_shape);
  for (const Tensor* t : {&weight, &bias})
    if (t->defined())
      SPOOL_CHECK(t->sizes() == normalized_shape && t->dtype() == x.dtype(), "layer_norm",
                  "weight/bias of shape {} ({}) for normalized_shape {} ({})", t->sizes(), dtype_name(t->dtype()),
                  normalized_shape, dtype_name(x.dtype()));
  const int64_t N = normalized_shape.numel(), M = x.numel() / std::max<int64_t>(N, 1);
  const Tensor xc = x.is_contiguous() ? x : kernels::contiguous_copy(x);
  // Dense weight and bias held for the whole loop (a temporary copy's buffer
  // could be handed on while its pointer is still in use).
  const Tensor wc = !weight.defined() || weight.is_contiguous() ? weight : kernels::contiguous_copy(weight);
  const Tensor bc = !bias.defined() || bias.is_contiguous() ? bias : kernels::contiguous_copy(bias);
  Tensor y = Tensor::empty(x.sizes(), x.dtype());
  Tensor xhat = Tensor::empty(x.sizes(), x.dtype());
  Tensor rstd = Tensor::empty({M}, x.dtype());
  SPOOL_DISPATCH_FLOAT(x.dtype(), "layer_norm", [&] {
    const scalar_t* xp = xc.data_ptr<scalar_t>();
    scalar_t *yp = y.data_ptr<scalar_t>(), *hp = xhat.data_ptr<scalar_t>(), *rp = rstd.data_ptr<scalar_t>();
    const scalar_t* wp = wc.defined() ? wc.data_ptr<scalar_t>() : nullptr;
    const scalar_t* bp = bc.defined() ? bc.data_ptr<scalar_t>() : nullptr;
    for (int64_t m = 0; m < M; ++m) {
      const scalar_t* row = xp + m * N;
      double mu = 0, var = 0;
      for (int64_t j = 0; j < N; ++j) mu += row[j];
      mu /= N;
      for (int64_t j = 0; j < N; ++j) var += (row[j] - mu) * (row[j] - mu);
      var /= N;
      const auto r = static_cast<scalar_t>(1.0 / std::sqrt(var + eps));
      rp[m] = r;
      for (int64_t j = 0; j < N; ++j) {
        const scalar_t h = (row[j] - static_cast<scalar_t>(mu)) * r;
        hp[m * N + j] = h;
        yp[m * N + j] = (wp ? h * wp[j] : h) + (bp ? bp[j] : scalar_t(0));
      }
    }
  });
  // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * weight;
  // dweight = sum(dy * xhat), dbias = sum(dy) over the leading dims.
  return record("layer_norm", std::move(y), {&x, &weight, &bias}, [xhat, rstd, saved_weight = SavedTensor("layer_norm", weight), bias, N, M](const Tensor& gy_in) -> Grads {
    const Tensor& weight = saved_weight;
    Tensor gy = gy_in.is_contiguous() ? gy_in : kernels::contiguous_copy(gy_in);
    const Tensor wc = !weight.defined() || weight.is_contiguous() ? weight : kernels::contiguous_copy(weight);
    Tensor gx = Tensor::empty(gy.sizes(), gy.dtype());
    Tensor gw = weight.defined() ? zeros({N}, gy.dtype()) : Tensor();
    Tensor gb = bias.defined() ? zeros({N}, gy.dtype()) : Tensor();
    SPOOL_DISPATCH_FLOAT(gy.dtype(), "layer_norm_backward", [&] {
      const scalar_t *g = gy.data_ptr<scalar_t>(), *h = xhat.data_ptr<scalar_t>(), *r = rstd.data_ptr<scalar_t>();
      const scalar_t* wp = wc.defined() ? wc.data_ptr<scalar_t>() : nullptr;
      scalar_t* out = gx.data_ptr<scalar_t>();
      scalar_t* gwp = gw.defined() ? gw.data_ptr<scalar_t>() : nullptr;
      scalar_t* gbp = gb.defined() ? gb.data_ptr<scalar_t>() : nullptr;
      for (int64_t m = 0; m < M; ++m) {
        double mean_g = 0, mean_gh = 0;
        for (int64_t j = 0; j < N; ++j) {
          const int64_t i = m * N + j;
          const scalar_t gj = wp ? g[i] * wp[j] : g[i];
          mean_g += gj;
          mean_gh += gj * h[i];
          if (gwp) gwp[j] += g[i] * h[i];
          if (gbp) gbp[j] += g[i];
        }
        mean_g /= N;
        mean_gh /= N;
        for (int64_t j = 0; j < N; ++j) {
          const int64_t i = m * N + j;
          const scalar_t gj = wp ? g[i] * wp[j] : g[i];
          out[i] = r[m] * (gj - static_cast<scalar_t>(mean_g) - h[i] * static_cast<scalar_t>(mean_gh));
        }
      }
    });
    const Shape ns = weight.defined() ? weight.sizes() : bias.defined() ? bias.sizes() : Shape{N};
    if (gw.defined()) gw = reshape(gw, ns);
    if (gb.defined()) gb = reshape(gb, ns);
    return {gx, gw, gb};
  });
}

Tensor lengths_to_mask(const Tensor& lengths, std::optional<int64_t> max_len) {
  const char* op = "lengths_to_mask";
  SPOOL_CHECK(lengths.dtype() == kInt64 && lengths.dim() == 1, op, "lengths must be int64 [B], got {} of shape {}",
              dtype_name(lengths.dtype()), lengths.sizes());
  const std::vector<int64_t> len = lengths.to_vector<int64_t>();
  int64_t T = 0;
  for (int64_t l : len) {
    SPOOL_CHECK(l >= 0, op, "length {} is negative", l);
    T = std::max(T, l);
  }
  if (max_len) {
    SPOOL_CHECK(*max_len >= T, op, "max_len {} is shorter than the longest length {}", *max_len, T);
    T = *max_len;
  }
  const auto B = static_cast<int64_t>(len.size());
  Tensor mask = Tensor::empty({B, T}, kBool);
  bool* m = mask.data_ptr<bool>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t) m[b * T + t] = t < len[b];
  return mask;
}

Tensor causal_mask(int64_t T) {
  SPOOL_CHECK(T >= 0, "causal_mask", "size {} is negative", T);
  Tensor mask = Tensor::empty({T, T}, kBool);
  bool* m = mask.data_ptr<bool>();
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < T; ++j) m[i * T + j] = j > i;
  return mask;
}

}  // namespace spool
