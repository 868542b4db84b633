// Losses with PyTorch's reductions and conventions (ignore_index,
// label_smoothing, pos_weight, log clamped at -100 in binary_cross_entropy).
#include <cmath>

#include "../framework/core/kernels.hpp"
#include "ops.hpp"

namespace spool {

namespace {

Tensor reduce(const Tensor& l, Reduction r) {
  switch (r) {
    case Reduction::None: return l;
    case Reduction::Sum: return sum(l);
    case Reduction::Mean: return mean(l);
  }
  return l;
}

void check_pair(const char* op, const Tensor& input, const Tensor& target) {
  SPOOL_CHECK(input.sizes() == target.sizes(), op, "input of shape {} and target of shape {} must match",
              input.sizes(), target.sizes());
  SPOOL_CHECK(input.dtype() == target.dtype() && input.is_floating_point(), op,
              "input ({}) and target ({}) must be one floating dtype", dtype_name(input.dtype()),
              dtype_name(target.dtype()));
}

// Class-index losses work on [M, C] rows: moves C (dim 1) last and flattens.
Tensor rows_of(const Tensor& input, const char* op) {
  SPOOL_CHECK(input.dim() >= 1, op, "input must have a class dim, got shape {}", input.sizes());
  if (input.dim() == 1) return unsqueeze(input, 0);
  if (input.dim() == 2) return input;
  Shape perm;
  perm.push_back(0);
  for (int i = 2; i < input.dim(); ++i) perm.push_back(i);
  perm.push_back(1);
  return reshape(permute(input, perm), {-1, input.size(1)});
}

void check_targets(const char* op, const Tensor& input, const Tensor& target, int64_t ignore_index) {
  SPOOL_CHECK(target.dtype() == kInt64, op, "target must be int64 class indices, got {}", dtype_name(target.dtype()));
  Shape expected;
  if (input.dim() >= 2) {
    expected.push_back(input.size(0));
    for (int i = 2; i < input.dim(); ++i) expected.push_back(input.size(i));
  }
  SPOOL_CHECK(target.sizes() == expected, op, "target of shape {} does not match input of shape {} (expected {})",
              target.sizes(), input.sizes(), expected);
  const int64_t C = input.dim() == 1 ? input.size(0) : input.size(1);
  for (int64_t t : target.to_vector<int64_t>())
    SPOOL_CHECK(t == ignore_index || (t >= 0 && t < C), op, "target {} out of range for {} classes", t, C);
}

// Per-row -logp[m, t_m] (0 where ignored): the primitive under nll and
// cross_entropy. Backward scatters -gy into the target column.
Tensor pick_negative(const Tensor& logp, const std::vector<int64_t>& targets, int64_t ignore_index) {
  const int64_t M = logp.size(0), C = logp.size(1);
  Tensor y = Tensor::empty({M}, logp.dtype());
  SPOOL_DISPATCH_FLOAT(logp.dtype(), "nll_loss", [&] {
    scalar_t* o = y.data_ptr<scalar_t>();
    const scalar_t* lp = logp.data_ptr<scalar_t>();
    const int64_t s0 = logp.strides()[0], s1 = logp.strides()[1];
    for (int64_t m = 0; m < M; ++m) o[m] = targets[m] == ignore_index ? scalar_t(0) : -lp[m * s0 + targets[m] * s1];
  });
  return record("nll_loss", std::move(y), {&logp}, [targets, ignore_index, M, C](const Tensor& gy) -> Grads {
    Tensor g = zeros({M, C}, gy.dtype());
    SPOOL_DISPATCH_FLOAT(gy.dtype(), "nll_loss_backward", [&] {
      scalar_t* gp = g.data_ptr<scalar_t>();
      const scalar_t* yp = gy.data_ptr<scalar_t>();
      const int64_t s = gy.strides()[0];
      for (int64_t m = 0; m < M; ++m)
        if (targets[m] != ignore_index) gp[m * C + targets[m]] = -yp[m * s];
    });
    return {g};
  });
}

// Reduces per-element class losses; mean divides by the non-ignored count.
Tensor reduce_class_loss(const Tensor& per_row, const Tensor& target, Reduction r, int64_t count) {
  switch (r) {
    case Reduction::None: return reshape(per_row, target.sizes());
    case Reduction::Sum: return sum(per_row);
    case Reduction::Mean: return div(sum(per_row), static_cast<double>(count));
  }
  return per_row;
}

int64_t count_kept(const std::vector<int64_t>& targets, int64_t ignore_index) {
  int64_t n = 0;
  for (int64_t t : targets) n += t != ignore_index;
  return n;
}

}  // namespace

Reduction reduction_from_string(std::string_view name) {
  if (name == "none") return Reduction::None;
  if (name == "mean") return Reduction::Mean;
  if (name == "sum") return Reduction::Sum;
  detail::fail("loss", "unknown reduction \"{}\" (expected none, mean or sum)", name);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
  check_pair("mse_loss", input, target);
  return reduce(square(input - target), r);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction r) {
  check_pair("l1_loss", input, target);
  return reduce(abs(input - target), r);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NllLossOptions& o) {
  SPOOL_CHECK(input.is_floating_point(), "nll_loss", "input must be floating, got {}", dtype_name(input.dtype()));
  check_targets("nll_loss", input, target, o.ignore_index);
  const std::vector<int64_t> t = target.to_vector<int64_t>();
  Tensor per_row = pick_negative(rows_of(input, "nll_loss"), t, o.ignore_index);
  return reduce_class_loss(per_row, target, o.reduction, count_kept(t, o.ignore_index));
}

namespace {
// cross_entropy with a target of class probabilities (input's shape):
// -sum_c weight_c p_c log softmax(x)_c per element, mean over elements.
Tensor cross_entropy_soft(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o, int64_t C) {
  const char* op = "cross_entropy";
  SPOOL_CHECK(target.dtype() == input.dtype(), op, "probability targets ({}) must have the input's dtype ({})",
              dtype_name(target.dtype()), dtype_name(input.dtype()));
  Tensor logp = rows_of(log_softmax(input, input.dim() == 1 ? 0 : 1), op);
  Tensor p = rows_of(target, op);
  if (o.label_smoothing > 0) p = p * (1 - o.label_smoothing) + o.label_smoothing / static_cast<double>(C);
  Tensor terms = p * logp;
  if (o.weight.defined()) terms = terms * o.weight;
  Tensor per_row = neg(sum(terms, 1));
  switch (o.reduction) {
    case Reduction::None: {
      Shape sizes = target.sizes();
      if (input.dim() >= 2) {
        sizes.erase(1);
      } else {
        sizes = Shape{};
      }
      return reshape(per_row, sizes);
    }
    case Reduction::Sum: return sum(per_row);
    case Reduction::Mean: return mean(per_row);
  }
  return per_row;
}
}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o) {
  const char* op = "cross_entropy";
  SPOOL_CHECK(input.is_floating_point(), op, "input must be floating logits, got {}", dtype_name(input.dtype()));
  SPOOL_CHECK(o.label_smoothing >= 0 && o.label_smoothing <= 1, op, "label_smoothing must be in [0, 1], got {}",
              o.label_smoothing);
  SPOOL_CHECK(input.dim() >= 1, op, "input must have a class dim, got shape {}", input.sizes());
  const int64_t C = input.dim() == 1 ? input.size(0) : input.size(1);
  if (o.weight.defined())
    SPOOL_CHECK(o.weight.dim() == 1 && o.weight.size(0) == C && o.weight.dtype() == input.dtype(), op,
                "weight must be a 1-D {} tensor of {} classes, got {} of shape {}", dtype_name(input.dtype()), C,
                dtype_name(o.weight.dtype()), o.weight.sizes());
  if (target.is_floating_point()) {
    SPOOL_CHECK(target.sizes() == input.sizes(), op,
                "probability targets ({} of shape {}) must have the input's shape {}; class indices are int64",
                dtype_name(target.dtype()), target.sizes(), input.sizes());
    return cross_entropy_soft(input, target, o, C);
  }
  check_targets(op, input, target, o.ignore_index);
  const std::vector<int64_t> t = target.to_vector<int64_t>();
  Tensor logp = rows_of(log_softmax(input, input.dim() == 1 ? 0 : 1), op);
  Tensor per_row = pick_negative(logp, t, o.ignore_index);
  // Row weights weight[t_m] (0 where ignored); without weights, 1 per kept row.
  std::vector<double> rw(t.size());
  const std::vector<double> w = o.weight.defined() ? o.weight.to_vector<double>() : std::vector<double>();
  double total = 0;
  for (size_t m = 0; m < t.size(); ++m) {
    rw[m] = t[m] == o.ignore_index ? 0.0 : w.empty() ? 1.0 : w[t[m]];
    total += rw[m];
  }
  const Tensor row_weight = tensor(rw, {static_cast<int64_t>(t.size())}, input.dtype());
  if (o.weight.defined()) per_row = per_row * row_weight;
  if (o.label_smoothing > 0) {
    // (1 - eps) * nll + eps * mean over classes of -weight_c logp_c, on kept rows only.
    Tensor weighted = o.weight.defined() ? logp * o.weight : logp;
    Tensor smooth = neg(mean(weighted, 1)) * ne(row_weight, scalar_tensor(0, input.dtype())).to(input.dtype());
    per_row = per_row * (1 - o.label_smoothing) + smooth * o.label_smoothing;
  }
  if (o.reduction == Reduction::Mean) return div(sum(per_row), total);
  return reduce_class_loss(per_row, target, o.reduction, 0);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction r, double beta) {
  check_pair("smooth_l1_loss", input, target);
  SPOOL_CHECK(beta >= 0, "smooth_l1_loss", "beta must be >= 0, got {}", beta);
  const Tensor d = input - target, ad = abs(d);
  if (beta == 0) return reduce(ad, r);
  return reduce(where(lt(ad, beta), d * d * (0.5 / beta), ad - 0.5 * beta), r);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction r, double delta) {
  check_pair("huber_loss", input, target);
  SPOOL_CHECK(delta > 0, "huber_loss", "delta must be positive, got {}", delta);
  const Tensor d = input - target, ad = abs(d);
  return reduce(where(lt(ad, delta), d * d * 0.5, (ad - 0.5 * delta) * delta), r);
}

