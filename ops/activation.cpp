// Activations and the softmax family. Each backward is a fused elementwise
// kernel: these ops run once per gate per time step in a recurrent net.
#include <algorithm>
#include <cmath>

#include "../framework/core/kernels.hpp"
#include "../framework/core/threading.hpp"
#include "../framework/core/vector_math.hpp"
#include "ops.hpp"
#include "unary_parts.hpp"

namespace spool {

using detail::map_float;
using detail::map_grad;

namespace {

// Rows of softmax work handed to one thread at a time: about 32K elements
// (below, splitting costs more than it gains). Row boundaries depend only on
// the shape, so results do not depend on the thread count.
int64_t softmax_grain(const kernels::Lanes& l) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, l.n * l.inner)); }

template <bool Log>
Tensor softmax_forward(const Tensor& input, int dim) {
  Tensor x = input.is_contiguous() ? input : kernels::contiguous_copy(input);
  Tensor y = Tensor::empty(x.sizes(), x.dtype());
  const kernels::Lanes l = kernels::lanes_of(x.sizes(), dim);
  SPOOL_DISPATCH_FLOAT(x.dtype(), Log ? "log_softmax" : "softmax", [&] {
    const scalar_t* xp = x.data_ptr<scalar_t>();
    scalar_t* yp = y.data_ptr<scalar_t>();
    const auto row = kernels::vector_kernels().of<scalar_t>().softmax_row;
    parallel_for(l.outer, softmax_grain(l), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        if (l.inner == 1) {  // the last dim: contiguous lanes
          row(xp + o * l.n, yp + o * l.n, l.n, Log);
          continue;
        }
        for (int64_t i = 0; i < l.inner; ++i) {
          const scalar_t* xr = xp + o * l.n * l.inner + i;
          scalar_t* yr = yp + o * l.n * l.inner + i;
          scalar_t m = -INFINITY;
          for (int64_t k = 0; k < l.n; ++k) m = std::max(m, xr[k * l.inner]);
          scalar_t s = 0;
          for (int64_t k = 0; k < l.n; ++k) s += std::exp(xr[k * l.inner] - m);
          if constexpr (Log) {
            const scalar_t lse = m + std::log(s);
            for (int64_t k = 0; k < l.n; ++k) yr[k * l.inner] = xr[k * l.inner] - lse;
          } else {
            for (int64_t k = 0; k < l.n; ++k) yr[k * l.inner] = std::exp(xr[k * l.inner] - m) / s;
          }
        }
      }
    });
  });
  return y;
}

// softmax:     gx = y * (gy - sum(gy * y))
// log_softmax: gx = gy - exp(y) * sum(gy)
template <bool Log>
Tensor softmax_backward(const Tensor& gy_in, const Tensor& y, int dim) {
  Tensor gy = gy_in.is_contiguous() ? gy_in : kernels::contiguous_copy(gy_in);
  Tensor gx = Tensor::empty(y.sizes(), y.dtype());
  const kernels::Lanes l = kernels::lanes_of(y.sizes(), dim);
  SPOOL_DISPATCH_FLOAT(y.dtype(), "softmax_backward", [&] {
    const scalar_t* g = gy.data_ptr<scalar_t>();
    const scalar_t* yp = y.data_ptr<scalar_t>();
    scalar_t* out = gx.data_ptr<scalar_t>();
    parallel_for(l.outer, softmax_grain(l), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        if (Log && l.inner == 1) {  // the last dim: exp vectorized (a cross entropy over a vocabulary)
          const int64_t base = o * l.n;
          scalar_t s = 0;
          for (int64_t k = 0; k < l.n; ++k) s += g[base + k];
          kernels::vector_kernels().of<scalar_t>().log_softmax_grad_row(g + base, yp + base, s, out + base, l.n);
          continue;
        }
        for (int64_t i = 0; i < l.inner; ++i) {
          const int64_t base = o * l.n * l.inner + i;
          scalar_t s = 0;
          for (int64_t k = 0; k < l.n; ++k) {
            const int64_t j = base + k * l.inner;
            s += Log ? g[j] : g[j] * yp[j];
          }
          for (int64_t k = 0; k < l.n; ++k) {
            const int64_t j = base + k * l.inner;
            out[j] = Log ? g[j] - std::exp(yp[j]) * s : yp[j] * (g[j] - s);
          }
        }
      }
    });
  });
  return gx;
}

}  // namespace

