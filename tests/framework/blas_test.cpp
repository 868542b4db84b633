// The BLAS spool links: the serial build (tools/setup installs it, CMake
// prefers it), and gemm_into on transposed and strided operands.
#include <spool/framework/blas.hpp>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("blas: the linked OpenBLAS is the serial build") {
  // The threaded build's idle workers add ~0.3 us to every small product
  // (batch-1 recurrent steps); CMake links Debian's serial one instead.
  CHECK_FALSE(kernels::blas_is_threaded());
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
