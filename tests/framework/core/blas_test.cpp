// The BLAS spool links (a build safe to call from several threads) and
// gemm_into on transposed and strided operands.
#include <spool/framework/core/blas.hpp>

#include <limits>


#include "test_util.hpp"

using namespace spool;

TEST_CASE("blas: the linked OpenBLAS is a threaded build") {
  // Debian's serial OpenBLAS (built without USE_LOCKING) is unsafe to call
  // from two threads at once, so spool would have to serialize its products;
  // CMake links the pthread build, which spool runs with one thread per call.
  CHECK(kernels::blas_is_threaded());
}

TEST_CASE("blas: products split across threads give the one-thread result every time") {
  // With the serial build called concurrently, 4-26 of these 2000 products
  // came out wrong (and a 2-thread LSTM's gradients were off by ~1%).
  manual_seed(7);
  const Tensor a = randn({32, 256}), b = randn({256, 1024});  // a medium LSTM step's product
  Tensor want = zeros({32, 1024}), got = zeros({32, 1024});
  const int threads = num_threads();
  set_num_threads(1);
  kernels::gemm_into(want, a, b, 1.0, 0.0);
  set_num_threads(threads);
  // Split into column blocks that start on both threads at the same moment.
  int mismatches = 0;
  for (int rep = 0; rep < 2000; ++rep) {
    kernels::gemm_into(got, a, b, 1.0, 0.0);
    mismatches += got.to_vector<float>() != want.to_vector<float>();
  }
  CHECK(mismatches == 0);
}

TEST_CASE("blas: gemm_into accumulates alpha a @ b into out for transposed and sliced operands") {
  const Tensor a = arange(0.0, 12.0, 1.0, kFloat64).reshape({3, 4});  // [3, 4]
  const Tensor b = arange(0.0, 10.0, 1.0, kFloat64).reshape({2, 5});  // b.T is [5, 2]
  const Tensor bt = slice(transpose(b, 0, 1), 0, 0, 4);                     // [4, 2], strided
  Tensor out = ones({3, 2}, kFloat64);
  kernels::gemm_into(out, a, bt, 2.0, 1.0);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 2; ++j) {
      double want = 1.0;
      for (int64_t k = 0; k < 4; ++k) want += 2.0 * (4 * i + k) * (5 * j + k);
      CHECK(out.at<double>({i, j}) == want);
    }
}

TEST_CASE("blas: a product with no inner dim leaves beta * out") {
  Tensor out = ones({3, 2});
  kernels::gemm_into(out, zeros({3, 0}), zeros({0, 2}), 1.0, 2.5);
  CHECK(allclose(out, full({3, 2}, 2.5)));
  Tensor batched = full({2, 3, 2}, std::numeric_limits<double>::quiet_NaN());
  kernels::batched_gemm_into(batched, zeros({2, 3, 0}), zeros({2, 0, 2}), 1.0, 0.0);
  CHECK(allclose(batched, zeros({2, 3, 2})));
  Tensor halved = ones({2, 3, 2});
  kernels::batched_gemm_into(halved, zeros({2, 3, 0}), zeros({2, 0, 2}), 1.0, 0.5);
  CHECK(allclose(halved, full({2, 3, 2}, 0.5)));
}
