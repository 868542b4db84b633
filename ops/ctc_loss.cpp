// Connectionist temporal classification loss (Graves et al. 2006), as
// torch.nn.functional.ctc_loss: the negative log-probability of the target
// summed over every alignment, by the forward (alpha) and backward (beta)
// recursions in log space over the target with blanks between and around
// its labels.
//
// The gradient is d loss / d log_probs itself: -exp(alpha + beta - lp + nll)
// summed over the positions of each label. (PyTorch's kernel returns the
// gradient of the logits under a log_softmax, i.e. that plus exp(lp); the
// two agree once log_probs come from log_softmax, as CTC expects.)
#include <cmath>
#include <limits>
#include <vector>

#include "ops.hpp"

namespace spool {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

// One sequence: log_probs rows lp(t, c) for t < T, its target labels.
struct Sequence {
  int64_t T = 0;
  std::vector<int64_t> labels;
};

// The target with blanks around and between its labels: l'_s.
std::vector<int64_t> extended(const std::vector<int64_t>& labels, int64_t blank) {
  std::vector<int64_t> e(2 * labels.size() + 1, blank);
  for (size_t i = 0; i < labels.size(); ++i) e[2 * i + 1] = labels[i];
  return e;
}

// alpha (forward) or beta (backward) over [T, S'] in log space.
template <typename LP>
std::vector<double> recursion(const LP& lp, const Sequence& q, const std::vector<int64_t>& e, int64_t blank,
                              bool forward) {
  const int64_t S = static_cast<int64_t>(e.size()), T = q.T;
  std::vector<double> a(T * S, kNegInf);
  if (T == 0) return a;
  const int64_t t0 = forward ? 0 : T - 1;
  for (int64_t s = forward ? 0 : S - 1; forward ? s < std::min<int64_t>(2, S) : s >= std::max<int64_t>(0, S - 2);
       forward ? ++s : --s)
    a[t0 * S + s] = lp(t0, e[s]);
  for (int64_t step = 1; step < T; ++step) {
    const int64_t t = forward ? step : T - 1 - step, prev = forward ? t - 1 : t + 1;
    for (int64_t s = 0; s < S; ++s) {
      const int64_t d = forward ? -1 : 1;  // where paths come from
      double v = a[prev * S + s];
      if (s + d >= 0 && s + d < S) v = log_add(v, a[prev * S + s + d]);
      if (s + 2 * d >= 0 && s + 2 * d < S && e[s] != blank && e[s] != e[s + 2 * d]) v = log_add(v, a[prev * S + s + 2 * d]);
      a[t * S + s] = v == kNegInf ? kNegInf : v + lp(t, e[s]);
    }
  }
  return a;
}

}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, const CtcLossOptions& o) {
  const char* op = "ctc_loss";
  SPOOL_CHECK(log_probs.is_floating_point() && log_probs.dim() == 3, op,
              "log_probs must be floating [T, N, C], got {} of shape {}", dtype_name(log_probs.dtype()),
              log_probs.sizes());
  const int64_t T = log_probs.size(0), N = log_probs.size(1), C = log_probs.size(2);
  SPOOL_CHECK(o.blank >= 0 && o.blank < C, op, "blank {} is not a class of {}", o.blank, C);
  for (const auto& [what, t] : {std::pair{"input_lengths", &input_lengths}, {"target_lengths", &target_lengths}})
    SPOOL_CHECK(t->dtype() == kInt64 && t->dim() == 1 && t->size(0) == N, op,
                "{} must be int64 [{}] (one per sequence), got {} of shape {}", what, N, dtype_name(t->dtype()),
                t->sizes());
  SPOOL_CHECK(targets.dtype() == kInt64 && (targets.dim() == 1 || (targets.dim() == 2 && targets.size(0) == N)), op,
              "targets must be int64 [N, S] (padded) or 1-D (concatenated), got {} of shape {}",
              dtype_name(targets.dtype()), targets.sizes());
  const std::vector<int64_t> in_len = input_lengths.to_vector<int64_t>(), tg_len = target_lengths.to_vector<int64_t>();
  const std::vector<int64_t> flat = targets.to_vector<int64_t>();
  std::vector<Sequence> seqs(N);
  int64_t offset = 0;
  for (int64_t n = 0; n < N; ++n) {
    SPOOL_CHECK(in_len[n] >= 0 && in_len[n] <= T, op, "input length {} of sequence {} is outside [0, {}]", in_len[n],
                n, T);
    const int64_t room = targets.dim() == 2 ? targets.size(1) : static_cast<int64_t>(flat.size()) - offset;
    SPOOL_CHECK(tg_len[n] >= 0 && tg_len[n] <= room, op, "target length {} of sequence {} exceeds the {} targets given",
                tg_len[n], n, room);
    const int64_t start = targets.dim() == 2 ? n * targets.size(1) : offset;
    seqs[n].T = in_len[n];
    for (int64_t k = 0; k < tg_len[n]; ++k) {
      const int64_t c = flat[start + k];
      SPOOL_CHECK(c >= 0 && c < C && c != o.blank, op, "target {} of sequence {} is {}: not a class of {} other than the blank {}",
                  k, n, c, C, o.blank);
      seqs[n].labels.push_back(c);
    }
    offset += tg_len[n];
  }

  const Tensor lp = log_probs.contiguous();
  std::vector<double> nll(N);
  std::vector<bool> impossible(N);  // no alignment: an infinite loss
  SPOOL_DISPATCH_FLOAT(lp.dtype(), op, [&] {
    const scalar_t* p = lp.data_ptr<scalar_t>();
    for (int64_t n = 0; n < N; ++n) {
      auto at = [&](int64_t t, int64_t c) { return double(p[(t * N + n) * C + c]); };
      const std::vector<int64_t> e = extended(seqs[n].labels, o.blank);
      const std::vector<double> alpha = recursion(at, seqs[n], e, o.blank, true);
      const int64_t S = static_cast<int64_t>(e.size()), last = seqs[n].T - 1;
      double total = kNegInf;
      if (last >= 0) {
        total = alpha[last * S + S - 1];
        if (S > 1) total = log_add(total, alpha[last * S + S - 2]);
      } else if (seqs[n].labels.empty()) {
        total = 0;  // an empty input aligns only with an empty target
      }
      nll[n] = -total;
      impossible[n] = std::isinf(nll[n]);
    }
  });
  std::vector<double> shown = nll;
  for (int64_t n = 0; n < N; ++n)
    if (impossible[n] && o.zero_infinity) shown[n] = 0;
  Tensor losses = tensor(shown, {N}, log_probs.dtype());
  losses = record(op, losses, {&log_probs},
                  [lp = SavedTensor(op, lp), seqs, nll, impossible, blank = o.blank, zero_inf = o.zero_infinity, N, C,
                   T](const Tensor& gy_in) -> Grads {
    const Tensor& lpt = lp;
    const std::vector<double> gy = gy_in.to_vector<double>();
    Tensor g = zeros({T, N, C}, lpt.dtype());
    SPOOL_DISPATCH_FLOAT(lpt.dtype(), "ctc_loss_backward", [&] {
      const scalar_t* p = lpt.data_ptr<scalar_t>();
      scalar_t* out = g.data_ptr<scalar_t>();
      for (int64_t n = 0; n < N; ++n) {
        auto at = [&](int64_t t, int64_t c) { return double(p[(t * N + n) * C + c]); };
        if (impossible[n]) {
          if (zero_inf) continue;  // no gradient, as its zeroed loss
          for (int64_t t = 0; t < seqs[n].T; ++t)  // an infinite loss has no gradient: NaN, as PyTorch
            for (int64_t c = 0; c < C; ++c) out[(t * N + n) * C + c] = std::numeric_limits<scalar_t>::quiet_NaN();
          continue;
        }
        const std::vector<int64_t> e = extended(seqs[n].labels, blank);
        const std::vector<double> alpha = recursion(at, seqs[n], e, blank, true);
        const std::vector<double> beta = recursion(at, seqs[n], e, blank, false);
        const int64_t S = static_cast<int64_t>(e.size());
        std::vector<double> lcab(C);
        for (int64_t t = 0; t < seqs[n].T; ++t) {
          std::fill(lcab.begin(), lcab.end(), kNegInf);
          for (int64_t s = 0; s < S; ++s) lcab[e[s]] = log_add(lcab[e[s]], alpha[t * S + s] + beta[t * S + s]);
          for (int64_t c = 0; c < C; ++c)
            if (lcab[c] != kNegInf) out[(t * N + n) * C + c] = scalar_t(-gy[n] * std::exp(lcab[c] + nll[n] - at(t, c)));
        }
      }
    });
    return {g};
  });
  switch (o.reduction) {
    case Reduction::None: return losses;
    case Reduction::Sum: return sum(losses);
    case Reduction::Mean: {
      // Each loss over its target length (at least 1), then the batch mean, as PyTorch.
      std::vector<double> scale(N);
      for (int64_t n = 0; n < N; ++n) scale[n] = 1.0 / static_cast<double>(std::max<int64_t>(tg_len[n], 1));
      return mean(losses * tensor(scale, {N}, log_probs.dtype()));
    }
  }
  return losses;
}

}  // namespace spool
