// The training steps of spool_bench_seq2seq.cpp in LibTorch: the same
// attention encoder-decoder written from torch::nn modules, the same
// MultiheadAttention block, the same tokens, the same timing code.
// torch::set_num_threads(1) (as torch_bench_rnn: its BLAS as installed).
// Usage: torch_bench_seq2seq seq2seq|mha
// Prints "CONFIG libtorch ...", "RESULT <config> <ms per step> <peak MB>" and
// "NOTE <config> initial_loss <loss>" (the loss before any update) and
// "NOTE <config> parameters <count>".
#include <dlfcn.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "rnn_configs.hpp"
#include "timing.hpp"

namespace {

// The workloads (the same constants as spool_bench_seq2seq.cpp).
constexpr int64_t kBatch = 32, kSource = 30, kTarget = 30, kVocab = 5000, kEmbed = 128, kHidden = 256;
constexpr double kLr = 1e-3;
constexpr int64_t kMhaT = 64, kMhaB = 32, kMhaE = 256, kMhaHeads = 8;
constexpr int kTrials = 7;
constexpr double kTrialSeconds = 0.3;

// [rows, cols] token ids in [3, kVocab) from std::mt19937_64: the same ids in
// both programs (same seed, same standard library).
std::vector<int64_t> tokens(std::mt19937_64& gen, int64_t rows, int64_t cols) {
  std::uniform_int_distribution<int64_t> id(3, kVocab - 1);
  std::vector<int64_t> out(rows * cols);
  for (auto& v : out) v = id(gen);
  return out;
}

// The core type OpenBLAS runs its kernels for (Debian's LibTorch reaches
// OpenBLAS through libblas.so.3): OPENBLAS_CORETYPE when set, else what it
// detected; "unknown" with another BLAS.
const char* blas_core() {
  using Corename = char* (*)();
  auto f = reinterpret_cast<Corename>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return f ? f() : "unknown";
}

torch::Tensor ids(const std::vector<int64_t>& v, int64_t rows, int64_t cols) {
  return torch::tensor(v, torch::kInt64).reshape({rows, cols});
}

// Bahdanau-attention encoder-decoder: bidirectional LSTM encoder, linear
// bridge to the decoder's first state, LSTMCell decoder with input feeding,
// one output projection after the loop.
struct Seq2SeqImpl : torch::nn::Module {
  Seq2SeqImpl()
      : src_embed(register_module(
            "src_embed", torch::nn::Embedding(torch::nn::EmbeddingOptions(kVocab, kEmbed).padding_idx(0)))),
        tgt_embed(register_module(
            "tgt_embed", torch::nn::Embedding(torch::nn::EmbeddingOptions(kVocab, kEmbed).padding_idx(0)))),
        encoder(register_module(
            "encoder", torch::nn::LSTM(torch::nn::LSTMOptions(kEmbed, kHidden).bidirectional(true).batch_first(true)))),
        bridge_h(register_module("bridge_h", torch::nn::Linear(2 * kHidden, kHidden))),
        bridge_c(register_module("bridge_c", torch::nn::Linear(2 * kHidden, kHidden))),
        decoder(register_module("decoder", torch::nn::LSTMCell(kEmbed + kHidden, kHidden))),
        key_proj(register_module("key_proj", torch::nn::Linear(2 * kHidden, kHidden))),
        query_proj(register_module("query_proj",
                                   torch::nn::Linear(torch::nn::LinearOptions(kHidden, kHidden).bias(false)))),
        score(register_module("score", torch::nn::Linear(torch::nn::LinearOptions(kHidden, 1).bias(false)))),
        attn_out(register_module("attn_out",
                                 torch::nn::Linear(torch::nn::LinearOptions(kHidden + 2 * kHidden, kHidden).bias(false)))),
        out_proj(register_module("out_proj", torch::nn::Linear(kHidden, kVocab))) {}