Tensor sigmoid(const Tensor& a) {
  Tensor y = kernels::map_vector(a, kernels::VecOp::Sigmoid, "sigmoid");
  // d/dx sigmoid = y (1 - y)
  return record("sigmoid", y, {&a}, [y = SavedTensor("sigmoid", y)](const Tensor& gy) -> Grads {
    return {map_grad("sigmoid_backward", gy, y, [](auto g, auto s) { return g * s * (decltype(s)(1) - s); })};
  });
}

Tensor tanh(const Tensor& a) {
  Tensor y = kernels::map_vector(a, kernels::VecOp::Tanh, "tanh");
  // d/dx tanh = 1 - y^2
  return record("tanh", y, {&a}, [y = SavedTensor("tanh", y)](const Tensor& gy) -> Grads {
    return {map_grad("tanh_backward", gy, y, [](auto g, auto s) { return g * (decltype(s)(1) - s * s); })};
  });
}

Tensor relu(const Tensor& a) {
  Tensor y = map_float("relu", a, [](auto x) { return x > 0 ? x : decltype(x)(0); });
  // d/dx relu = [x > 0]
  return record("relu", y, {&a}, [y = SavedTensor("relu", y)](const Tensor& gy) -> Grads {
    return {map_grad("relu_backward", gy, y, [](auto g, auto s) { return s > 0 ? g : decltype(g)(0); })};
  });
}

Tensor leaky_relu(const Tensor& a, double slope) {
  Tensor y = map_float("leaky_relu", a, [slope](auto x) { return x > 0 ? x : decltype(x)(slope) * x; });
  // d/dx = 1 for x > 0, slope otherwise
  return record("leaky_relu", std::move(y), {&a}, [a = SavedTensor("leaky_relu", a), slope](const Tensor& gy) -> Grads {
    return {map_grad("leaky_relu_backward", gy, a,
                     [slope](auto g, auto x) { return x > 0 ? g : decltype(g)(slope) * g; })};
  });
}

Tensor gelu(const Tensor& a, std::string_view approximate) {
  SPOOL_CHECK(approximate == "none" || approximate == "tanh", "gelu",
              "approximate must be \"none\" or \"tanh\", got \"{}\"", approximate);
  const bool use_tanh = approximate == "tanh";
  static constexpr double kAlpha = 0.7978845608028654;  // sqrt(2/pi)
  static constexpr double kInvSqrt2 = 0.7071067811865476;
  static constexpr double kInvSqrt2Pi = 0.3989422804014327;
  Tensor y = map_float("gelu", a, [&](auto x) {
    using T = decltype(x);
    if (use_tanh) return T(0.5) * x * (T(1) + std::tanh(T(kAlpha) * (x + T(0.044715) * x * x * x)));
    return T(0.5) * x * (T(1) + std::erf(x * T(kInvSqrt2)));
  });
  // exact: Phi(x) + x phi(x); tanh form: 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2)
  return record("gelu", std::move(y), {&a}, [a = SavedTensor("gelu", a), use_tanh](const Tensor& gy) -> Grads {
    return {map_grad("gelu_backward", gy, a, [use_tanh](auto g, auto x) {
      using T = decltype(x);
      if (use_tanh) {
        const T inner = T(kAlpha) * (x + T(0.044715) * x * x * x);
        const T t = std::tanh(inner);
        const T d_inner = T(kAlpha) * (T(1) + T(3 * 0.044715) * x * x);
        return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * d_inner);
      }
      const T cdf = T(0.5) * (T(1) + std::erf(x * T(kInvSqrt2)));
      const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
      return g * (cdf + x * pdf);
    })};
  });
}

