#include "split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "../core/error.hpp"

namespace spool {

IndexSplit stratified_split(const std::vector<int64_t>& labels, double validation_fraction, double test_fraction,
                            uint64_t seed) {
  const char* op = "stratified_split";
  SPOOL_CHECK(std::isfinite(validation_fraction) && std::isfinite(test_fraction) && validation_fraction >= 0 &&
                  test_fraction >= 0 && validation_fraction + test_fraction < 1,
              op, "fractions must be >= 0 and leave a training part, got validation {} and test {}",
              validation_fraction, test_fraction);
  SPOOL_CHECK(!labels.empty(), op, "no labels");
  std::map<int64_t, std::vector<int64_t>> by_class;  // ordered: classes are cut in a fixed order
  for (size_t i = 0; i < labels.size(); ++i) {
    SPOOL_CHECK(labels[i] >= 0, op, "labels must be class ids >= 0, got {} at index {}", labels[i], i);
    by_class[labels[i]].push_back(static_cast<int64_t>(i));
  }
  IndexSplit out;
  std::mt19937_64 rng(seed);
  for (auto& [label, members] : by_class) {
    const auto n = static_cast<int64_t>(members.size());
    const auto n_test = static_cast<int64_t>(std::llround(static_cast<double>(n) * test_fraction));
    const auto n_val = static_cast<int64_t>(std::llround(static_cast<double>(n) * validation_fraction));
    SPOOL_CHECK(n - n_test - n_val >= 1, op,
                "class {} has {} examples: {} for validation and {} for test leave none to train on", label, n,
                n_val, n_test);
    std::shuffle(members.begin(), members.end(), rng);
    out.test.insert(out.test.end(), members.begin(), members.begin() + n_test);
    out.validation.insert(out.validation.end(), members.begin() + n_test, members.begin() + n_test + n_val);
    out.train.insert(out.train.end(), members.begin() + n_test + n_val, members.end());
  }
  for (auto* part : {&out.train, &out.validation, &out.test}) std::sort(part->begin(), part->end());
  return out;
}

IndexSplit stratified_split(const Tensor& labels, double validation_fraction, double test_fraction, uint64_t seed) {
  SPOOL_CHECK(labels.dim() == 1 && labels.dtype() == kInt64, "stratified_split",
              "labels must be an int64 tensor [N], got {} of shape {}", dtype_name(labels.dtype()), labels.sizes());
  return stratified_split(labels.to_vector<int64_t>(), validation_fraction, test_fraction, seed);
}

}  // namespace spool
