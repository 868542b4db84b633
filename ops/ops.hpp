// Every generic op, each with its backward (see the family files beside this
// one). Names and argument order follow PyTorch.
//
//   Tensor y = spool::softmax(spool::matmul(x, w) + b, -1);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../framework/core/autograd.hpp"
#include "../framework/core/packed_matrix.hpp"
#include "../framework/core/scalar.hpp"
#include "../framework/core/tensor.hpp"

namespace spool {

// ---- elementwise.cpp: arithmetic with NumPy broadcasting ----
// Mixed dtypes promote as in PyTorch (result_type below): int64 + float32 is
// float32, float32 + float64 is float64, division of integers is float32,
// an int64 tensor with an integer Scalar stays int64 and with a floating
// one becomes float32.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, Scalar b);
Tensor sub(const Tensor& a, Scalar b);
Tensor mul(const Tensor& a, Scalar b);
Tensor div(const Tensor& a, Scalar b);
Tensor rsub(const Tensor& a, Scalar b);  // b - a
Tensor rdiv(const Tensor& a, Scalar b);  // b / a
// The dtype an op on these operands computes in (torch.result_type): the
// promotion of both, except that a 0-dim tensor only counts when it is of a
// higher category (bool < integer < floating) than the other operand.
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, Scalar b);
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor square(const Tensor& a);
// int64 ** integer stays int64 (exponent >= 0); a floating exponent promotes to float32.
Tensor pow(const Tensor& a, Scalar exponent);
Tensor pow(const Tensor& a, const Tensor& exponent);
// Limits values to [min, max]; either bound may be absent.
Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max);
// cond ? a : b, elementwise with broadcasting; cond is bool.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// a with `value` where mask (bool, broadcastable to a) is true.
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);
// Comparisons give bool tensors (not recorded).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, Scalar b);
Tensor ne(const Tensor& a, Scalar b);
Tensor lt(const Tensor& a, Scalar b);
Tensor le(const Tensor& a, Scalar b);
Tensor gt(const Tensor& a, Scalar b);
Tensor ge(const Tensor& a, Scalar b);
// Logical ops read any dtype as "nonzero" and give bool, with broadcasting.
Tensor logical_not(const Tensor& a);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
// The elementwise larger / smaller value (NaN propagates); a tie gives each
// input half the gradient, as PyTorch.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// where with a Scalar for either branch (the branch tensor's dtype, as PyTorch).
Tensor where(const Tensor& cond, const Tensor& a, Scalar b);
Tensor where(const Tensor& cond, Scalar a, const Tensor& b);
// Elementwise closeness, like torch.allclose.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& a, Scalar b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, Scalar b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, Scalar b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, Scalar b) { return div(a, b); }
inline Tensor operator+(Scalar a, const Tensor& b) { return add(b, a); }
inline Tensor operator-(Scalar a, const Tensor& b) { return rsub(b, a); }
inline Tensor operator*(Scalar a, const Tensor& b) { return mul(b, a); }
inline Tensor operator/(Scalar a, const Tensor& b) { return rdiv(b, a); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, Scalar b) { return lt(a, b); }
inline Tensor operator>(const Tensor& a, Scalar b) { return gt(a, b); }
inline Tensor operator<=(const Tensor& a, Scalar b) { return le(a, b); }
inline Tensor operator>=(const Tensor& a, Scalar b) { return ge(a, b); }
inline Tensor operator==(const Tensor& a, Scalar b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, Scalar b) { return ne(a, b); }
// On bool masks, as torch's ~ & | ^ on bool tensors (other dtypes are refused).
Tensor operator!(const Tensor& a);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);

// ---- unary.cpp ----
// Integer inputs compute in float32, except floor, ceil, round and sign,
// which keep the dtype (and have a zero gradient, as in PyTorch); round
// takes halves to the even neighbour.
Tensor sin(const Tensor& a);
Tensor cos(const Tensor& a);
Tensor reciprocal(const Tensor& a);
Tensor rsqrt(const Tensor& a);
Tensor log1p(const Tensor& a);
Tensor expm1(const Tensor& a);
Tensor floor(const Tensor& a);
Tensor ceil(const Tensor& a);
Tensor round(const Tensor& a);
Tensor sign(const Tensor& a);

