// Evaluation metrics on plain values (no autograd).
//   auto f1 = spool::metrics::f1_score(pred, target, 3, spool::metrics::Average::Macro);
#pragma once

#include <string>
#include <vector>

#include "../core/tensor.hpp"

namespace spool::metrics {

// Fraction of predictions equal to the targets (int64 labels of one shape),
// or of argmax over the last dim when `predictions` are floating scores.
double accuracy(const Tensor& predictions, const Tensor& targets);

// confusion[t][p]: how many of class t were predicted as p.
std::vector<std::vector<int64_t>> confusion_matrix(const Tensor& predictions, const Tensor& targets,
                                                   int64_t num_classes);

enum class Average { None, Macro, Micro };
// Per class (Average::None) or averaged; classes never predicted (or never
// present) count as 0, as scikit-learn's zero_division=0.
std::vector<double> precision(const Tensor& predictions, const Tensor& targets, int64_t num_classes,
                              Average average = Average::None);
std::vector<double> recall(const Tensor& predictions, const Tensor& targets, int64_t num_classes,
                           Average average = Average::None);
std::vector<double> f1_score(const Tensor& predictions, const Tensor& targets, int64_t num_classes,
                             Average average = Average::None);

// exp(mean negative log-likelihood in nats); bits per character = mean NLL / ln 2.
double perplexity(double mean_nll);
double bits_per_character(double mean_nll);

double mse(const Tensor& predictions, const Tensor& targets);
double rmse(const Tensor& predictions, const Tensor& targets);
double mae(const Tensor& predictions, const Tensor& targets);
// Mean absolute percentage error, in percent; targets must be nonzero.
double mape(const Tensor& predictions, const Tensor& targets);

// Corpus BLEU (Papineni et al.): clipped n-gram precisions up to max_n
// pooled over the corpus, geometric mean, brevity penalty; one reference per
// hypothesis. Returns a value in [0, 1].
double corpus_bleu(const std::vector<std::vector<std::string>>& hypotheses,
                   const std::vector<std::vector<std::string>>& references, int max_n = 4);

}  // namespace spool::metrics
