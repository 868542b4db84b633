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

Embedding::Embedding(const EmbeddingOptions& o) : Module("Embedding"), options_(o) {
  SPOOL_CHECK(o.num_embeddings() > 0 && o.embedding_dim() > 0, "Embedding", "sizes must be positive, got {} x {}",
              o.num_embeddings(), o.embedding_dim());
  options_.padding_idx(wrap_padding(o.padding_idx(), o.num_embeddings()));
  Tensor w = randn({o.num_embeddings(), o.embedding_dim()});  // PyTorch: N(0, 1)
  if (options_.padding_idx()) w.select(0, *options_.padding_idx()).detach().zero_();
  weight = register_parameter("weight", w);
}

Embedding Embedding::from_pretrained(const Tensor& weights, bool freeze, std::optional<int64_t> padding_idx) {
  SPOOL_CHECK(weights.dim() == 2, "Embedding::from_pretrained", "weights must be 2-D, got shape {}", weights.sizes());
  Embedding e(EmbeddingOptions(weights.size(0), weights.size(1)).padding_idx(padding_idx));
  NoGradGuard no_grad;
  e.weight.copy_(weights);  // the padding row too: PyTorch keeps the given values
  if (freeze) e.weight.requires_grad_(false);
  return e;
}

Tensor Embedding::forward(const Tensor& indices) {
  check_defined("Embedding");
  Tensor y = embedding(weight, indices, options_.padding_idx());
  note_output_shape(y.sizes());
  return y;
}

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", options_.num_embeddings(), options_.embedding_dim());
  if (options_.padding_idx()) s += fmt::format(", padding_idx={}", *options_.padding_idx());
  return s;
}

}  // namespace spool::nn