Tensor kl_div(const Tensor& input, const Tensor& target, std::string_view reduction, bool log_target) {
  const char* op = "kl_div";
  check_pair(op, input, target);
  // target (log target - input), with 0 log 0 = 0.
  Tensor l;
  if (log_target) {
    l = exp(target) * (target - input);
  } else {
    const Tensor positive = gt(target, 0.0);
    l = where(positive, target * log(where(positive, target, 1.0)), 0.0) - target * input;
  }
  if (reduction == "batchmean") {
    SPOOL_CHECK(input.dim() >= 1, op, "batchmean needs a batch dim, got shape {}", input.sizes());
    return div(sum(l), static_cast<double>(input.size(0)));
  }
  return reduce(l, reduction_from_string(reduction));
}

Tensor margin_ranking_loss(const Tensor& x1, const Tensor& x2, const Tensor& y, double margin, Reduction r) {
  const char* op = "margin_ranking_loss";
  check_pair(op, x1, x2);
  SPOOL_CHECK(y.sizes() == x1.sizes() && y.dtype() == x1.dtype(), op,
              "y ({} of shape {}) must match the inputs ({} of shape {})", dtype_name(y.dtype()), y.sizes(),
              dtype_name(x1.dtype()), x1.sizes());
  return reduce(relu(neg(y) * (x1 - x2) + margin), r);
}