// ---- activation.cpp ----
Tensor sigmoid(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor leaky_relu(const Tensor& a, double negative_slope = 0.01);
// approximate: "none" (erf) or "tanh".
Tensor gelu(const Tensor& a, std::string_view approximate = "none");
// As torch.nn.functional: linear above `threshold` (softplus), PyTorch's
// constants (selu), x sigmoid(x) (silu), x tanh(softplus(x)) (mish).
Tensor softplus(const Tensor& a, double beta = 1.0, double threshold = 20.0);
Tensor elu(const Tensor& a, double alpha = 1.0);
Tensor selu(const Tensor& a);
Tensor silu(const Tensor& a);
Tensor mish(const Tensor& a);
Tensor hardtanh(const Tensor& a, double min_val = -1.0, double max_val = 1.0);
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);

// ---- reduce.cpp ----
struct ValuesIndices {
  Tensor values, indices;  // auto [values, indices] = spool::max(x, 1);
};
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor sum(const Tensor& a, const Shape& dims, bool keepdim = false);  // x.sum({1, 2})
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& a, const Shape& dims, bool keepdim = false);
Tensor max(const Tensor& a);
Tensor min(const Tensor& a);
ValuesIndices max(const Tensor& a, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor logsumexp(const Tensor& a, int64_t dim, bool keepdim = false);
// Whether any / all elements are nonzero (bool; not recorded).
Tensor any(const Tensor& a);
Tensor all(const Tensor& a);
Tensor any(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor all(const Tensor& a, int64_t dim, bool keepdim = false);
// Running sum / product along dim (bool counts as int64), as torch.cumsum /
// torch.cumprod; cumprod's gradient is exact with zeros in the input.
Tensor cumsum(const Tensor& a, int64_t dim);
Tensor cumprod(const Tensor& a, int64_t dim);
// The p-norm (p > 0, or INFINITY) over all elements or one dim, as
// torch.norm / torch.linalg.vector_norm; its gradient is 0 where the norm is.
Tensor norm(const Tensor& a, double p = 2.0, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
namespace nn::functional {
// a / max(norm(a, p, dim), eps), as torch.nn.functional.normalize.
Tensor normalize(const Tensor& a, double p = 2.0, int64_t dim = 1, double eps = 1e-12);
}  // namespace nn::functional

// ---- einsum.cpp ----
// torch.einsum for equations of letters ("bij,bjk->bik", "bqd,bkd->bqk",
// "i,j->ij", "bi,oij,bj->bo", implicit output when "->" is absent), as
// products and sums with their gradients; "..." and repeated labels within
// an operand (diagonals) are errors.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);

// ---- attention.cpp ----
// As torch.nn.functional.scaled_dot_product_attention (PyTorch 2):
// softmax(q k^T * scale + mask) v for q [..., L, E], k [..., S, E],
// v [..., S, Ev], batch dims broadcast. attn_mask is bool (true = may
// attend, PyTorch 2's convention for this function) or floating (added to
// the scores; -inf masks); is_causal lets query i see keys j <= i; dropout
// applies to the weights whenever dropout_p > 0, as PyTorch. Returns the
// output [..., L, Ev] and the weights [..., L, S]. A query with no key to
// attend to gets zero weights and a zero output (PyTorch: NaN).
// softmax along dim over the entries where `allowed` (bool, broadcast to
// scores) is true; a row with no allowed entry is all zeros (no NaN), with
// finite gradients.
Tensor masked_softmax(const Tensor& scores, const Tensor& allowed, int64_t dim = -1);
struct AttentionOptions {
  Tensor attn_mask{};
  double dropout_p = 0.0;
  bool is_causal = false;
  std::optional<double> scale{};  // default 1 / sqrt(E)
};
struct AttentionOutput {
  Tensor output, weights;
};
AttentionOutput scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const AttentionOptions& options = {});

// ---- sort.cpp ----
// Sorted values and their positions along dim (a stable sort; NaN is the
// largest value), as torch.sort / torch.argsort; topk gives the k largest
// (or smallest) in sorted order. Values carry gather's gradient.
ValuesIndices sort(const Tensor& a, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& a, int64_t dim = -1, bool descending = false);
ValuesIndices topk(const Tensor& a, int64_t k, int64_t dim = -1, bool largest = true);

// ---- matmul.cpp ----
// 1-D, 2-D and batched (broadcast) products, as torch.matmul.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
// x @ weight^T + bias, weight [out, in]; bias may be undefined, [out], or any
// shape that broadcasts to the result (as torch's linear on 2-D input). One
// recorded op: the weight gradient comes in [out, in], with no transposed copy.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
// A linear weight packed once for many products in one forward, as a
// recurrent weight at every time step (OpenBLAS would pack it again for each
// product):
//
//   const spool::PackedWeight w(w_hh);
//   for (int64_t t = 0; t < T; ++t) h = spool::tanh(spool::linear(h, w, select(x_proj, 0, t)));
//
// linear(x, PackedWeight(w), b) matches linear(x, w, b) up to rounding (its
// own kernel), and its gradients flow to w. Products read w's values from
// when it was packed; as with any op, w must not change in place between the
// forward and the backward.
class PackedWeight {
 public:
  PackedWeight() = default;
  explicit PackedWeight(const Tensor& weight);  // [out, in], floating
  bool defined() const { return transposed_ != nullptr; }
  const Tensor& weight() const { return weight_; }
  // weight^T [in, out], the right operand of x @ weight^T.
  const kernels::PackedMatrix& transposed() const {
    SPOOL_CHECK(defined(), "PackedWeight", "is empty (default-constructed)");
    return *transposed_;
  }
  // weight [out, in] itself, the right operand of input gradients, packed
  // on first use (the first backward), once.
  const std::shared_ptr<kernels::LazyPackedMatrix>& plain() const { return plain_; }

 private:
  Tensor weight_;
  std::shared_ptr<const kernels::PackedMatrix> transposed_;
  std::shared_ptr<kernels::LazyPackedMatrix> plain_;
};
Tensor linear(const Tensor& x, const PackedWeight& weight, const Tensor& bias = Tensor());
// beta * bias + alpha * (a @ b); beta = 0 ignores bias, as in PyTorch.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, double beta = 1.0, double alpha = 1.0);
// Batches of products, as torch.bmm and torch.baddbmm: a [n, p, q] and
// b [n, q, r] give [n, p, r]; baddbmm adds beta * bias (broadcast).
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor baddbmm(const Tensor& bias, const Tensor& a, const Tensor& b, double beta = 1.0, double alpha = 1.0);

// ---- shape.cpp: views where possible, copies where needed ----
Tensor reshape(const Tensor& a, const Shape& sizes);  // one size may be -1
Tensor view(const Tensor& a, const Shape& sizes);     // needs a contiguous-compatible input
Tensor flatten(const Tensor& a, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& a, const Shape& dims);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
// a[..., start:end:step, ...] along dim, Python slice semantics for start/end.
Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
// Reverses the order along each of dims, as torch.flip (a copy).
Tensor flip(const Tensor& a, const Shape& dims);
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim = 0);
Tensor squeeze(const Tensor& a);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor expand(const Tensor& a, const Shape& sizes);  // -1 keeps a size
// The slices along dim, as views (torch.unbind).
std::vector<Tensor> unbind(const Tensor& a, int64_t dim = 0);
// Lower / upper triangle of the last two dims (diagonal offset k), the rest zero.
Tensor tril(const Tensor& a, int64_t k = 0);
Tensor triu(const Tensor& a, int64_t k = 0);
// Tiles a (torch.Tensor.repeat): repeats may have more entries than a has dims.
Tensor repeat(const Tensor& a, const Shape& repeats);
// Repeats each element (along dim, or of the flattened tensor) `repeats`
// times, or repeats[i] times for element i, as torch.repeat_interleave.
Tensor repeat_interleave(const Tensor& a, int64_t repeats, std::optional<int64_t> dim = std::nullopt);
Tensor repeat_interleave(const Tensor& a, const Tensor& repeats, std::optional<int64_t> dim = std::nullopt);
// int64 [..., num_classes] with a 1 at each index (num_classes -1: max + 1).
Tensor one_hot(const Tensor& indices, int64_t num_classes = -1);

// ---- nn.cpp ----
// weight[indices]; rows at padding_idx get no gradient.
Tensor embedding(const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx = std::nullopt);
// Masks for sequences and attention (bool, not recorded):
// lengths_to_mask: [B, max_len] true where a step is inside its sequence
// (max_len: the longest length when absent), e.g. for a padding mask write
// !lengths_to_mask(l) (PyTorch's key_padding_mask: true = ignore).
// causal_mask: [T, T] true above the diagonal, the future a query must not
// see (as nn.MultiheadAttention's boolean attn_mask: true = masked).
Tensor lengths_to_mask(const Tensor& lengths, std::optional<int64_t> max_len = std::nullopt);
Tensor causal_mask(int64_t T);
// Zeroes elements with probability p and scales the rest by 1/(1-p) when training.
Tensor dropout(const Tensor& a, double p = 0.5, bool training = true);
// Normalizes over the trailing `normalized_shape` dims; weight and bias optional.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// ---- loss.cpp ----
enum class Reduction { None, Mean, Sum };
Reduction reduction_from_string(std::string_view name);  // "none" | "mean" | "sum"

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

struct CrossEntropyOptions {
  Reduction reduction = Reduction::Mean;
  int64_t ignore_index = -100;
  double label_smoothing = 0.0;
  Tensor weight;  // [C] per-class weights; the mean then divides by the targets' weights
};
// input [N, C] or [N, C, d...] logits; target int64 [N] or [N, d...] class
// indices, or class probabilities of the input's shape (floating).
//   spool::cross_entropy(logits, y, {.ignore_index = 0, .label_smoothing = 0.1});
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options = {});

