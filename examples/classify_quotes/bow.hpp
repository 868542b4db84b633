// The bag-of-words baseline: multinomial logistic regression (softmax
// regression) on word features, trained with spool and tuned on the
// validation split only.
#pragma once

#include <spool/spool.hpp>

#include <string>
#include <vector>

namespace classify_quotes {

// One tokenized quotation per entry (the same tokenizer as the neural models).
using TokenLists = std::vector<std::vector<std::string>>;

struct BowSearch {
  std::vector<std::string> features{"binary", "tfidf"};  // presence, or sublinear tf-idf with unit L2 norm
  std::vector<int64_t> min_counts{1, 2};                 // a word is a feature when seen this often in training
  std::vector<double> l2{1e-5, 1e-4, 1e-3};              // weight of sum(W^2), added to the mean loss
  std::vector<int64_t> checkpoints{100, 200, 400};       // full-batch Adam steps at which validation is read
};

struct BowResult {
  std::string chosen;          // the settings validation picked, as text
  double validation_f1 = 0;    // their validation macro-F1
  spool::Tensor test_probabilities;  // [N_test, C]
};

// Fits one model per setting of `search` on the training split (with the
// neural models' class weights in the loss, when given), picks the one (and
// the step count) with the best validation macro-F1, and returns its
// test-split probabilities.
BowResult bow_logistic_regression(const TokenLists& train, const std::vector<int64_t>& train_labels,
                                  const TokenLists& validation, const std::vector<int64_t>& validation_labels,
                                  const TokenLists& test, int64_t classes, const BowSearch& search,
                                  const spool::Tensor& class_weights = {});

}  // namespace classify_quotes
