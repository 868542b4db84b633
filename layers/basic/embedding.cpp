#include "embedding.hpp"

#include "../../framework/core/random.hpp"
#include "../../ops/ops.hpp"

namespace spool::nn {

namespace {
std::optional<int64_t> wrap_padding(std::optional<int64_t> p, int64_t n) {
  if (!p) return p;
  SPOOL_CHECK(*p >= -n && *p < n, "Embedding", "padding_idx {} out of range for {} embeddings", *p, n);
  return *p < 0 ? *p + n : *p;
}
}  // namespace

Embedding::Embedding(const EmbeddingOptions& o) : Module("Embedding"), options(o) {
  SPOOL_CHECK(o.num_embeddings_ > 0 && o.embedding_dim_ > 0, "Embedding", "sizes must be positive, got {} x {}",
              o.num_embeddings_, o.embedding_dim_);
  options.padding_idx_ = wrap_padding(o.padding_idx_, o.num_embeddings_);
  Tensor w = randn({o.num_embeddings_, o.embedding_dim_});  // PyTorch: N(0, 1)
  if (options.padding_idx_) w.select(0, *options.padding_idx_).detach().zero_();
  weight = register_parameter("weight", w);
}

Embedding Embedding::from_pretrained(const Tensor& weights, bool freeze, std::optional<int64_t> padding_idx) {
  SPOOL_CHECK(weights.dim() == 2, "Embedding::from_pretrained", "weights must be 2-D, got shape {}", weights.sizes());
  Embedding e(EmbeddingOptions(weights.size(0), weights.size(1)));
  e.options.padding_idx_ = wrap_padding(padding_idx, weights.size(0));
  NoGradGuard no_grad;
  e.weight.copy_(weights);
  if (freeze) e.weight.requires_grad_(false);
  return e;
}

Tensor Embedding::forward(const Tensor& indices) {
  check_defined("Embedding");
  Tensor y = embedding(weight, indices, options.padding_idx_);
  note_output_shape(y.sizes());
  return y;
}

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", options.num_embeddings_, options.embedding_dim_);
  if (options.padding_idx_) s += fmt::format(", padding_idx={}", *options.padding_idx_);
  return s;
}

}  // namespace spool::nn