struct NllLossOptions {
  Reduction reduction = Reduction::Mean;
  int64_t ignore_index = -100;
};
Tensor nll_loss(const Tensor& input, const Tensor& target, const NllLossOptions& options = {});

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// As torch.nn.functional: quadratic below beta / delta, linear above.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                      double beta = 1.0);
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                  double delta = 1.0);
// input holds log-probabilities; target probabilities (log-probabilities
// with log_target). reduction: "none", "sum", "mean" or "batchmean" (the
// sum over the batch size: the KL divergence itself).
Tensor kl_div(const Tensor& input, const Tensor& target, std::string_view reduction = "mean", bool log_target = false);
// CTC loss, as torch.nn.functional.ctc_loss: log_probs [T, N, C] (from
// log_softmax), targets int64 [N, S] padded or 1-D concatenated, lengths
// int64 [N]. Mean divides each loss by its target length, then averages.
struct CtcLossOptions {
  int64_t blank = 0;
  Reduction reduction = Reduction::Mean;
  bool zero_infinity = false;  // an impossible alignment gives 0 (and no gradient) instead of inf
};
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, const CtcLossOptions& options = {});
// max(0, -y (x1 - x2) + margin), y = 1 or -1.
Tensor margin_ranking_loss(const Tensor& x1, const Tensor& x2, const Tensor& y, double margin = 0.0,
                           Reduction reduction = Reduction::Mean);
// 1 - cos(x1, x2) where y = 1, max(0, cos - margin) where y = -1; x [N, D] or [D].
Tensor cosine_embedding_loss(const Tensor& x1, const Tensor& x2, const Tensor& y, double margin = 0.0,
                             Reduction reduction = Reduction::Mean);

struct BceWithLogitsOptions {
  Reduction reduction = Reduction::Mean;
  Tensor pos_weight;  // optional, broadcast over the last dim
};
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BceWithLogitsOptions& options = {});

}  // namespace spool
