// GFLOP/s of spool's products for the shapes recurrent layers and attention
// run, with whichever kernel this process uses (SPOOL_ISA forces one
// of spool's, SPOOL_GEMM=openblas OpenBLAS), and the machine's 2-thread
// peak as the best of the candidates on a 2048^3 product: spool's kernel
// split across TBB, and OpenBLAS running its own 2 threads.
// Usage: spool_bench_gemm THREADS, or spool_bench_gemm --kernels (the
// kernel sets this processor runs, best first).
// Prints "CONFIG spool kernel=<name> threads=<n>", "CPU <model>",
// "RESULT <shape> <GFLOP/s>" and "PEAK <candidate> <GFLOP/s>".
#include <spool/spool.hpp>
#include <spool/framework/core/blas.hpp>
#include <spool/framework/core/gemm.hpp>

#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "timing.hpp"

using namespace spool;

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_corename();

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

// GFLOP/s of out = a @ b (a, b possibly transposed views) through spool.
double measure(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t batch = 0) {
  if (batch > 0) {
    const Tensor a = randn({batch, m, k}), b = randn({batch, k, n});
    Tensor out = zeros({batch, m, n});
    const double ns = bench::ns_per_op([&] { kernels::batched_gemm_into(out, a, b); }, 1.0, 5, 0.3);
    return 2.0 * batch * m * n * k / ns;
  }
  const Tensor a = ta ? transpose(randn({k, m}), 0, 1) : randn({m, k});
  const Tensor b = tb ? transpose(randn({n, k}), 0, 1) : randn({k, n});
  Tensor out = zeros({m, n});
  const double ns = bench::ns_per_op([&] { kernels::gemm_into(out, a, b); }, 1.0, 5, 0.3);
  return 2.0 * m * n * k / ns;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: spool_bench_gemm THREADS | --kernels\n"), 2;
  if (std::string(argv[1]) == "--kernels") {
    for (const kernels::KernelSet* k : kernels::available_gemm_kernels()) std::printf("%s ", k->name);
    std::printf("\n");
    return 0;
  }
  set_num_threads(std::atoi(argv[1]));
  manual_seed(0);
  std::string used = kernels::product_kernels();
  std::replace(used.begin(), used.end(), ' ', '_');
  std::printf("CONFIG spool kernel=%s threads=%d openblas_core=%s\n", used.c_str(), num_threads(),
              openblas_get_corename());
  std::printf("CPU %s\n", cpu_model().c_str());
  struct Shape {
    const char* name;
    int64_t m, n, k;
    bool ta, tb;
    int64_t batch;
  };
  const Shape shapes[] = {
      {"[64,512]x[512,2048]", 64, 2048, 512, false, false, 0},
      {"[64,512]x[2048,512]^T", 64, 2048, 512, false, true, 0},
      {"[512,64]^Tx[512,2048]", 64, 2048, 512, true, false, 0},
      {"[32,256]x[256,1024]", 32, 1024, 256, false, false, 0},
      {"[32,256]x[1024,256]^T", 32, 1024, 256, false, true, 0},
      {"[1,64]x[64,256]", 1, 256, 64, false, false, 0},
      {"32x[64,64]x[64,64]", 64, 64, 64, false, false, 32},
      {"[2048,2048]x[2048,2048]", 2048, 2048, 2048, false, false, 0},
  };
  for (const Shape& s : shapes) std::printf("RESULT %s %.1f\n", s.name, measure(s.m, s.n, s.k, s.ta, s.tb, s.batch));
  // OpenBLAS on its own 2 threads, the candidate spool's 2-thread figure is compared with.
  const int64_t n = 2048;
  const Tensor a = randn({n, n}), b = randn({n, n});
  Tensor c = zeros({n, n});
  openblas_set_num_threads(2);
  const double ns = bench::ns_per_op(
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data_ptr<float>(), n,
                    b.data_ptr<float>(), n, 0.0f, c.data_ptr<float>(), n);
      },
      1.0, 5, 0.3);
  std::printf("PEAK openblas_2_threads_%s %.1f\n", openblas_get_corename(), 2.0 * n * n * n / ns);
}
