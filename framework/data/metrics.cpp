#include "metrics.hpp"

#include <cmath>
#include <map>

#include "../core/error.hpp"

namespace spool::metrics {

namespace {

std::vector<int64_t> labels_of(const Tensor& predictions, const char* op) {
  if (predictions.dtype() == kInt64) return predictions.to_vector<int64_t>();
  SPOOL_CHECK(predictions.is_floating_point() && predictions.dim() >= 1, op,
              "predictions must be int64 labels or floating scores, got {} of shape {}",
              dtype_name(predictions.dtype()), predictions.sizes());
  const int64_t C = predictions.size(-1), n = predictions.numel() / std::max<int64_t>(C, 1);
  const auto v = predictions.to_vector<double>();
  std::vector<int64_t> out(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    for (int64_t c = 1; c < C; ++c)
      if (v[i * C + c] > v[i * C + best]) best = c;
    out[i] = best;
  }
  return out;
}

std::pair<std::vector<int64_t>, std::vector<int64_t>> pairs_of(const Tensor& predictions, const Tensor& targets,
                                                               const char* op) {
  SPOOL_CHECK(targets.dtype() == kInt64, op, "targets must be int64 labels, got {}", dtype_name(targets.dtype()));
  // Labels match the targets' shape; scores have one more (last) dim of classes.
  Shape label_shape = predictions.sizes();
  if (predictions.dtype() != kInt64 && label_shape.size() > 0) label_shape.erase(label_shape.size() - 1);
  SPOOL_CHECK(label_shape == targets.sizes(), op,
              "predictions of shape {} do not match targets of shape {} (labels: the same shape; scores: one more "
              "dim of classes)", predictions.sizes(), targets.sizes());
  auto p = labels_of(predictions, op);
  auto t = targets.to_vector<int64_t>();
  SPOOL_CHECK(!t.empty(), op, "no samples");
  return {p, t};
}

std::vector<double> values_of(const Tensor& predictions, const Tensor& targets, const char* op,
                              std::vector<double>& t) {
  SPOOL_CHECK(predictions.sizes() == targets.sizes(), op, "predictions of shape {} and targets of shape {} differ",
              predictions.sizes(), targets.sizes());
  SPOOL_CHECK(predictions.numel() > 0, op, "no samples");
  t = targets.to_vector<double>();
  return predictions.to_vector<double>();
}

struct Counts {
  std::vector<double> tp, fp, fn;
};

Counts counts(const Tensor& predictions, const Tensor& targets, int64_t C, const char* op) {
  auto cm = confusion_matrix(predictions, targets, C);
  Counts k{std::vector<double>(C), std::vector<double>(C), std::vector<double>(C)};
  for (int64_t t = 0; t < C; ++t)
    for (int64_t p = 0; p < C; ++p) {
      if (t == p) k.tp[t] += cm[t][p];
      else {
        k.fn[t] += cm[t][p];
        k.fp[p] += cm[t][p];
      }
    }
  (void)op;
  return k;
}

double ratio(double a, double b) { return b == 0 ? 0.0 : a / b; }

std::vector<double> summarize(const std::vector<double>& per_class, const Counts& k, Average avg,
                              double (*micro)(const Counts&)) {
  if (avg == Average::None) return per_class;
  if (avg == Average::Micro) return {micro(k)};
  double s = 0;
  for (double v : per_class) s += v;
  return {per_class.empty() ? 0.0 : s / per_class.size()};
}

double sum_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

double accuracy(const Tensor& predictions, const Tensor& targets) {
  auto [p, t] = pairs_of(predictions, targets, "accuracy");
  int64_t right = 0;
  for (size_t i = 0; i < p.size(); ++i) right += p[i] == t[i];
  return static_cast<double>(right) / p.size();
}

std::vector<std::vector<int64_t>> confusion_matrix(const Tensor& predictions, const Tensor& targets, int64_t C) {
  SPOOL_CHECK(C > 0, "confusion_matrix", "num_classes must be positive, got {}", C);
  auto [p, t] = pairs_of(predictions, targets, "confusion_matrix");
  std::vector<std::vector<int64_t>> cm(C, std::vector<int64_t>(C, 0));
  for (size_t i = 0; i < p.size(); ++i) {
    SPOOL_CHECK(t[i] >= 0 && t[i] < C && p[i] >= 0 && p[i] < C, "confusion_matrix",
                "label {} / prediction {} out of range for {} classes", t[i], p[i], C);
    ++cm[t[i]][p[i]];
  }
  return cm;
}

std::vector<double> precision(const Tensor& predictions, const Tensor& targets, int64_t C, Average avg) {
  Counts k = counts(predictions, targets, C, "precision");
  std::vector<double> per(C);
  for (int64_t c = 0; c < C; ++c) per[c] = ratio(k.tp[c], k.tp[c] + k.fp[c]);
  return summarize(per, k, avg, [](const Counts& k) { return ratio(sum_of(k.tp), sum_of(k.tp) + sum_of(k.fp)); });
}

std::vector<double> recall(const Tensor& predictions, const Tensor& targets, int64_t C, Average avg) {
  Counts k = counts(predictions, targets, C, "recall");
  std::vector<double> per(C);
  for (int64_t c = 0; c < C; ++c) per[c] = ratio(k.tp[c], k.tp[c] + k.fn[c]);
  return summarize(per, k, avg, [](const Counts& k) { return ratio(sum_of(k.tp), sum_of(k.tp) + sum_of(k.fn)); });
}

std::vector<double> f1_score(const Tensor& predictions, const Tensor& targets, int64_t C, Average avg) {
  Counts k = counts(predictions, targets, C, "f1_score");
  std::vector<double> per(C);
  for (int64_t c = 0; c < C; ++c) per[c] = ratio(2 * k.tp[c], 2 * k.tp[c] + k.fp[c] + k.fn[c]);
  return summarize(per, k, avg, [](const Counts& k) {
    return ratio(2 * sum_of(k.tp), 2 * sum_of(k.tp) + sum_of(k.fp) + sum_of(k.fn));
  });
}

double perplexity(double mean_nll) { return std::exp(mean_nll); }
double bits_per_character(double mean_nll) { return mean_nll / std::log(2.0); }

double mse(const Tensor& predictions, const Tensor& targets) {
  std::vector<double> t;
  auto p = values_of(predictions, targets, "mse", t);
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) s += (p[i] - t[i]) * (p[i] - t[i]);
  return s / p.size();
}
double rmse(const Tensor& predictions, const Tensor& targets) { return std::sqrt(mse(predictions, targets)); }
double mae(const Tensor& predictions, const Tensor& targets) {
  std::vector<double> t;
  auto p = values_of(predictions, targets, "mae", t);
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) s += std::fabs(p[i] - t[i]);
  return s / p.size();
}
double mape(const Tensor& predictions, const Tensor& targets) {
  std::vector<double> t;
  auto p = values_of(predictions, targets, "mape", t);
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    SPOOL_CHECK(t[i] != 0, "mape", "target {} is zero; MAPE is undefined there", i);
    s += std::fabs((p[i] - t[i]) / t[i]);
  }
  return 100.0 * s / p.size();
}

