// Whole-tensor sums of more values than the partial sums' lanes (fixtures in
// tests/fixtures/ops.json cover small shapes): against a double-precision
// reference, integers exactly, and strided inputs.
#include <cmath>
#include <numeric>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("reduce: sum of many values (full lanes and a tail) matches a double reference") {
  manual_seed(5);
  for (int64_t n : {1, 63, 64, 65, 1000, 3200}) {
    CAPTURE(n);
    const Tensor x = randn({n});
    const auto v = x.to_vector<float>();
    const double ref = std::accumulate(v.begin(), v.end(), 0.0);
    CHECK(sum(x).item<double>() == doctest::Approx(ref).epsilon(1e-6).scale(std::sqrt(double(n))));
    const Tensor xd = x.to(kFloat64);
    CHECK(sum(xd).item<double>() == doctest::Approx(ref).epsilon(1e-12));
  }
  // 1e6 values of 0.1 in float: one running sum drifts to 100958 (~1%), the
  // partial sums to 99985 (0.015%).
  CHECK(sum(full({1000000}, 0.1)).item<double>() == doctest::Approx(100000.0).epsilon(1e-3));
  // Integers add exactly; a transposed (strided) input sums the same values.
  CHECK(sum(arange(100001)).item<int64_t>() == int64_t(5000050000));
  const Tensor m = randn({70, 30});
  CHECK(sum(m.t()).item<double>() == doctest::Approx(sum(m).item<double>()).epsilon(1e-6));
}
