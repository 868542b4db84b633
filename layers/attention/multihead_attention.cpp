#include "multihead_attention.hpp"

#include <cmath>
#include <limits>

namespace spool::nn {

namespace {

constexpr const char* kOp = "MultiheadAttention";

// One PyTorch-style mask (bool: true = masked; float: added) as what
// scaled_dot_product_attention reads (bool: true = attend; float: added).
Tensor sdpa_mask(const Tensor& m) { return m.dtype() == kBool ? logical_not(m) : m; }

// Merges two masks in scaled_dot_product_attention's reading: bool with bool
// stays bool; otherwise a float mask where an excluded key is -inf.
Tensor merge_masks(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  if (a.dtype() == kBool && b.dtype() == kBool) return logical_and(a, b);
  auto as_float = [](const Tensor& m, const Tensor& other) {
    if (m.dtype() != kBool) return m;
    return masked_fill(zeros(m.sizes(), other.dtype()), logical_not(m), -std::numeric_limits<double>::infinity());
  };
  return as_float(a, b) + as_float(b, a);
}

// A column for an extra key (bias_k or the zero key): attended, adds 0.
Tensor pad_key_column(const Tensor& m) {
  if (!m.defined()) return m;
  Shape s = m.sizes();
  s[s.size() - 1] = 1;
  return cat({m, m.dtype() == kBool ? ones(s, kBool) : zeros(s, m.dtype())}, -1);
}

}  // namespace

MultiheadAttention::MultiheadAttention(const MultiheadAttentionOptions& o) : Module(kOp), options_(o) {
  const int64_t E = o.embed_dim(), H = o.num_heads();
  SPOOL_CHECK(E > 0 && H > 0, kOp, "embed_dim and num_heads must be positive, got {} and {}", E, H);
  SPOOL_CHECK(E % H == 0, kOp, "num_heads ({}) must divide embed_dim ({})", H, E);
  SPOOL_CHECK(o.dropout() >= 0 && o.dropout() < 1, kOp, "dropout must be in [0, 1), got {}", o.dropout());
  const int64_t kdim = o.kdim().value_or(E), vdim = o.vdim().value_or(E);
  SPOOL_CHECK(kdim > 0 && vdim > 0, kOp, "kdim and vdim must be positive, got {} and {}", kdim, vdim);
  // Xavier uniform over each weight as PyTorch lays it out: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
  auto xavier = [](int64_t rows, int64_t cols) {
    const double a = std::sqrt(6.0 / static_cast<double>(rows + cols));
    return uniform({rows, cols}, -a, a);
  };
  if (kdim == E && vdim == E) {
    in_proj_weight = register_parameter("in_proj_weight", xavier(3 * E, E));
  } else {
    q_proj_weight = register_parameter("q_proj_weight", xavier(E, E));
    k_proj_weight = register_parameter("k_proj_weight", xavier(E, kdim));
    v_proj_weight = register_parameter("v_proj_weight", xavier(E, vdim));
  }
  if (o.bias()) in_proj_bias = register_parameter("in_proj_bias", zeros({3 * E}));
  if (o.add_bias_kv()) {
    const double std = std::sqrt(2.0 / static_cast<double>(2 * E));  // Xavier normal of [1, 1, E]
    bias_k = register_parameter("bias_k", randn({1, 1, E}) * std);
    bias_v = register_parameter("bias_v", randn({1, 1, E}) * std);
  }
  out_proj = register_module("out_proj", Linear(E, E, o.bias()));
  if (o.bias()) {
    NoGradGuard no_grad;
    out_proj.bias.fill_(0.0);
  }
}

AttentionOutput MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                            const MultiheadAttentionInput& in) {
  check_defined(kOp);
  const MultiheadAttentionOptions& o = options_;
  const int64_t E = o.embed_dim(), H = o.num_heads(), kdim = o.kdim().value_or(E), vdim = o.vdim().value_or(E);
  const bool unbatched = query.dim() == 2;
  SPOOL_CHECK((query.dim() == 2 || query.dim() == 3) && key.dim() == query.dim() && value.dim() == query.dim(), kOp,
              "query, key and value must all be 3-D (batched) or 2-D (unbatched), got {}, {} and {}", query.sizes(),
              key.sizes(), value.sizes());
  SPOOL_CHECK(query.is_floating_point() && key.dtype() == query.dtype() && value.dtype() == query.dtype(), kOp,
              "query, key and value must share one floating dtype, got {}, {} and {}", dtype_name(query.dtype()),
              dtype_name(key.dtype()), dtype_name(value.dtype()));
  // Everything below is batch-first [B, L, E].
  auto batch_major = [&](const Tensor& t) {
    if (unbatched) return unsqueeze(t, 0);
    return o.batch_first() ? t : transpose(t, 0, 1);
  };
  const Tensor q_in = batch_major(query), k_in = batch_major(key), v_in = batch_major(value);
  const int64_t B = q_in.size(0), L = q_in.size(1);
  int64_t S = k_in.size(1);
  SPOOL_CHECK(q_in.size(2) == E, kOp, "query {} must end in embed_dim {}", query.sizes(), E);
  SPOOL_CHECK(k_in.size(2) == kdim && v_in.size(2) == vdim, kOp,
              "key {} must end in kdim {} and value {} in vdim {}", key.sizes(), kdim, value.sizes(), vdim);
  SPOOL_CHECK(k_in.size(0) == B && v_in.size(0) == B && v_in.size(1) == S, kOp,
              "key {} and value {} must have the query's batch ({}) and the same number of keys{}", key.sizes(),
              value.sizes(), B, o.batch_first() ? " (batch_first)" : "");

  // Masks, checked against PyTorch's shapes, then in scaled_dot_product_attention's reading as [B, H, L, S].
  auto check_dtype = [&](const Tensor& m, const char* name) {
    SPOOL_CHECK(m.dtype() == kBool || m.dtype() == query.dtype(), kOp,
                "{} must be bool (true = masked) or {} (added to the scores), got {}", name,
                dtype_name(query.dtype()), dtype_name(m.dtype()));
  };
  Tensor mask;
  if (in.key_padding_mask.defined()) {
    const Tensor& m = in.key_padding_mask;
    check_dtype(m, "key_padding_mask");
    const Shape want = unbatched ? Shape{S} : Shape{B, S};
    SPOOL_CHECK(m.sizes() == want, kOp, "key_padding_mask must be {} for key {}, got {}", want, key.sizes(),
                m.sizes());
    mask = reshape(sdpa_mask(m), {B, 1, 1, S});
  }
  if (in.attn_mask.defined()) {
    const Tensor& m = in.attn_mask;
    check_dtype(m, "attn_mask");
    SPOOL_CHECK(m.sizes() == Shape({L, S}) || m.sizes() == Shape({B * H, L, S}), kOp,
                "attn_mask must be [{}, {}] or [{}, {}, {}] (batch * num_heads, L, S), got {}", L, S, B * H, L, S,
                m.sizes());
    mask = merge_masks(mask, m.dim() == 2 ? sdpa_mask(m) : reshape(sdpa_mask(m), {B, H, L, S}));
  } else if (in.is_causal) {
    mask = merge_masks(mask, logical_not(triu(ones({L, S}, kBool), 1)));
  }

  // Projections: one product for self-attention (query, key and value the same tensor).
  Tensor q, k, v;
  const Tensor b = in_proj_bias;
  auto part = [&](const Tensor& t, int64_t i) { return t.defined() ? narrow(t, 0, i * E, E) : Tensor(); };
  if (in_proj_weight.defined() && query.is_same(key) && key.is_same(value)) {
    std::vector<Tensor> qkv = chunk(linear(q_in, in_proj_weight, b), 3, -1);
    q = qkv[0], k = qkv[1], v = qkv[2];
  } else if (in_proj_weight.defined()) {
    q = linear(q_in, part(in_proj_weight, 0), part(b, 0));
    k = linear(k_in, part(in_proj_weight, 1), part(b, 1));
    v = linear(v_in, part(in_proj_weight, 2), part(b, 2));
  } else {
    q = linear(q_in, q_proj_weight, part(b, 0));
    k = linear(k_in, k_proj_weight, part(b, 1));
    v = linear(v_in, v_proj_weight, part(b, 2));
  }
  if (bias_k.defined()) {
    k = cat({k, expand(bias_k, {B, 1, E})}, 1);
    v = cat({v, expand(bias_v, {B, 1, E})}, 1);
    mask = pad_key_column(mask);
    ++S;
  }
  // [B, T, E] -> [B, H, T, E / H]
  auto heads = [&](const Tensor& t, int64_t T) { return transpose(reshape(t, {B, T, H, E / H}), 1, 2); };
  q = heads(q, L), k = heads(k, S), v = heads(v, S);
  if (o.add_zero_attn()) {
    k = cat({k, zeros({B, H, 1, E / H}, k.dtype())}, 2);
    v = cat({v, zeros({B, H, 1, E / H}, v.dtype())}, 2);
    mask = pad_key_column(mask);
    ++S;
  }
  const double p = is_training() ? o.dropout() : 0.0;
  AttentionOutput att = scaled_dot_product_attention(q, k, v, {.attn_mask = mask, .dropout_p = p});
  Tensor out = out_proj(reshape(transpose(att.output, 1, 2), {B, L, E}));
  if (unbatched) {
    out = squeeze(out, 0);
  } else if (!o.batch_first()) {
    out = transpose(out, 0, 1);
  }
  Tensor weights;
  if (in.need_weights) {
    weights = in.average_attn_weights ? mean(att.weights, 1) : att.weights;
    if (unbatched) weights = squeeze(weights, 0);
  }
  note_output_shape(out.sizes());
  return {out, weights};
}

std::string MultiheadAttention::extra_repr() const {
  const MultiheadAttentionOptions& o = options_;
  std::string s = fmt::format("embed_dim={}, num_heads={}", o.embed_dim(), o.num_heads());
  if (o.dropout() > 0) s += fmt::format(", dropout={}", o.dropout());
  if (!o.bias()) s += ", bias=False";
  if (o.add_bias_kv()) s += ", add_bias_kv=True";
  if (o.add_zero_attn()) s += ", add_zero_attn=True";
  if (o.kdim() || o.vdim())
    s += fmt::format(", kdim={}, vdim={}", o.kdim().value_or(o.embed_dim()), o.vdim().value_or(o.embed_dim()));
  if (o.batch_first()) s += ", batch_first=True";
  return s;
}

}  // namespace spool::nn
