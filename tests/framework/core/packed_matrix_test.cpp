// kernels::PackedMatrix: products with a right operand packed once, against
// sums computed here, across its register blocks (8 rows, a remainder, one
// row alone) and column panels (full, partial, several).
#include <spool/framework/core/packed_matrix.hpp>

#include <cmath>
#include <limits>
#include <utility>

#include "test_util.hpp"

using namespace spool;

namespace {

// alpha * a @ b + beta * out0, in double, element by element.
std::vector<double> expected_product(const Tensor& a, const Tensor& b, const Tensor& out0, double alpha, double beta) {
  const Tensor ad = a.to(kFloat64), bd = b.to(kFloat64), od = out0.to(kFloat64);
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  std::vector<double> want(M * N);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += ad.at<double>({i, k}) * bd.at<double>({k, j});
      want[i * N + j] = alpha * s + (beta == 0 ? 0.0 : beta * od.at<double>({i, j}));
    }
  return want;
}

void check_close(const Tensor& got, const std::vector<double>& want, double rtol) {
  const std::vector<double> g = got.to(kFloat64).to_vector<double>();
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i << ": " << g[i] << " vs " << want[i]);
    CHECK(std::abs(g[i] - want[i]) <= rtol * (1.0 + std::abs(want[i])));
  }
}

}  // namespace

TEST_CASE("packed_matrix: products equal plain sums for every row block and column panel") {
  manual_seed(11);
  for (ScalarType dtype : {kFloat32, kFloat64}) {
    const int64_t w = kernels::PackedMatrix(zeros({1, 1}, dtype)).panel_width();
    CHECK(w >= 4);
    for (int64_t M = 1; M <= 17; ++M)
      for (int64_t N : {int64_t(1), w - 1, w, w + 1, 2 * w + 3})
        for (int64_t K : {1, 3, 17}) {
          INFO(dtype_name(dtype) << " M " << M << " N " << N << " K " << K);
          const Tensor a = randn({M, K}, dtype), b = randn({K, N}, dtype), out0 = randn({M, N}, dtype);
          const kernels::PackedMatrix packed(b);
          CHECK(packed.rows() == K);
          CHECK(packed.cols() == N);
          Tensor out = out0.clone();
          packed.multiply_into(out, a, 1.5, 0.5);
          check_close(out, expected_product(a, b, out0, 1.5, 0.5), dtype == kFloat32 ? 1e-5 : 1e-12);
        }
  }
}

TEST_CASE("packed_matrix: strided operands (a transposed weight, a transposed or row-sliced input)") {
  manual_seed(12);
  // [N, K] as a linear weight; K = 21 and N = 70 leave partial 8 x 8 blocks
  // and a partial panel when the transposed weight is packed.
  for (const auto& [N, K] : {std::pair<int64_t, int64_t>{40, 24}, {70, 21}}) {
    CAPTURE(N);
    CAPTURE(K);
    const Tensor weight = randn({N, K});
    const Tensor b = transpose(weight, 0, 1);  // [K, N], columns contiguous
    const kernels::PackedMatrix packed(b);
    const Tensor at = transpose(randn({K, 5}), 0, 1);       // [5, K], non-unit column stride
    const Tensor rows = narrow(randn({5, K + 6}), 1, 3, K);  // [5, K], row stride K + 6
    for (const Tensor& a : {at, rows}) {
      Tensor out = zeros({5, N});
      packed.multiply_into(out, a);
      check_close(out, expected_product(a, b, out, 1.0, 0.0), 1e-5);
    }
    // One row with a non-unit column stride; a row broadcast down (stride 0).
    const Tensor one_row = narrow(at, 0, 2, 1), broadcast = expand(narrow(rows, 0, 1, 1), {6, K});
    for (const Tensor& a : {one_row, broadcast}) {
      Tensor out = zeros({a.size(0), N});
      packed.multiply_into(out, a);
      check_close(out, expected_product(a, b, out, 1.0, 0.0), 1e-5);
    }
  }
}

TEST_CASE("packed_matrix: an input sharing the result's storage is read before it is overwritten") {
  manual_seed(15);
  const Tensor b = randn({6, 6});  // square: h = h @ b in place
  const kernels::PackedMatrix packed(b);
  for (int64_t M : {1, 9}) {
    Tensor h = randn({M, 6});
    const Tensor before = h.clone();
    packed.multiply_into(h, h);
    check_close(h, expected_product(before, b, before, 1.0, 0.0), 1e-5);
  }
}

