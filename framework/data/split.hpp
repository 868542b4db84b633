// Stratified train / validation / test split, as scikit-learn's
// train_test_split(..., stratify=y) applied twice, in one call: every class
// is shuffled with the seed and cut in the same proportions, so each part
// keeps the class balance of the whole (a rare class is not left out of the
// test part by chance).
//
// Example (given std::vector<int64_t> labels):
//   spool::IndexSplit parts = spool::stratified_split(labels, /*validation=*/0.15, /*test=*/0.15, /*seed=*/0);
//   for (int64_t i : parts.train) { /* labels[i] is a training example's class */ }
#pragma once

#include <cstdint>
#include <vector>

#include "../core/tensor.hpp"

namespace spool {

// Indices into the labelled examples, ascending within each part.
struct IndexSplit {
  std::vector<int64_t> train, validation, test;
};

// labels: class ids >= 0 (gaps allowed). A class of n examples puts
// round(n * test_fraction) of them into test, round(n * validation_fraction)
// into validation and the rest into train; which ones is a seeded shuffle
// of that class (std::mt19937_64, the same on every run and thread count).
// Fractions must be >= 0 with a sum below 1, and every class must keep at
// least one training example; otherwise spool::Error names the values.
IndexSplit stratified_split(const std::vector<int64_t>& labels, double validation_fraction, double test_fraction,
                            uint64_t seed = 0);
// The same for an int64 tensor of labels [N].
IndexSplit stratified_split(const Tensor& labels, double validation_fraction, double test_fraction,
                            uint64_t seed = 0);

}  // namespace spool
