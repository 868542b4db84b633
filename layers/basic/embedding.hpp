// A lookup table: indices (int64, any shape) -> rows of weight [num, dim].
//   nn::Embedding emb(nn::EmbeddingOptions(10000, 128).padding_idx(0));
//   auto frozen = nn::Embedding::from_pretrained(vectors, /*freeze=*/true);
#pragma once

#include <optional>

#include "../../framework/core/options.hpp"
#include "../core/module.hpp"

namespace spool::nn {

class EmbeddingOptions {
 public:
  using Self = EmbeddingOptions;
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  SPOOL_ARG(int64_t, num_embeddings);
  SPOOL_ARG(int64_t, embedding_dim);
  // The row that stays zero and gets no gradient; negative counts from the end.
  SPOOL_ARG(std::optional<int64_t>, padding_idx);
};

class Embedding : public Module {
 public:
  Embedding() = default;
  Embedding(int64_t num_embeddings, int64_t embedding_dim) : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit Embedding(const EmbeddingOptions& options);
  // Uses `weights` [num, dim] as the table; frozen tables get no gradient.
  static Embedding from_pretrained(const Tensor& weights, bool freeze = true,
                                   std::optional<int64_t> padding_idx = std::nullopt);

  Tensor forward(const Tensor& indices);
  Tensor operator()(const Tensor& indices) { return forward(indices); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;

  // Fixed at construction; padding_idx is in [0, num_embeddings) here.
  const EmbeddingOptions& options() const { return options_; }

  Tensor weight;

 private:
  EmbeddingOptions options_{0, 0};
};

}  // namespace spool::nn
