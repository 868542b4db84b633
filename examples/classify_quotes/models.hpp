// The two quotation classifiers: token ids [B, T] (padded at the end) and
// their lengths [B] -> class logits [B, C].
//   (a) Embedding -> BiLSTM -> AttentionPooling -> Linear
//   (b) Embedding + PositionalEncoding -> TransformerEncoder -> masked mean -> Linear
#pragma once

#include <spool/spool.hpp>

#include <nlohmann/json.hpp>

namespace classify_quotes {

using spool::Tensor;
namespace nn = spool::nn;

// Sizes and regularization of both models (saved as config.json).
struct ModelConfig {
  int64_t vocab = 0, classes = 0;
  int64_t embed = 128, hidden = 64;  // BiLSTM: hidden per direction
  int64_t d_model = 128, heads = 4, ff = 256, layers = 2, max_len = 128;  // Transformer (pre-norm)
  double dropout = 0.5;       // on embeddings and before the output layer
  double word_dropout = 0.1;  // share of tokens replaced by <unk> while training
};
inline void to_json(nlohmann::json& j, const ModelConfig& c) {
  j = {{"vocab", c.vocab},     {"classes", c.classes}, {"embed", c.embed},     {"hidden", c.hidden},
       {"d_model", c.d_model}, {"heads", c.heads},     {"ff", c.ff},           {"layers", c.layers},
       {"max_len", c.max_len}, {"dropout", c.dropout}, {"word_dropout", c.word_dropout}};
}
inline void from_json(const nlohmann::json& j, ModelConfig& c) {
  for (auto [name, field] : {std::pair{"vocab", &c.vocab}, {"classes", &c.classes}, {"embed", &c.embed},
                             {"hidden", &c.hidden}, {"d_model", &c.d_model}, {"heads", &c.heads}, {"ff", &c.ff},
                             {"layers", &c.layers}, {"max_len", &c.max_len}})
    j.at(name).get_to(*field);
  j.at("dropout").get_to(c.dropout);
  j.at("word_dropout").get_to(c.word_dropout);
}

// Index 1 is the tokenizer's <unk> (index 0 is padding).
inline constexpr int64_t kUnk = 1;

// While training, replaces each real token by <unk> with probability p: the
// model cannot lean on one rare word that happened to be in the training set,
// the usual regularizer for word-level models on little data.
inline Tensor word_dropout(const Tensor& ids, double p, bool training) {
  if (!training || p <= 0) return ids;
  const Tensor drop = spool::logical_and(spool::bernoulli(ids.sizes(), p, spool::kBool), ids > int64_t{kUnk});
  return spool::where(drop, kUnk, ids);
}

struct BiLSTMClassifier : nn::Module {
  explicit BiLSTMClassifier(const ModelConfig& c)
      : Module("BiLSTMClassifier"),
        word_drop(c.word_dropout),
        emb(register_module("emb", nn::Embedding(nn::EmbeddingOptions(c.vocab, c.embed).padding_idx(0)))),
        drop(register_module("drop", nn::Dropout(c.dropout))),
        lstm(register_module(
            "lstm", nn::LSTM(nn::LSTMOptions(c.embed, c.hidden).bidirectional(true).batch_first(true)))),
        pool(register_module("pool", nn::AttentionPooling(2 * c.hidden))),
        out(register_module("out", nn::Linear(2 * c.hidden, c.classes))) {}

  // logits [B, C]; `weights`, when given, receives the attention over the steps [B, T].
  Tensor forward(const Tensor& ids, const Tensor& lengths, Tensor* weights = nullptr) {
    const Tensor x = drop(emb(word_dropout(ids, word_drop, is_training())));
    const nn::RecurrentOutput r = lstm(x, {.lengths = lengths});
    auto [pooled, w] = pool(r.output, {.lengths = lengths});
    if (weights) *weights = w;
    return out(drop(pooled));
  }

  double word_drop;
  nn::Embedding emb;
  nn::Dropout drop;
  nn::LSTM lstm;
  nn::AttentionPooling pool;
  nn::Linear out;
};

struct TransformerClassifier : nn::Module {
  explicit TransformerClassifier(const ModelConfig& c)
      : Module("TransformerClassifier"),
        word_drop(c.word_dropout),
        emb(register_module("emb", nn::Embedding(nn::EmbeddingOptions(c.vocab, c.d_model).padding_idx(0)))),
        pos(register_module("pos", nn::PositionalEncoding(c.d_model, 0.1, c.max_len, /*batch_first=*/true))),
        encoder(register_module("encoder", nn::TransformerEncoder(encoder_options(c)))),
        drop(register_module("drop", nn::Dropout(c.dropout))),
        out(register_module("out", nn::Linear(c.d_model, c.classes))) {}

  Tensor forward(const Tensor& ids, const Tensor& lengths) {
    const int64_t T = ids.size(1);
    const Tensor valid = spool::lengths_to_mask(lengths, T);  // [B, T], true inside the quotation
    // No sqrt(d_model) scale (Vaswani et al.): these embeddings start at unit
    // spread (N(0, 1), or word vectors scaled so), as large as the sinusoids.
    const Tensor x = pos(emb(word_dropout(ids, word_drop, is_training())));
    const Tensor h = encoder(x, {.src_key_padding_mask = spool::logical_not(valid)});
    // Mean over the real tokens only: padded steps are zeroed, the sum divided by the length.
    const Tensor keep = spool::unsqueeze(valid.to(spool::kFloat32), -1);                       // [B, T, 1]
    const Tensor mean = (h * keep).sum(1) / spool::unsqueeze(lengths.to(spool::kFloat32), -1);  // [B, D]
    return out(drop(mean));
  }

  // Pre-norm layers (LayerNorm before each block, and a final one): steadier
  // than post-norm when trained without a learning-rate warmup.
  static nn::TransformerEncoderOptions encoder_options(const ModelConfig& c) {
    const auto layer = nn::TransformerLayerOptions(c.d_model, c.heads)
                           .dim_feedforward(c.ff)
                           .dropout(0.1)
                           .batch_first(true)
                           .norm_first(true);
    return nn::TransformerEncoderOptions(layer, c.layers).norm(true);
  }

  double word_drop;
  nn::Embedding emb;
  nn::PositionalEncoding pos;
  nn::TransformerEncoder encoder;
  nn::Dropout drop;
  nn::Linear out;
};

}  // namespace classify_quotes
