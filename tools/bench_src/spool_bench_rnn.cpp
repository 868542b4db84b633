// One training step (forward + backward of the summed output) of spool's
// LSTM / GRU / BiLSTM. Usage: spool_bench_rnn CONFIG THREADS | spool_bench_rnn peak
// Prints "RESULT <config> <ms per step> <GFLOP/s> <peak MB>".
#include <spool/framework/core/blas.hpp>
#include <spool/framework/core/packed_matrix.hpp>
#include <spool/spool.hpp>

#include "rnn_configs.hpp"
#include "timing.hpp"

using namespace spool;

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "peak") {
    // The machine's sgemm peak with both cores: the faster of a large
    // OpenBLAS product split across TBB, and spool's packed kernel on a
    // large step's shape ([64, 512] @ [512, 2048]; it outruns OpenBLAS's
    // kernel on these processors, so OpenBLAS alone would understate the peak).
    set_num_threads(2);
    NoGradGuard g;
    Tensor a = randn({2048, 2048}), b = randn({2048, 2048});
    const double blas_ns = bench::ns_per_op([&] { Tensor c = matmul(a, b); }, 1, 5, 0.5);
    const double blas = 2.0 * 2048 * 2048 * 2048 / blas_ns;
    Tensor h = randn({64, 512}), out = Tensor::empty({64, 2048});
    const kernels::PackedMatrix w(randn({512, 2048}));
    const double packed_ns = bench::ns_per_op([&] { w.multiply_into(out, h); }, 1, 5, 0.5);
    const double packed = 2.0 * 64 * 512 * 2048 / packed_ns;
    std::printf("RESULT sgemm_peak_gflops %.1f\n", std::max(blas, packed));
    std::printf("RESULT sgemm_openblas_gflops %.1f\n", blas);
    std::printf("RESULT sgemm_packed_gflops %.1f\n", packed);
    std::printf("RESULT openblas %s\n", kernels::blas_is_threaded() ? "threaded" : "serial");
    return 0;
  }
  if (argc != 3) return std::fprintf(stderr, "usage: spool_bench_rnn CONFIG THREADS | peak\n"), 2;
  const bench::RnnConfig* c = bench::find_config(argv[1]);
  if (!c) return std::fprintf(stderr, "unknown config %s\n", argv[1]), 2;
  set_num_threads(std::atoi(argv[2]));
  manual_seed(0);
  std::shared_ptr<nn::RecurrentStack> model;
  if (std::string(c->cell) == "lstm") {
    model = std::make_shared<nn::LSTM>(nn::LSTMOptions(c->I, c->H).bidirectional(c->bidirectional));
  } else {
    model = std::make_shared<nn::GRU>(nn::GRUOptions(c->I, c->H).bidirectional(c->bidirectional));
  }
  Tensor x = randn({c->T, c->B, c->I});
  auto step = [&] {
    model->zero_grad();
    model->forward(x).output.sum().backward();
  };
  const double ms = bench::ns_per_op(step, 1, 7, 0.3) / 1e6;
  std::printf("RESULT %s %.3f %.1f %.0f\n", c->name, ms, bench::step_flops(*c) / (ms * 1e6), bench::peak_rss_mb());
  return 0;
}
