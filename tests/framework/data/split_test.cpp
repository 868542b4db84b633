#include <map>
#include <set>

#include "test_util.hpp"

using namespace spool;

namespace {
// 100 examples of class 0, 50 of class 2 (no class 1), 20 of class 5, interleaved.
std::vector<int64_t> labels_170() {
  std::vector<int64_t> y;
  for (int i = 0; i < 100; ++i) {
    y.push_back(0);
    if (i % 2 == 0) y.push_back(2);
    if (i % 5 == 0) y.push_back(5);
  }
  return y;
}
std::map<int64_t, int64_t> class_counts(const std::vector<int64_t>& y, const std::vector<int64_t>& idx) {
  std::map<int64_t, int64_t> c;
  for (int64_t i : idx) ++c[y[static_cast<size_t>(i)]];
  return c;
}
}  // namespace

TEST_CASE("stratified_split: every class cut in the same proportions, parts disjoint and complete") {
  const std::vector<int64_t> y = labels_170();
  const IndexSplit s = stratified_split(y, 0.2, 0.1, 3);
  CHECK(class_counts(y, s.test) == std::map<int64_t, int64_t>{{0, 10}, {2, 5}, {5, 2}});
  CHECK(class_counts(y, s.validation) == std::map<int64_t, int64_t>{{0, 20}, {2, 10}, {5, 4}});
  CHECK(class_counts(y, s.train) == std::map<int64_t, int64_t>{{0, 70}, {2, 35}, {5, 14}});
  std::set<int64_t> all;
  for (const auto* part : {&s.train, &s.validation, &s.test}) {
    CHECK(std::is_sorted(part->begin(), part->end()));
    all.insert(part->begin(), part->end());
  }
  CHECK(all.size() == y.size());
  CHECK(*all.begin() == 0);
  CHECK(*all.rbegin() == static_cast<int64_t>(y.size()) - 1);
  // Rounding per class: 7 examples at 0.15 give round(1.05) = 1 to each held-out part.
  const IndexSplit small = stratified_split(std::vector<int64_t>(7, 4), 0.15, 0.15);
  CHECK(small.test.size() == 1);
  CHECK(small.validation.size() == 1);
  CHECK(small.train.size() == 5);
  // No held-out parts at all.
  const IndexSplit none = stratified_split(y, 0.0, 0.0);
  CHECK(none.train.size() == y.size());
  CHECK(none.validation.empty());
  CHECK(none.test.empty());
}

TEST_CASE("stratified_split: the same seed gives the same split, another seed another") {
  const std::vector<int64_t> y = labels_170();
  const IndexSplit a = stratified_split(y, 0.15, 0.15, 7), b = stratified_split(y, 0.15, 0.15, 7);
  CHECK(a.train == b.train);
  CHECK(a.validation == b.validation);
  CHECK(a.test == b.test);
  const IndexSplit c = stratified_split(y, 0.15, 0.15, 8);
  CHECK(c.test != a.test);
  CHECK(class_counts(y, c.test) == class_counts(y, a.test));
  // The tensor form splits alike.
  const IndexSplit t = stratified_split(tensor(y), 0.15, 0.15, 7);
  CHECK(t.test == a.test);
  CHECK(t.train == a.train);
}

TEST_CASE("stratified_split: bad fractions and labels are errors naming the values") {
  const std::vector<int64_t> y = labels_170();
  CHECK_ERROR(stratified_split(y, 0.5, 0.5), "stratified_split", "validation 0.5 and test 0.5");
  CHECK_ERROR(stratified_split(y, -0.1, 0.2), "stratified_split", "validation -0.1 and test 0.2");
  CHECK_ERROR(stratified_split(y, 0.1, std::nan("")), "stratified_split", "test nan");
  CHECK_ERROR(stratified_split(std::vector<int64_t>{0, 1, -2}, 0.1, 0.1), "stratified_split", "got -2 at index 2");
  CHECK_ERROR(stratified_split(std::vector<int64_t>{}, 0.1, 0.1), "stratified_split", "no labels");
  // Two examples of class 3 cannot give one to each held-out part and still train.
  CHECK_ERROR(stratified_split(std::vector<int64_t>{0, 0, 0, 0, 3, 3}, 0.3, 0.3), "stratified_split",
              "class 3 has 2 examples: 1 for validation and 1 for test leave none to train on");
  CHECK_ERROR(stratified_split(tensor({1.0, 2.0}), 0.1, 0.1), "stratified_split", "int64 tensor [N]",
              "float32 of shape [2]");
}
