// multinomial: draws follow the weights (frequency checks over many draws
// from a fixed seed), rows are independent, without replacement never
// repeats, and bad weights are errors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("multinomial: frequencies follow unnormalized weights") {
  manual_seed(3);
  const int64_t n = 40000;
  auto draws = multinomial(tensor({1.0, 2.0, 0.0, 7.0}), n, /*replacement=*/true).to_vector<int64_t>();
  REQUIRE(draws.size() == size_t(n));
  std::vector<double> freq(4, 0);
  for (int64_t d : draws) freq.at(size_t(d)) += 1.0 / n;
  CHECK(freq[0] == doctest::Approx(0.1).epsilon(0.1));
  CHECK(freq[1] == doctest::Approx(0.2).epsilon(0.1));
  CHECK(freq[2] == 0);  // a zero weight is never drawn
  CHECK(freq[3] == doctest::Approx(0.7).epsilon(0.03));
}

TEST_CASE("multinomial: weights near the largest double do not overflow their sum") {
  manual_seed(12);
  auto v = multinomial(tensor({1e308, 1e308}, {}, kFloat64), 2000, true).to_vector<int64_t>();
  const auto ones = std::count(v.begin(), v.end(), int64_t(1));
  CHECK(ones > 900);
  CHECK(ones < 1100);
}

TEST_CASE("multinomial: rows of a 2-D weight tensor draw independently") {
  manual_seed(4);
  Tensor w = tensor({0.0, 0.0, 1.0, 0.5, 0.5, 0.0}, {2, 3}, kFloat64);
  Tensor d = multinomial(w, 1000, true);
  CHECK(d.sizes() == Shape{2, 1000});
  CHECK(d.dtype() == kInt64);
  auto v = d.to_vector<int64_t>();
  CHECK(std::all_of(v.begin(), v.begin() + 1000, [](int64_t x) { return x == 2; }));
  const auto ones = std::count(v.begin() + 1000, v.end(), int64_t(1));
  CHECK(std::count(v.begin() + 1000, v.end(), int64_t(2)) == 0);
  CHECK(ones > 430);
  CHECK(ones < 570);
  // The same seed gives the same draws.
  manual_seed(4);
  CHECK(multinomial(w, 1000, true).to_vector<int64_t>() == v);
}

TEST_CASE("multinomial: without replacement each category at most once") {
  manual_seed(5);
  Tensor w = tensor({0.1, 5.0, 1.0, 0.3, 2.0});
  for (int i = 0; i < 50; ++i) {
    auto v = multinomial(w, 5).to_vector<int64_t>();
    CHECK(std::set<int64_t>(v.begin(), v.end()).size() == 5);
  }
  // The heaviest category comes first most of the time (5 / 8.4 of draws).
  int first_heavy = 0;
  for (int i = 0; i < 2000; ++i) first_heavy += multinomial(w, 2).to_vector<int64_t>()[0] == 1;
  CHECK(first_heavy / 2000.0 == doctest::Approx(5.0 / 8.4).epsilon(0.06));
}

TEST_CASE("multinomial: bad weights and counts are errors") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(multinomial(reshape(tensor({1.0}), {}), 1), "multinomial", "[C] or [N, C]", "[]");
  CHECK_ERROR(multinomial(ones({2, 2, 2}), 1), "multinomial", "[C] or [N, C]", "[2, 2, 2]");
  CHECK_ERROR(multinomial(tensor(std::vector<int64_t>{1, 2}), 1), "multinomial", "floating", "int64");
  CHECK_ERROR(multinomial(tensor({1.0, 2.0}), 0), "multinomial", "num_samples", "0");
  CHECK_ERROR(multinomial(zeros({3, 0}), 1), "multinomial", "no categories");
  CHECK_ERROR(multinomial(tensor({1.0, -0.5}), 1), "multinomial", "-0.5", "category 1");
  CHECK_ERROR(multinomial(tensor({1.0, inf}), 1), "multinomial", "inf", "finite");
  CHECK_ERROR(multinomial(tensor({nan, 1.0}), 1), "multinomial", "nan");
  CHECK_ERROR(multinomial(tensor({1.0, 1.0, 0.0, 0.0}, {2, 2}), 1), "multinomial", "row 1", "sums to 0");
  CHECK_ERROR(multinomial(tensor({1.0, 2.0}), 3), "multinomial", "3 samples without replacement", "2 categories");
  CHECK_ERROR(multinomial(tensor({1.0, 0.0, 2.0}), 3), "multinomial", "2 non-zero weights", "3 samples");
  // Rows are checked before any draw: a failed call leaves the generator as it was.
  manual_seed(11);
  const auto expected = multinomial(tensor({1.0, 2.0, 3.0}), 4, true).to_vector<int64_t>();
  manual_seed(11);
  CHECK_ERROR(multinomial(tensor({1.0, 1.0, 1.0, 1.0, -1.0, 1.0}, {2, 3}), 1), "multinomial", "row 1");
  CHECK(multinomial(tensor({1.0, 2.0, 3.0}), 4, true).to_vector<int64_t>() == expected);
  // With replacement, more samples than categories is fine.
  CHECK(multinomial(tensor({1.0, 2.0}), 3, true).numel() == 3);
}