double corpus_bleu(const std::vector<std::vector<std::string>>& hyps, const std::vector<std::vector<std::string>>& refs,
                   int max_n) {
  SPOOL_CHECK(hyps.size() == refs.size(), "corpus_bleu", "{} hypotheses for {} references", hyps.size(), refs.size());
  SPOOL_CHECK(max_n >= 1, "corpus_bleu", "max_n must be >= 1, got {}", max_n);
  std::vector<double> matched(max_n, 0), total(max_n, 0);
  double hyp_len = 0, ref_len = 0;
  for (size_t s = 0; s < hyps.size(); ++s) {
    const auto &h = hyps[s], &r = refs[s];
    hyp_len += h.size();
    ref_len += r.size();
    for (int n = 1; n <= max_n; ++n) {
      std::map<std::vector<std::string>, int> ref_counts, hyp_counts;
      for (size_t i = 0; i + n <= r.size(); ++i) ++ref_counts[{r.begin() + i, r.begin() + i + n}];
      for (size_t i = 0; i + n <= h.size(); ++i) ++hyp_counts[{h.begin() + i, h.begin() + i + n}];
      for (auto& [gram, c] : hyp_counts) {
        auto it = ref_counts.find(gram);
        matched[n - 1] += std::min(c, it == ref_counts.end() ? 0 : it->second);
        total[n - 1] += c;
      }
    }
  }
  double log_sum = 0;
  for (int n = 0; n < max_n; ++n) {
    if (matched[n] == 0 || total[n] == 0) return 0.0;
    log_sum += std::log(matched[n] / total[n]);
  }
  const double bp = hyp_len >= ref_len ? 1.0 : std::exp(1 - ref_len / std::max(hyp_len, 1.0));
  return bp * std::exp(log_sum / max_n);
}

}  // namespace spool::metrics