Tensor softplus(const Tensor& a, double beta, double threshold) {
  SPOOL_CHECK(beta != 0, "softplus", "beta must be nonzero");
  // Linear above the threshold (as PyTorch), where exp would overflow.
  return detail::unary_op(
      "softplus", a,
      [beta, threshold](auto x) {
        using T = decltype(x);
        return x * T(beta) > T(threshold) ? x : T(std::log1p(std::exp(x * T(beta))) / T(beta));
      },
      [beta, threshold](auto x) {
        using T = decltype(x);
        return x * T(beta) > T(threshold) ? T(1) : T(1) / (T(1) + std::exp(-x * T(beta)));
      });
}

Tensor elu(const Tensor& a, double alpha) {
  return detail::unary_op(
      "elu", a, [alpha](auto x) { return x > 0 ? x : decltype(x)(alpha) * std::expm1(x); },
      [alpha](auto x) { return x > 0 ? decltype(x)(1) : decltype(x)(alpha) * std::exp(x); });
}

Tensor selu(const Tensor& a) {
  static constexpr double kAlpha = 1.6732632423543772848170429916717, kScale = 1.0507009873554804934193349852946;
  return detail::unary_op(
      "selu", a, [](auto x) { return decltype(x)(kScale) * (x > 0 ? x : decltype(x)(kAlpha) * std::expm1(x)); },
      [](auto x) { return decltype(x)(kScale) * (x > 0 ? decltype(x)(1) : decltype(x)(kAlpha) * std::exp(x)); });
}

Tensor silu(const Tensor& a) {
  return detail::unary_op(
      "silu", a, [](auto x) { return x / (1 + std::exp(-x)); },
      [](auto x) {
        const auto s = 1 / (1 + std::exp(-x));
        return s * (1 + x * (1 - s));
      });
}

Tensor mish(const Tensor& a) {
  // x tanh(softplus(x)); softplus linear past 20, as PyTorch's.
  auto softplus1 = [](auto x) { return x > 20 ? x : decltype(x)(std::log1p(std::exp(x))); };
  return detail::unary_op(
      "mish", a, [softplus1](auto x) { return x * std::tanh(softplus1(x)); },
      [softplus1](auto x) {
        const auto t = std::tanh(softplus1(x));
        const auto s = 1 / (1 + std::exp(-x));
        return t + x * s * (1 - t * t);
      });
}

Tensor hardtanh(const Tensor& a, double min_val, double max_val) {
  SPOOL_CHECK(min_val <= max_val, "hardtanh", "min_val {} is above max_val {}", min_val, max_val);
  return detail::unary_op(
      "hardtanh", a,
      [min_val, max_val](auto x) {
        using T = decltype(x);
        return x < T(min_val) ? T(min_val) : x > T(max_val) ? T(max_val) : x;
      },
      [min_val, max_val](auto x) {
        using T = decltype(x);
        return x > T(min_val) && x < T(max_val) ? T(1) : T(0);
      });
}

Tensor softmax(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim(), "softmax");
  Tensor y = softmax_forward<false>(a, d);
  return record("softmax", y, {&a}, [y = SavedTensor("softmax", y), d](const Tensor& gy) -> Grads { return {softmax_backward<false>(gy, y, d)}; });
}

Tensor log_softmax(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim(), "log_softmax");
  Tensor y = softmax_forward<true>(a, d);
  return record("log_softmax", y, {&a},
                [y = SavedTensor("log_softmax", y), d](const Tensor& gy) -> Grads { return {softmax_backward<true>(gy, y, d)}; });
}

}  // namespace spool
