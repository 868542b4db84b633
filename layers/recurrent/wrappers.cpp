#include "wrappers.hpp"

#include "../../ops/ops.hpp"

namespace spool::nn {

Bidirectional::Bidirectional(const RecurrentStack& layer, std::string mode)
    : Module("Bidirectional"),
      forward_layer(register_module("forward_layer", layer)),
      backward_layer(register_module("backward_layer", layer.fresh())),
      merge_mode_(std::move(mode)) {
  SPOOL_CHECK(merge_mode_ == "concat" || merge_mode_ == "sum" || merge_mode_ == "mul" || merge_mode_ == "ave",
              "Bidirectional", "merge_mode must be concat, sum, mul or ave, got \"{}\"", merge_mode_);
  SPOOL_CHECK(!layer.options().bidirectional(), "Bidirectional", "wraps a unidirectional layer; {} is bidirectional",
              layer.type_name());
}

namespace {
// Reverses each sequence of x [T, B, F] within its own length (all T when no lengths).
Tensor reverse_within_lengths(const Tensor& x, const Tensor& lengths) {
  const int64_t T = x.size(0), B = x.size(1);
  std::vector<int64_t> len = lengths.defined() ? lengths.to_vector<int64_t>() : std::vector<int64_t>(B, T);
  std::vector<int64_t> idx(T * B);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t b = 0; b < B; ++b) idx[t * B + b] = (t < len[b] ? len[b] - 1 - t : t) * B + b;
  Shape flat = x.sizes();
  flat.erase(0);
  flat[0] = T * B;
  return reshape(index_select(reshape(x, flat), 0, tensor(idx)), x.sizes());
}
}  // namespace

RecurrentOutput Bidirectional::forward(const Tensor& input, const RecurrentInput& extra) {
  check_defined("Bidirectional");
  const bool bf = forward_layer.options().batch_first();
  SPOOL_CHECK(input.dim() == 3, "Bidirectional", "input must be 3-D, got shape {}", input.sizes());
  if (extra.lengths.defined())
    SPOOL_CHECK(extra.lengths.dtype() == kInt64 && extra.lengths.numel() == input.size(bf ? 0 : 1), "Bidirectional",
                "lengths must be int64 [batch], got shape {}", extra.lengths.sizes());
  SPOOL_CHECK(!extra.c0.defined() || extra.h0.defined(), "Bidirectional",
              "c0 of shape {} given without h0; pass both (or neither)", extra.c0.sizes());
  RecurrentInput fwd_extra{}, bwd_extra{};
  fwd_extra.lengths = bwd_extra.lengths = extra.lengths;
  if (extra.h0.defined()) {  // [2 * L, B, H]: forward layers first, as h_n below
    const int64_t L = forward_layer.options().num_layers();
    fwd_extra.h0 = narrow(extra.h0, 0, 0, L);
    bwd_extra.h0 = narrow(extra.h0, 0, L, L);
    if (extra.c0.defined()) {
      fwd_extra.c0 = narrow(extra.c0, 0, 0, L);
      bwd_extra.c0 = narrow(extra.c0, 0, L, L);
    }
  }
  const Tensor time_major = bf ? transpose(input, 0, 1) : input;
  RecurrentOutput f = forward_layer(input, fwd_extra);
  const Tensor reversed = reverse_within_lengths(time_major, extra.lengths);
  RecurrentOutput b = backward_layer(bf ? transpose(reversed, 0, 1) : reversed, bwd_extra);
  Tensor b_out = reverse_within_lengths(bf ? transpose(b.output, 0, 1) : b.output, extra.lengths);
  if (bf) b_out = transpose(b_out, 0, 1);
  Tensor out;
  if (merge_mode_ == "concat") out = cat({f.output, b_out}, 2);
  if (merge_mode_ == "sum") out = f.output + b_out;
  if (merge_mode_ == "mul") out = f.output * b_out;
  if (merge_mode_ == "ave") out = (f.output + b_out) * 0.5;
  note_output_shape(out.sizes());
  return {out, cat({f.h_n, b.h_n}, 0), f.c_n.defined() ? cat({f.c_n, b.c_n}, 0) : Tensor()};
}

Tensor TimeDistributed::forward(const Tensor& x) {
  check_defined("TimeDistributed");
  SPOOL_CHECK(x.dim() >= 3, "TimeDistributed", "input must be [batch, time, ...], got shape {}", x.sizes());
  Shape flat = x.sizes();
  flat.erase(0);
  flat[0] = x.size(0) * x.size(1);
  Tensor y = inner_->forward_tensor(reshape(x, flat));
  Shape out = y.sizes();
  out[0] = x.size(1);
  out.insert(0, x.size(0));
  Tensor r = reshape(y, out);
  note_output_shape(r.sizes());
  return r;
}

RepeatVector::RepeatVector(int64_t n) : Module("RepeatVector"), n_(n) {
  SPOOL_CHECK(n > 0, "RepeatVector", "n must be positive, got {}", n);
}

Tensor RepeatVector::forward(const Tensor& x) {
  check_defined("RepeatVector");
  SPOOL_CHECK(x.dim() == 2, "RepeatVector", "input must be [batch, features], got shape {}", x.sizes());
  Tensor y = expand(unsqueeze(x, 1), {x.size(0), n_, x.size(1)});
  note_output_shape(y.sizes());
  return y;
}

}  // namespace spool::nn