TEST_CASE("packed_matrix: beta = 0 ignores NaN in the result, no inner dim leaves beta * out") {
  manual_seed(13);
  const int64_t w = kernels::PackedMatrix(zeros({1, 1})).panel_width();
  // Partial and full panels, the single-row path, an 8-row block and a tail.
  for (int64_t M : {1, 3, 9})
    for (int64_t N : {int64_t(5), w}) {
      const Tensor a = randn({M, 4}), b = randn({4, N});
      Tensor out = full({M, N}, std::numeric_limits<double>::quiet_NaN());
      kernels::PackedMatrix(b).multiply_into(out, a, 2.0, 0.0);
      check_close(out, expected_product(a, b, out, 2.0, 0.0), 1e-5);
    }
  Tensor nan_out = full({3, 5}, std::numeric_limits<double>::quiet_NaN());
  kernels::PackedMatrix(zeros({0, 5})).multiply_into(nan_out, zeros({3, 0}), 1.0, 0.0);
  CHECK(allclose(nan_out, zeros({3, 5})));
  const Tensor b = randn({4, 5});

  const kernels::PackedMatrix empty_inner(zeros({0, 5}));
  Tensor ones_out = ones({3, 5});
  empty_inner.multiply_into(ones_out, zeros({3, 0}), 1.0, 2.5);
  CHECK(allclose(ones_out, full({3, 5}, 2.5)));
  empty_inner.multiply_into(ones_out, zeros({3, 0}), 1.0, 0.0);
  CHECK(allclose(ones_out, zeros({3, 5})));
  Tensor no_rows = zeros({0, 5});
  kernels::PackedMatrix(b).multiply_into(no_rows, zeros({0, 4}));
  CHECK(no_rows.numel() == 0);
}

TEST_CASE("packed_matrix: a product split across threads gives the one-thread result every time") {
  manual_seed(14);
  const Tensor a = randn({32, 256}), b = randn({256, 1024});  // a medium LSTM step's product
  const kernels::PackedMatrix packed(b);
  Tensor want = zeros({32, 1024}), got = zeros({32, 1024});
  const int threads = num_threads();
  set_num_threads(1);
  packed.multiply_into(want, a);
  set_num_threads(2);
  int mismatches = 0;
  for (int rep = 0; rep < 200; ++rep) {
    packed.multiply_into(got, a);
    mismatches += got.to_vector<float>() != want.to_vector<float>();
  }
  set_num_threads(threads);
  CHECK(mismatches == 0);
  check_close(want, expected_product(a, b, want, 1.0, 0.0), 1e-4);
}

TEST_CASE("packed_matrix: a lazily packed matrix is packed once, whichever thread asks first") {
  const Tensor b = randn({7, 9});
  const kernels::LazyPackedMatrix lazy(b);
  std::shared_ptr<const kernels::PackedMatrix> first, second;
  parallel_invoke([&] { first = lazy.get(); }, [&] { second = lazy.get(); });
  CHECK(first != nullptr);
  CHECK(first.get() == second.get());
  CHECK(lazy.get().get() == first.get());
  CHECK(first->rows() == 7);
  CHECK(first->cols() == 9);
}

TEST_CASE("packed_matrix: bad operands are errors naming the shapes") {
  const kernels::PackedMatrix packed(zeros({4, 5}));
  Tensor out = zeros({3, 5});
  CHECK_ERROR(packed.multiply_into(out, zeros({3, 6})), "gemm", "[3, 6]", "[4, 5]");
  Tensor wrong_out = zeros({3, 6});
  CHECK_ERROR(packed.multiply_into(wrong_out, zeros({3, 4})), "gemm", "[3, 6]");
  Tensor strided_out = transpose(zeros({5, 3}), 0, 1);
  CHECK_ERROR(packed.multiply_into(strided_out, zeros({3, 4})), "gemm", "contiguous");
  CHECK_ERROR(packed.multiply_into(out, zeros({3, 4}, kFloat64)), "gemm", "float64");
  CHECK_ERROR(kernels::PackedMatrix(zeros({2, 3, 4})), "PackedMatrix", "[2, 3, 4]");
  CHECK_ERROR(kernels::PackedMatrix(zeros({2, 3}, kInt64)), "PackedMatrix", "int64");
}
