// Training steps of an attention encoder-decoder and of a multi-head
// attention block in spool; torch_bench_seq2seq.cpp runs the same arithmetic
// in LibTorch.
//   seq2seq  nn::Seq2Seq, B=32, source and target length 30, vocabulary 5000
//            on both sides, embedding 128, hidden 256: bidirectional LSTM
//            encoder, linear bridge, LSTMCell decoder with input feeding and
//            additive (Bahdanau) attention, output projection after the loop;
//            one step = zero_grad, forward, cross entropy (ignore_index 0),
//            backward, Adam(1e-3) step. Token ids in [3, 5000) from
//            std::mt19937_64(0), every sequence full length (no padding).
//   mha      nn::MultiheadAttention(256, 8) self-attention on x [64, 32, 256]
//            (sequence-first), need_weights = false; forward, mean(out^2),
//            backward into the parameters (x has no gradient); no optimizer.
// Usage: spool_bench_seq2seq seq2seq|mha THREADS
// Prints "CONFIG spool ...", "RESULT <config> <ms per step> <peak MB>" and
// "NOTE <config> initial_loss <loss>" (the loss before any update) and
// "NOTE <config> parameters <count>".
#include <spool/spool.hpp>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "rnn_configs.hpp"
#include "timing.hpp"

using namespace spool;

namespace {

// The workloads (the same constants as torch_bench_seq2seq.cpp).
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

}  // namespace

int main(int argc, char** argv) {
  const std::string config = argc == 3 ? argv[1] : "";
  if (config != "seq2seq" && config != "mha")
    return std::fprintf(stderr, "usage: spool_bench_seq2seq seq2seq|mha THREADS\n"), 2;
  set_num_threads(std::atoi(argv[2]));
  manual_seed(0);
  std::printf("CONFIG spool threads=%d trials=%d trial_seconds=%.2f\n", num_threads(), kTrials, kTrialSeconds);
  double ms = 0, initial_loss = 0;
  int64_t parameters = 0;  // how many numbers the parameters hold: the same architecture in both programs
  if (config == "seq2seq") {
    std::mt19937_64 gen(0);
    const Tensor source = tensor(tokens(gen, kBatch, kSource), {kBatch, kSource});
    const std::vector<int64_t> target = tokens(gen, kBatch, kTarget + 1);  // target_in = [:, :-1], target_out = [:, 1:]
    std::vector<int64_t> in, out;
    for (int64_t b = 0; b < kBatch; ++b) {
      in.insert(in.end(), target.begin() + b * (kTarget + 1), target.begin() + b * (kTarget + 1) + kTarget);
      out.insert(out.end(), target.begin() + b * (kTarget + 1) + 1, target.begin() + (b + 1) * (kTarget + 1));
    }
    const Tensor target_in = tensor(in, {kBatch, kTarget}), target_out = tensor(out, {kBatch, kTarget});
    const Tensor source_lengths = tensor(std::vector<int64_t>(kBatch, kSource), {kBatch});
    nn::Seq2Seq model(nn::Seq2SeqOptions(/*source_vocab=*/kVocab, /*target_vocab=*/kVocab)
                          .embedding_dim(kEmbed)
                          .hidden_size(kHidden)
                          .bidirectional(true)
                          .attention("additive")
                          .bridge("linear")
                          .input_feeding(true));
    parameters = model.num_parameters();
    optim::Adam opt(model.parameters(), optim::AdamOptions(kLr));
    {
      NoGradGuard no_grad;
      initial_loss = model.loss(model(source, source_lengths, target_in), target_out).item<double>();
    }
    auto step = [&] {
      opt.zero_grad();
      model.loss(model(source, source_lengths, target_in), target_out).backward();
      opt.step();
    };
    ms = bench::ns_per_op(step, 1, kTrials, kTrialSeconds) / 1e6;
  } else {
    nn::MultiheadAttention mha(nn::MultiheadAttentionOptions(kMhaE, kMhaHeads));
    parameters = mha.num_parameters();
    const Tensor x = randn({kMhaT, kMhaB, kMhaE});
    auto loss = [&] {
      auto [out, weights] = mha(x, x, x, {.need_weights = false});
      return out.pow(2).mean();
    };
    {
      NoGradGuard no_grad;
      initial_loss = loss().item<double>();
    }
    auto step = [&] {
      mha.zero_grad();
      loss().backward();
    };
    ms = bench::ns_per_op(step, 1, kTrials, kTrialSeconds) / 1e6;
  }
  std::printf("RESULT %s %.3f %.0f\n", config.c_str(), ms, bench::peak_rss_mb());
  std::printf("NOTE %s initial_loss %.6g\n", config.c_str(), initial_loss);
  std::printf("NOTE %s parameters %lld\n", config.c_str(), static_cast<long long>(parameters));
  return 0;
}