  // source [B, S], target_in [B, T] int64 -> logits [B, T, V].
  torch::Tensor forward(const torch::Tensor& source, const torch::Tensor& target_in) {
    auto [enc_out, state] = encoder->forward(src_embed->forward(source));  // [B, S, 2H]
    const auto& [h_n, c_n] = state;                                        // [2, B, H]: forward, backward
    torch::Tensor h = bridge_h->forward(torch::cat({h_n[0], h_n[1]}, 1));
    torch::Tensor c = bridge_c->forward(torch::cat({c_n[0], c_n[1]}, 1));
    const torch::Tensor keys = key_proj->forward(enc_out);  // once per batch: [B, S, H]
    const torch::Tensor embedded = tgt_embed->forward(target_in);
    torch::Tensor feed = torch::zeros({target_in.size(0), kHidden});
    std::vector<torch::Tensor> steps;
    for (int64_t t = 0; t < target_in.size(1); ++t) {
      std::tie(h, c) = decoder->forward(torch::cat({embedded.select(1, t), feed}, 1), std::make_tuple(h, c));
      const torch::Tensor scores =
          score->forward(torch::tanh(query_proj->forward(h).unsqueeze(1) + keys)).squeeze(-1);  // [B, S]
      const torch::Tensor weights = torch::softmax(scores, -1);
      const torch::Tensor context = torch::bmm(weights.unsqueeze(1), enc_out).squeeze(1);  // [B, 2H]
      feed = torch::tanh(attn_out->forward(torch::cat({h, context}, 1)));
      steps.push_back(feed);
    }
    return out_proj->forward(torch::stack(steps, 1));
  }

  torch::nn::Embedding src_embed, tgt_embed;
  torch::nn::LSTM encoder;
  torch::nn::Linear bridge_h, bridge_c;
  torch::nn::LSTMCell decoder;
  torch::nn::Linear key_proj, query_proj, score, attn_out, out_proj;
};
TORCH_MODULE(Seq2Seq);

torch::Tensor seq2seq_loss(const torch::Tensor& logits, const torch::Tensor& target_out) {
  return torch::nn::functional::cross_entropy(logits.reshape({-1, kVocab}), target_out.reshape({-1}),
                                              torch::nn::functional::CrossEntropyFuncOptions().ignore_index(0));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string config = argc == 2 ? argv[1] : "";
  if (config != "seq2seq" && config != "mha") return std::fprintf(stderr, "usage: torch_bench_seq2seq seq2seq|mha\n"), 2;
  torch::set_num_threads(1);
  torch::manual_seed(0);
  std::printf("CONFIG libtorch threads=%d trials=%d trial_seconds=%.2f blas_core=%s\n", torch::get_num_threads(),
              kTrials, kTrialSeconds, blas_core());
  double ms = 0, initial_loss = 0;
  int64_t parameters = 0;  // how many numbers the parameters hold: the same architecture in both programs
  if (config == "seq2seq") {
    std::mt19937_64 gen(0);
    const torch::Tensor source = ids(tokens(gen, kBatch, kSource), kBatch, kSource);
    const std::vector<int64_t> target = tokens(gen, kBatch, kTarget + 1);  // target_in = [:, :-1], target_out = [:, 1:]
    std::vector<int64_t> in, out;
    for (int64_t b = 0; b < kBatch; ++b) {
      in.insert(in.end(), target.begin() + b * (kTarget + 1), target.begin() + b * (kTarget + 1) + kTarget);
      out.insert(out.end(), target.begin() + b * (kTarget + 1) + 1, target.begin() + (b + 1) * (kTarget + 1));
    }
    const torch::Tensor target_in = ids(in, kBatch, kTarget), target_out = ids(out, kBatch, kTarget);
    Seq2Seq model;
    for (const auto& p : model->parameters()) parameters += p.numel();
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(kLr));
    {
      torch::NoGradGuard no_grad;
      initial_loss = seq2seq_loss(model->forward(source, target_in), target_out).item<double>();
    }
    auto step = [&] {
      model->zero_grad(/*set_to_none=*/true);  // as spool's zero_grad (and PyTorch 2's default)
      seq2seq_loss(model->forward(source, target_in), target_out).backward();
      opt.step();
    };
    ms = bench::ns_per_op(step, 1, kTrials, kTrialSeconds) / 1e6;
  } else {
    torch::nn::MultiheadAttention mha(torch::nn::MultiheadAttentionOptions(kMhaE, kMhaHeads));
    for (const auto& p : mha->parameters()) parameters += p.numel();
    const torch::Tensor x = torch::randn({kMhaT, kMhaB, kMhaE});
    auto loss = [&] {
      return std::get<0>(mha->forward(x, x, x, /*key_padding_mask=*/{}, /*need_weights=*/false)).pow(2).mean();
    };
    {
      torch::NoGradGuard no_grad;
      initial_loss = loss().item<double>();
    }
    auto step = [&] {
      mha->zero_grad(/*set_to_none=*/true);
      loss().backward();
    };
    ms = bench::ns_per_op(step, 1, kTrials, kTrialSeconds) / 1e6;
  }
  std::printf("RESULT %s %.3f %.0f\n", config.c_str(), ms, bench::peak_rss_mb());
  std::printf("NOTE %s initial_loss %.6g\n", config.c_str(), initial_loss);
  std::printf("NOTE %s parameters %lld\n", config.c_str(), static_cast<long long>(parameters));
  return 0;
}