Tensor cosine_embedding_loss(const Tensor& x1, const Tensor& x2, const Tensor& y, double margin, Reduction r) {
  const char* op = "cosine_embedding_loss";
  check_pair(op, x1, x2);
  SPOOL_CHECK(x1.dim() == 1 || x1.dim() == 2, op, "inputs must be [N, D] or [D], got shape {}", x1.sizes());
  const int d = x1.dim() - 1;
  SPOOL_CHECK(y.dim() == d && (d == 0 || y.size(0) == x1.size(0)) && y.dtype() == x1.dtype(), op,
              "y must be {} of shape {}, got {} of shape {}", dtype_name(x1.dtype()),
              d == 0 ? Shape{} : Shape{x1.size(0)}, dtype_name(y.dtype()), y.sizes());
  // PyTorch's form: eps 1e-12 under each squared norm.
  const Tensor cos = sum(x1 * x2, d) / sqrt((sum(x1 * x1, d) + 1e-12) * (sum(x2 * x2, d) + 1e-12));
  const Tensor l = where(eq(y, 1.0), 1.0 - cos, where(eq(y, -1.0), relu(cos - margin), 0.0));
  return reduce(l, r);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction r) {
  check_pair("binary_cross_entropy", input, target);
  for (double v : input.to_vector<double>())
    SPOOL_CHECK(v >= 0 && v <= 1, "binary_cross_entropy", "input values must be in [0, 1], got {}", v);
  Tensor l = SPOOL_DISPATCH_FLOAT(input.dtype(), "binary_cross_entropy", [&] {
    return kernels::map2<scalar_t, scalar_t, scalar_t>(input, target, input.dtype(), "binary_cross_entropy",
                                                       [](scalar_t x, scalar_t t) {
                                                         const scalar_t lx = std::max(std::log(x), scalar_t(-100));
                                                         const scalar_t l1x = std::max(std::log1p(-x), scalar_t(-100));
                                                         return -(t * lx + (1 - t) * l1x);
                                                       });
  });
  // d/dx = (x - t) / max(x (1 - x), 1e-12)
  l = record("binary_cross_entropy", l, {&input},
             [si = SavedTensor("binary_cross_entropy", input), st = SavedTensor("binary_cross_entropy", target)](
                 const Tensor& gy) -> Grads {
    const Tensor &input = si, &target = st;
    Tensor d = SPOOL_DISPATCH_FLOAT(input.dtype(), "binary_cross_entropy_backward", [&] {
      return kernels::map2<scalar_t, scalar_t, scalar_t>(
          input, target, input.dtype(), "binary_cross_entropy_backward", [](scalar_t x, scalar_t t) {
            return (x - t) / std::max(x * (1 - x), scalar_t(1e-12));
          });
    });
    return {gy * d};
  });
  return reduce(l, r);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const BceWithLogitsOptions& o) {
  check_pair("binary_cross_entropy_with_logits", input, target);
  const Tensor pw = o.pos_weight.defined() ? o.pos_weight : ones({1}, input.dtype());
  SPOOL_CHECK(pw.dtype() == input.dtype(), "binary_cross_entropy_with_logits", "pos_weight dtype {} differs from {}",
              dtype_name(pw.dtype()), dtype_name(input.dtype()));
  SPOOL_CHECK(broadcast_shapes(pw.sizes(), input.sizes(), "binary_cross_entropy_with_logits") == input.sizes(),
              "binary_cross_entropy_with_logits", "pos_weight of shape {} does not broadcast to input shape {}",
              pw.sizes(), input.sizes());
  // l = (1 - t) x + (1 + (pw - 1) t) softplus(-x), softplus computed stably.
  Tensor l = SPOOL_DISPATCH_FLOAT(input.dtype(), "binary_cross_entropy_with_logits", [&] {
    return kernels::map3<scalar_t, scalar_t, scalar_t, scalar_t>(
        input, target, pw, input.dtype(), "binary_cross_entropy_with_logits", [](scalar_t x, scalar_t t, scalar_t p) {
          const scalar_t sp = std::max(-x, scalar_t(0)) + std::log1p(std::exp(-std::fabs(x)));
          return (1 - t) * x + (1 + (p - 1) * t) * sp;
        });
  });
  // d/dx = (1 - t) - (1 + (pw - 1) t) sigmoid(-x)
  const char* op = "binary_cross_entropy_with_logits";
  l = record(op, l, {&input},
             [si = SavedTensor(op, input), st = SavedTensor(op, target), sp = SavedTensor(op, pw)](const Tensor& gy) -> Grads {
    const Tensor &input = si, &target = st, &pw = sp;
    Tensor d = SPOOL_DISPATCH_FLOAT(input.dtype(), "binary_cross_entropy_with_logits_backward", [&] {
      return kernels::map3<scalar_t, scalar_t, scalar_t, scalar_t>(
          input, target, pw, input.dtype(), "bce_with_logits_backward", [](scalar_t x, scalar_t t, scalar_t p) {
            const scalar_t s_neg = 1 / (1 + std::exp(x));
            return (1 - t) - (1 + (p - 1) * t) * s_neg;
          });
    });
    return {gy * d};
  });
  return reduce(l, o.reduction);
}

}  // namespace spool
