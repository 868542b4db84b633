// The same training step in LibTorch (1 thread: its fastest setting here).
// Usage: torch_bench_rnn CONFIG
#include <torch/torch.h>

#include "rnn_configs.hpp"
#include "timing.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: torch_bench_rnn CONFIG\n"), 2;
  const bench::RnnConfig* c = bench::find_config(argv[1]);
  if (!c) return std::fprintf(stderr, "unknown config %s\n", argv[1]), 2;
  torch::set_num_threads(1);
  torch::manual_seed(0);
  torch::Tensor x = torch::randn({c->T, c->B, c->I});
  std::function<torch::Tensor()> forward;
  torch::nn::LSTM lstm(nullptr);
  torch::nn::GRU gru(nullptr);
  if (std::string(c->cell) == "lstm") {
    lstm = torch::nn::LSTM(torch::nn::LSTMOptions(c->I, c->H).bidirectional(c->bidirectional));
    forward = [&] { return std::get<0>(lstm->forward(x)); };
  } else {
    gru = torch::nn::GRU(torch::nn::GRUOptions(c->I, c->H).bidirectional(c->bidirectional));
    forward = [&] { return std::get<0>(gru->forward(x)); };
  }
  auto step = [&] {
    if (lstm) lstm->zero_grad();
    if (gru) gru->zero_grad();
    forward().sum().backward();
  };
  const double ms = bench::ns_per_op(step, 1, 7, 0.3) / 1e6;
  std::printf("RESULT %s %.3f %.1f %.0f\n", c->name, ms, bench::step_flops(*c) / (ms * 1e6), bench::peak_rss_mb());
  return 0;
}
