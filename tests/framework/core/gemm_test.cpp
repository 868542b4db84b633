// spool's product kernels (framework/core/gemm.hpp): every kernel set this
// processor can run, both dtypes, both transposes, strided operands, edge
// sizes around the register tile and the cache blocks, alpha and beta,
// against a float64 reference loop; packed products equal to plain ones;
// the same bits at 1, 2 and 4 threads.
#include <array>
#include <cmath>
#include <cstdlib>
#include <string>
#include <limits>
#include <utility>
#include <vector>

#include <spool/framework/core/blas.hpp>
#include <spool/framework/core/gemm.hpp>
#include "test_util.hpp"

using namespace spool;
using namespace spool::kernels;

namespace {

// c = alpha * a @ b + beta * c in float64, element by element.
std::vector<double> reference(int64_t m, int64_t n, int64_t k, const std::vector<double>& a, bool ta,
                              const std::vector<double>& b, bool tb, const std::vector<double>& c, double alpha,
                              double beta) {
  std::vector<double> out(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = alpha * s + (beta != 0 ? beta * c[i * n + j] : 0.0);
    }
  return out;
}

template <typename T>
void check_set(const KernelSet& set, int64_t m, int64_t n, int64_t k, bool ta, bool tb, double alpha, double beta) {
  const std::string name = set.name;
  CAPTURE(name);
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(k);
  CAPTURE(ta);
  CAPTURE(tb);
  CAPTURE(beta);
  const std::vector<double> a = randn({m * k}, kFloat64).to_vector<double>(), b = randn({k * n}, kFloat64).to_vector<double>();
  std::vector<double> c = randn({m * n}, kFloat64).to_vector<double>();
  const std::vector<double> want = reference(m, n, k, a, ta, b, tb, c, alpha, beta);
  std::vector<T> at(a.begin(), a.end()), bt(b.begin(), b.end()), ct(c.begin(), c.end());
  if (beta == 0) std::fill(ct.begin(), ct.end(), std::numeric_limits<T>::quiet_NaN());  // ignored, NaN included
  const Operand<T> A{at.data(), ta ? 1 : k, ta ? m : 1}, B{bt.data(), tb ? 1 : n, tb ? k : 1};
  const TypedKernels<T>& kern = set.of<T>();
  std::vector<T> scratch(kern.scratch_size(n));
  std::vector<T> plain = ct;
  kern.gemm({m, n, k, A, B, plain.data(), n, T(alpha), T(beta)}, scratch.data());
  const double tol = (sizeof(T) == 4 ? 2e-6 : 1e-14) * (4.0 + std::sqrt(double(k))) * 8;
  double worst = 0;
  for (int64_t i = 0; i < m * n; ++i) worst = std::max(worst, std::abs(double(plain[i]) - want[i]) / (1.0 + std::abs(want[i])));
  CHECK(worst < tol);
  // B packed once: all columns at once, and in two ranges (as threads split
  // them) with the same bits; both near the reference.
  std::vector<T> packed(kern.packed_size(k, n)), scratch2(kern.packed_scratch), whole = ct, split = ct;
  kern.pack(B, k, n, packed.data());
  kern.gemm_packed(A, packed.data(), 0, m, 0, n, k, n, whole.data(), n, T(alpha), T(beta), scratch2.data());
  const int64_t mid = (n / 2) / kern.nr * kern.nr;
  kern.gemm_packed(A, packed.data(), 0, m, 0, mid, k, n, split.data(), n, T(alpha), T(beta), scratch2.data());
  kern.gemm_packed(A, packed.data(), 0, m, mid, n, k, n, split.data(), n, T(alpha), T(beta), scratch2.data());
  bool same = true;
  double worst_packed = 0;
  for (int64_t i = 0; i < m * n; ++i) {
    same = same && (whole[i] == split[i]);
    worst_packed = std::max(worst_packed, std::abs(double(whole[i]) - want[i]) / (1.0 + std::abs(want[i])));
  }
  CHECK(same);
  CHECK(worst_packed < tol);
}

}  // namespace

TEST_CASE("gemm kernels: every instruction set, dtype and transpose against a float64 reference") {
  manual_seed(31);
  const auto sets = available_gemm_kernels();
  REQUIRE(!sets.empty());
  CHECK(std::string(sets.back()->name) == "sse2");
  // Around the register tiles (up to 12 x 32) and the cache blocks (kc 192 / 256, nc 4096).
  // Up to 4 rows take the direct paths: sums of B's rows in chunks of 1 to 8
  // registers (56, 80, 100 columns give every chunk width on some set), dot
  // products for a transposed B (37 columns, 70 inner: column groups, tails).
  const std::vector<std::array<int64_t, 3>> shapes{
      {1, 1, 1},     {1, 33, 7},   {3, 37, 70},   {4, 16, 64},   {1, 56, 40},  {1, 80, 9},   {2, 100, 33},
      {5, 17, 3},    {12, 32, 192}, {13, 31, 193}, {7, 64, 257}, {29, 40, 300}, {2, 4100, 5}};
  for (const KernelSet* set : sets)
    for (const auto& [m, n, k] : shapes)
      for (int t = 0; t < 4; ++t) {
        const bool ta = t & 1, tb = t & 2;
        // Each layout gets beta = 0 (c's NaN ignored) in one dtype.
        check_set<float>(*set, m, n, k, ta, tb, 0.7, t % 2 == 0 ? 0.0 : 0.3);
        check_set<double>(*set, m, n, k, ta, tb, 1.0, t % 2 == 1 ? 0.0 : 1.0);
      }
}

TEST_CASE("gemm: the kernel in use is the best available, products are the same bits at 1, 2 and 4 threads") {
  const char* forced = std::getenv("SPOOL_ISA");
  if (forced == nullptr || *forced == '\0') CHECK(std::string(gemm_kernels().name) == available_gemm_kernels().front()->name);
  CHECK_ERROR(gemm_kernels("avx9"), "gemm", "avx9", "sse2");
  manual_seed(32);
  // A large product (split by rows), and short wide ones (split by columns)
  // with B's rows or its columns contiguous.
  const Tensor w = randn({4100, 512});
  const std::vector<std::pair<Tensor, Tensor>> products{
      {randn({300, 700}), transpose(randn({900, 700}), 0, 1)}, {randn({2, 512}), randn({512, 4100})},
      {randn({2, 512}), transpose(w, 0, 1)}};
  const int threads = num_threads();
  for (const auto& [a, b] : products) {
    CAPTURE(a.sizes());
    std::vector<std::vector<float>> results;
    for (int n : {1, 2, 4}) {
      set_num_threads(n);
      Tensor c = zeros({a.size(0), b.size(1)});
      gemm_into(c, a, b, 1.0, 0.0);
      results.push_back(c.to_vector<float>());
    }
    set_num_threads(threads);
    CHECK(results[0] == results[1]);
    CHECK(results[0] == results[2]);
    Tensor c = zeros({a.size(0), b.size(1)});
    gemm_into(c, a, b, 1.0, 0.0);
    CHECK(allclose(c, matmul(a.to(kFloat64), b.to(kFloat64)).to(kFloat32), 1e-4, 1e-4));
  }
}
