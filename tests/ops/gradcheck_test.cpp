// Table-driven gradcheck (float64 central differences) of every op, with
// broadcast and non-contiguous inputs. Adding an op adds a row.
#include "test_util.hpp"

using namespace spool;
using spool::testing::leaf;
using spool::testing::positive_leaf;
using spool::testing::transposed_leaf;

namespace {

struct Row {
  const char* name;
  std::function<Tensor(const std::vector<Tensor>&)> fn;
  std::function<std::vector<Tensor>()> inputs;
};

Tensor idx(std::vector<int64_t> v, Shape s = {}) { return tensor(v, s); }
Tensor mask(std::vector<bool> v, Shape s) { return tensor(v, s); }

// Inputs kept away from kinks (abs, relu, clamp) by shifting.
Tensor away_from_zero(const Shape& s, uint64_t seed) {
  manual_seed(seed);
  Tensor x = randn(s, kFloat64);
  Tensor sign = where(x < zeros_like(x), full_like(x, -1.0), full_like(x, 1.0));
  return (x + sign * 0.2).detach().requires_grad_();
}

std::vector<Row> rows() {
  using V = std::vector<Tensor>;
  return {
      {"add", [](const V& v) { return v[0] + v[1]; }, [] { return V{leaf({3, 4}, 1), leaf({3, 4}, 2)}; }},
      {"add broadcast", [](const V& v) { return v[0] + v[1]; }, [] { return V{leaf({2, 1, 3}, 1), leaf({4, 1}, 2)}; }},
      {"add non-contiguous", [](const V& v) { return v[0] + v[1]; },
       [] { return V{transposed_leaf(3, 4, 1), leaf({4}, 2)}; }},
      {"sub broadcast", [](const V& v) { return v[0] - v[1]; }, [] { return V{leaf({3, 1}, 1), leaf({1, 4}, 2)}; }},
      {"mul broadcast", [](const V& v) { return v[0] * v[1]; }, [] { return V{leaf({3, 4}, 1), leaf({4}, 2)}; }},
      {"mul same input", [](const V& v) { return v[0] * v[0]; }, [] { return V{leaf({3, 4}, 1)}; }},
      {"div broadcast", [](const V& v) { return v[0] / v[1]; },
       [] { return V{leaf({3, 4}, 1), positive_leaf({3, 1}, 2)}; }},
      {"scalar ops", [](const V& v) { return ((v[0] + 1.5) * 2.0 - 0.5) / 3.0; }, [] { return V{leaf({5}, 1)}; }},
      {"rsub rdiv", [](const V& v) { return (2.0 - v[0]) + 3.0 / v[1]; },
       [] { return V{leaf({5}, 1), positive_leaf({5}, 2)}; }},
      {"neg", [](const V& v) { return -v[0]; }, [] { return V{leaf({2, 3}, 1)}; }},
      {"exp", [](const V& v) { return exp(v[0]); }, [] { return V{transposed_leaf(3, 2, 1)}; }},
      {"log", [](const V& v) { return log(v[0]); }, [] { return V{positive_leaf({2, 3}, 1)}; }},
      {"sqrt", [](const V& v) { return sqrt(v[0]); }, [] { return V{positive_leaf({2, 3}, 1)}; }},
      {"abs", [](const V& v) { return abs(v[0]); }, [] { return V{away_from_zero({2, 3}, 1)}; }},
      {"pow scalar", [](const V& v) { return pow(v[0], 2.5); }, [] { return V{positive_leaf({2, 3}, 1)}; }},
      {"pow tensor", [](const V& v) { return pow(v[0], v[1]); },
       [] { return V{positive_leaf({2, 3}, 1), leaf({3}, 2)}; }},
      {"clamp", [](const V& v) { return clamp(v[0], -0.5, 0.7); },
       [] {
         Tensor x = tensor({-1.2, -0.3, 0.1, 0.5, 0.9, 1.4}, {2, 3}, kFloat64);
         return V{x.requires_grad_()};
       }},
      {"sigmoid", [](const V& v) { return sigmoid(v[0]); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"tanh", [](const V& v) { return tanh(v[0]); }, [] { return V{transposed_leaf(3, 4, 1)}; }},
      {"relu", [](const V& v) { return relu(v[0]); }, [] { return V{away_from_zero({3, 4}, 1)}; }},
      {"leaky_relu", [](const V& v) { return leaky_relu(v[0], 0.1); }, [] { return V{away_from_zero({3, 4}, 1)}; }},
      {"gelu", [](const V& v) { return gelu(v[0]); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"gelu tanh", [](const V& v) { return gelu(v[0], "tanh"); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"softmax", [](const V& v) { return softmax(v[0], 1); }, [] { return V{leaf({3, 5}, 1)}; }},
      {"softmax dim 0 non-contiguous", [](const V& v) { return softmax(v[0], 0); },
       [] { return V{transposed_leaf(4, 3, 1)}; }},
      {"log_softmax", [](const V& v) { return log_softmax(v[0], -1); }, [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"logsumexp", [](const V& v) { return logsumexp(v[0], 1); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"where", [](const V& v) { return where(mask({true, false, false, true}, {4}), v[0], v[1]); },
       [] { return V{leaf({3, 4}, 1), leaf({3, 1}, 2)}; }},
      {"masked_fill", [](const V& v) { return masked_fill(v[0], mask({true, false, true, false}, {1, 4}), 2.0); },
       [] { return V{leaf({3, 4}, 1)}; }},
      {"sum all", [](const V& v) { return sum(v[0]); }, [] { return V{transposed_leaf(3, 4, 1)}; }},
      {"sum dim", [](const V& v) { return sum(v[0], 1); }, [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"sum dim keepdim", [](const V& v) { return sum(v[0], 0, true); }, [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"mean", [](const V& v) { return mean(v[0]) + mean(v[0], -1); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"max min dim", [](const V& v) { return max(v[0], 1).values + min(v[0], 1, false).values; },
       [] { return V{leaf({3, 5}, 1)}; }},
      {"max min all", [](const V& v) { return max(v[0]) * min(v[0]); }, [] { return V{leaf({3, 5}, 1)}; }},
      {"matmul 2d", [](const V& v) { return matmul(v[0], v[1]); }, [] { return V{leaf({3, 4}, 1), leaf({4, 5}, 2)}; }},
      {"matmul transposed operands", [](const V& v) { return matmul(v[0], v[1]); },
       [] { return V{transposed_leaf(3, 4, 1), transposed_leaf(4, 2, 2)}; }},
      {"matmul batched broadcast", [](const V& v) { return matmul(v[0], v[1]); },
       [] { return V{leaf({2, 3, 4}, 1), leaf({4, 5}, 2)}; }},
      {"matmul batched, one batch size", [](const V& v) { return matmul(v[0], transpose(v[1], 1, 2)); },
       [] { return V{leaf({2, 3, 4}, 1), leaf({2, 5, 4}, 2)}; }},
      {"matmul batch broadcast both", [](const V& v) { return matmul(v[0], v[1]); },
       [] { return V{leaf({1, 3, 4}, 1), leaf({2, 4, 2}, 2)}; }},
      {"matmul vector", [](const V& v) { return matmul(v[0], v[1]) + matmul(v[1], v[2]).sum(); },
       [] { return V{leaf({4}, 1), leaf({4, 5}, 2), leaf({5}, 3)}; }},
      {"linear", [](const V& v) { return linear(v[0], v[1], v[2]); },
       [] { return V{leaf({3, 4}, 1), leaf({5, 4}, 2), leaf({5}, 3)}; }},
      {"linear 3d no bias", [](const V& v) { return linear(v[0], v[1]); },
       [] { return V{leaf({2, 3, 4}, 1), leaf({5, 4}, 2)}; }},
      {"linear per-row bias, transposed weight", [](const V& v) { return linear(v[0], v[1], v[2]); },
       [] { return V{leaf({3, 4}, 1), transposed_leaf(5, 4, 2), leaf({3, 5}, 3)}; }},
      {"linear 3d broadcast bias", [](const V& v) { return linear(v[0], v[1], v[2]); },
       [] { return V{leaf({2, 3, 4}, 1), leaf({5, 4}, 2), leaf({3, 1}, 3)}; }},
      {"linear packed weight", [](const V& v) { return linear(v[0], PackedWeight(v[1]), v[2]); },
       [] { return V{leaf({9, 4}, 1), leaf({18, 4}, 2), leaf({18}, 3)}; }},
      {"linear packed weight, transposed, reused over 3 steps",
       [](const V& v) {
         const PackedWeight w(v[1]);
         Tensor h = v[0];
         for (int t = 0; t < 3; ++t) h = tanh(linear(h, w, v[2]));
         return h;
       },
       [] { return V{leaf({2, 5}, 1), transposed_leaf(5, 5, 2), leaf({5}, 3)}; }},
      {"linear packed weight, its input gradient after another's",
       [](const V& v) { return v[0] * 2.0 + linear(v[0], PackedWeight(v[1])).sum(1, true); },
       [] { return V{leaf({3, 4}, 1), leaf({5, 4}, 2)}; }},
      {"addmm", [](const V& v) { return addmm(v[0], v[1], v[2], 0.5, 2.0); },
       [] { return V{leaf({5}, 1), leaf({3, 4}, 2), leaf({4, 5}, 3)}; }},
      {"bmm", [](const V& v) { return bmm(v[0], v[1]); }, [] { return V{leaf({2, 3, 4}, 1), leaf({2, 4, 5}, 2)}; }},
      {"baddbmm broadcast bias, transposed operand", [](const V& v) {
         return baddbmm(v[0], v[1], transpose(v[2], 1, 2), 0.5, 2.0);
       },
       [] { return V{leaf({2, 1, 5}, 1), leaf({2, 3, 4}, 2), leaf({2, 5, 4}, 3)}; }},
      // One batched weight used at every step, as a fused bidirectional
      // layer does: the engine joins its per-step products into one GEMM.
      {"baddbmm recurrence", [](const V& v) {
         Tensor h = select(v[1], 0, 0);
         for (int t = 1; t < 5; ++t) h = tanh(baddbmm(select(v[1], 0, t), h, v[0]));
         return h;
       },
       [] { return V{leaf({2, 3, 3}, 1), leaf({5, 2, 1, 3}, 2)}; }},
      {"flip", [](const V& v) { return flip(v[0], {0, -1}) * v[0]; }, [] { return V{leaf({3, 2, 4}, 1)}; }},
      {"flip rows of a transposed input", [](const V& v) { return flip(v[0], {0}) * 2.0; },
       [] { return V{transposed_leaf(3, 4, 1)}; }},
      {"transpose permute", [](const V& v) { return permute(transpose(v[0], 0, 2), {1, 0, 2}) * 2.0; },
       [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"reshape view", [](const V& v) { return reshape(v[0], {4, -1}) + view(v[1], {4, 3}); },
       [] { return V{transposed_leaf(3, 4, 1), leaf({12}, 2)}; }},
      {"narrow slice select", [](const V& v) {
         return narrow(v[0], 1, 1, 2).sum() + slice(v[0], 0, 0, 4, 2).sum(1) .sum() + select(v[0], 1, -1) ;
       },
       [] { return V{leaf({4, 3}, 1)}; }},
      {"many slices of one tensor", [](const V& v) {
         Tensor acc = select(v[0], 0, 0);
         for (int t = 1; t < 6; ++t) acc = acc * 0.5 + tanh(select(v[0], 0, t));
         return acc;
       },
       [] { return V{leaf({6, 3}, 1)}; }},
      // Views record no node: their gradients are placed, through chains of
      // views, into the base's (the engine composes the placements).
      {"a view as the result", [](const V& v) { return slice(select(slice(v[0], 0, 1, 4, 2), 1, 2), 1, 1, 5, 2); },
       [] { return V{leaf({4, 3, 5}, 1)}; }},
      {"views of views into a product", [](const V& v) {
         const Tensor a = slice(v[0], 0, 1, 4, 2);
         return matmul(select(a, 1, 2), v[1]) + tanh(slice(a, 2, 0, 2)).sum();
       },
       [] { return V{leaf({4, 3, 5}, 1), leaf({5, 2}, 2)}; }},
      {"a product into strided rows of a view", [](const V& v) { return matmul(select(v[0], 1, 0), v[1]); },
       [] { return V{leaf({4, 3, 5}, 1), leaf({5, 2}, 2)}; }},
      {"a broadcast gradient into a view", [](const V& v) { return slice(v[0], 1, 0, 1) * v[1]; },
       [] { return V{leaf({3, 4}, 1), leaf({3, 5}, 2)}; }},
      {"index_select", [](const V& v) { return index_select(v[0], 1, idx({2, 0, 2})); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"gather", [](const V& v) { return gather(v[0], 1, idx({0, 2, 1, 1, 3, 0}, {3, 2})); },
       [] { return V{leaf({3, 4}, 1)}; }},
      {"cat", [](const V& v) { return cat({v[0], v[1], v[0]}, 1); }, [] { return V{leaf({2, 3}, 1), leaf({2, 2}, 2)}; }},
      {"stack", [](const V& v) { return stack({v[0], v[1]}, 1); }, [] { return V{leaf({2, 3}, 1), leaf({2, 3}, 2)}; }},
      {"stack last dim, transposed, one input twice", [](const V& v) { return stack({v[0], v[1], v[0]}, -1); },
       [] { return V{transposed_leaf(3, 4, 1), leaf({3, 4}, 2)}; }},
      {"split chunk", [](const V& v) {
         auto s = split(v[0], 2, 1);
         auto c = chunk(v[0], 2, 0);
         return s[0].sum() * s[2].sum() + c[1].sum() * 3.0;
       },
       [] { return V{leaf({4, 5}, 1)}; }},
      {"squeeze unsqueeze", [](const V& v) { return unsqueeze(squeeze(v[0]), 0) * squeeze(v[0], 1); },
       [] { return V{leaf({3, 1, 4}, 1)}; }},
      {"expand", [](const V& v) { return expand(v[0], {2, 3, -1}) * 1.5; }, [] { return V{leaf({3, 1}, 1)}; }},
      {"embedding", [](const V& v) { return embedding(v[0], idx({1, 3, 1, 0, 3, 5}, {2, 3}), 2); },
       [] { return V{leaf({6, 4}, 1)}; }},
      {"layer_norm", [](const V& v) { return layer_norm(v[0], {4}, v[1], v[2]); },
       [] { return V{leaf({3, 4}, 1), leaf({4}, 2), leaf({4}, 3)}; }},
      {"layer_norm no affine 2 dims", [](const V& v) { return layer_norm(v[0], {3, 4}); },
       [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"dropout", [](const V& v) {
         manual_seed(7);  // the same mask on every evaluation
         return dropout(v[0], 0.3, true);
       },
       [] { return V{leaf({4, 5}, 1)}; }},
      {"mse_loss", [](const V& v) { return mse_loss(v[0], v[1]); },
       [] { return V{leaf({3, 4}, 1), leaf({3, 4}, 2).detach()}; }},
      {"l1_loss", [](const V& v) { return l1_loss(v[0], v[1], Reduction::Sum); },
       [] { return V{away_from_zero({3, 4}, 1), zeros({3, 4}, kFloat64)}; }},
      {"cross_entropy", [](const V& v) { return cross_entropy(v[0], idx({1, 0, 4, 2})); }, [] { return V{leaf({4, 5}, 1)}; }},
      {"cross_entropy smoothing ignore", [](const V& v) {
         return cross_entropy(v[0], idx({1, 0, 4, 2}), {.ignore_index = 4, .label_smoothing = 0.2});
       },
       [] { return V{leaf({4, 5}, 1)}; }},
      {"cross_entropy spatial none", [](const V& v) {
         return cross_entropy(v[0], idx({1, 0, 2, 2, 1, 0}, {2, 3}), {.reduction = Reduction::None});
       },
       [] { return V{leaf({2, 3, 3}, 1)}; }},
      {"nll_loss", [](const V& v) { return nll_loss(v[0], idx({1, 0, 4}), {.reduction = Reduction::Sum}); },
       [] { return V{leaf({3, 5}, 1)}; }},
      {"binary_cross_entropy", [](const V& v) { return binary_cross_entropy(sigmoid(v[0]), v[1]); },
       [] {
         manual_seed(3);
         return V{leaf({3, 4}, 1), rand({3, 4}, kFloat64)};
       }},
      {"bce_with_logits pos_weight", [](const V& v) {
         return binary_cross_entropy_with_logits(v[0], v[1], {.pos_weight = tensor({0.5, 2.0, 1.0, 3.0}, {4}, kFloat64)});
       },
       [] {
         manual_seed(3);
         return V{leaf({3, 4}, 1), rand({3, 4}, kFloat64)};
       }},
      {"to float64 round trip", [](const V& v) { return v[0].to(kFloat32).to(kFloat64) * 0 + v[0] * 2.0; },
       [] { return V{leaf({3}, 1)}; }},
      {"clone contiguous", [](const V& v) { return v[0].clone() * v[0].contiguous(); },
       [] { return V{transposed_leaf(2, 3, 1)}; }},
      // The tensor surface (issue "the tensor surface a PyTorch user reaches for").
      {"sin cos", [](const V& v) { return sin(v[0]) * cos(v[1]); }, [] { return V{leaf({2, 3}, 1), transposed_leaf(2, 3, 2)}; }},
      {"reciprocal rsqrt", [](const V& v) { return reciprocal(v[0]) + rsqrt(v[0]); }, [] { return V{positive_leaf({2, 3}, 1)}; }},
      {"log1p expm1", [](const V& v) { return log1p(v[0]) * expm1(v[1]); }, [] { return V{positive_leaf({4}, 1), leaf({4}, 2)}; }},
      {"floor ceil round sign (zero gradient)", [](const V& v) { return floor(v[0]) + ceil(v[0]) + round(v[0]) + sign(v[0]) + v[0]; },
       [] { return V{tensor({-1.3, -0.2, 0.4, 1.6}, {4}, kFloat64).requires_grad_()}; }},
      {"softplus", [](const V& v) { return softplus(v[0], 2.0, 3.0); }, [] {
         return V{tensor({-2.0, -0.3, 0.4, 1.2, 2.5}, {5}, kFloat64).requires_grad_()};  // 2.5 * 2 > 3: linear part
       }},
      {"elu selu", [](const V& v) { return elu(v[0], 0.7) + selu(v[0]); }, [] { return V{away_from_zero({3, 4}, 1)}; }},
      {"silu mish", [](const V& v) { return silu(v[0]) * mish(v[0]); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"hardtanh", [](const V& v) { return hardtanh(v[0], -0.5, 0.8); },
       [] { return V{tensor({-1.2, -0.3, 0.1, 0.5, 0.9, 1.4}, {2, 3}, kFloat64).requires_grad_()}; }},
      {"maximum minimum broadcast", [](const V& v) { return maximum(v[0], v[1]) * minimum(v[0], v[1]); },
       [] { return V{leaf({3, 4}, 1), leaf({4}, 2)}; }},
      {"where with scalars", [](const V& v) { return where(v[0] > 0.0, v[0], 2.0) + where(v[0] < 0.0, -1.0, v[0] * 3.0); },
       [] { return V{away_from_zero({3, 4}, 1)}; }},
      {"cumsum", [](const V& v) { return cumsum(v[0], 1) * cumsum(v[0], 0); }, [] { return V{transposed_leaf(3, 4, 1)}; }},
      {"cumprod", [](const V& v) { return cumprod(v[0], -1); }, [] { return V{leaf({2, 5}, 1)}; }},
      {"cumprod with zeros", [](const V& v) { return cumprod(v[0], 0); },
       [] { return V{tensor({1.5, 0.0, -2.0, 0.0, 0.7}, {5}, kFloat64).requires_grad_()}; }},
      {"norm 2 all", [](const V& v) { return norm(v[0]); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"norm 1 and 3 over a dim", [](const V& v) { return norm(v[0], 1.0, 1) + norm(v[0], 3.0, 1); },
       [] { return V{away_from_zero({3, 4}, 1)}; }},
      {"norm inf", [](const V& v) { return norm(v[0], INFINITY, 0, true); }, [] { return V{leaf({4, 3}, 1)}; }},
      {"normalize", [](const V& v) { return nn::functional::normalize(v[0], 2.0, 1); }, [] { return V{leaf({3, 4}, 1)}; }},
      {"tril triu", [](const V& v) { return tril(v[0], 1) * 2.0 + triu(v[0], -1); }, [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"repeat", [](const V& v) { return repeat(v[0], {2, 1, 3}); }, [] { return V{transposed_leaf(2, 3, 1)}; }},
      {"repeat_interleave", [](const V& v) { return repeat_interleave(v[0], 3, 1) + 0.0; }, [] { return V{leaf({2, 2}, 1)}; }},
      {"repeat_interleave counts", [](const V& v) { return repeat_interleave(v[0], idx({2, 0, 1}), 0); },
       [] { return V{leaf({3, 2}, 1)}; }},
      {"unbind", [](const V& v) { auto u = unbind(v[0], 1); return u[0] * u[2] + u[1]; }, [] { return V{leaf({3, 3}, 1)}; }},
      {"sort values", [](const V& v) { return sort(v[0], 1, true).values * tensor({1.0, 2.0, 3.0, 4.0}, {4}, kFloat64); },
       [] { return V{leaf({3, 4}, 1)}; }},
      {"topk values", [](const V& v) { return topk(v[0], 2, 0).values; }, [] { return V{leaf({5, 3}, 1)}; }},
      {"einsum batched product", [](const V& v) { return einsum("bij,bjk->bik", {v[0], v[1]}); },
       [] { return V{leaf({2, 3, 4}, 1), leaf({2, 4, 5}, 2)}; }},
      {"einsum attention scores", [](const V& v) { return einsum("bqd,bkd->bqk", {v[0], v[1]}); },
       [] { return V{leaf({2, 3, 4}, 1), leaf({2, 4, 3}, 2).detach().transpose(1, 2).requires_grad_()}; }},
      {"einsum bilinear and sums", [](const V& v) { return einsum("bi,oij,bj->bo", {v[0], v[1], v[2]}).sum() + einsum("ij->j", {v[1][0]}).sum(); },
       [] { return V{leaf({2, 3}, 1), leaf({4, 3, 5}, 2), leaf({2, 5}, 3)}; }},
      {"einsum outer and implicit", [](const V& v) { return einsum("i,j", {v[0], v[1]}); },
       [] { return V{leaf({3}, 1), leaf({4}, 2)}; }},
      {"sum and mean over dims", [](const V& v) { return v[0].sum({0, 2}) + v[0].mean({2, 0}, false) + v[0].sum({1, 2}, true).sum(); },
       [] { return V{leaf({2, 3, 4}, 1)}; }},
      {"smooth_l1 huber", [](const V& v) {
         return smooth_l1_loss(v[0], v[1], Reduction::Sum, 0.5) + huber_loss(v[0], v[1], Reduction::Mean, 0.7);
       },
       [] { return V{leaf({3, 4}, 1), leaf({3, 4}, 2)}; }},
      {"kl_div", [](const V& v) {
         return kl_div(log_softmax(v[0], 1), softmax(v[1], 1), "batchmean") + kl_div(log_softmax(v[0], 1), log_softmax(v[1], 1), "sum", true);
       },
       [] { return V{leaf({3, 4}, 1), leaf({3, 4}, 2)}; }},
      {"margin_ranking", [](const V& v) { return margin_ranking_loss(v[0], v[1], tensor({1.0, -1.0, 1.0, -1.0}, {4}, kFloat64), 0.1); },
       [] { return V{tensor({0.3, 0.9, -0.5, 0.2}, {4}, kFloat64).requires_grad_(), tensor({0.1, 0.2, 0.4, 0.8}, {4}, kFloat64).requires_grad_()}; }},
      {"cosine_embedding", [](const V& v) {
         return cosine_embedding_loss(v[0], v[1], tensor({1.0, -1.0, -1.0}, {3}, kFloat64), -0.9, Reduction::Sum);
       },
       [] { return V{leaf({3, 4}, 1), leaf({3, 4}, 2)}; }},
      {"cross_entropy weight smoothing", [](const V& v) {
         return cross_entropy(v[0], idx({1, 2, 0, 2}), {.ignore_index = 0, .label_smoothing = 0.2, .weight = tensor({0.5, 2.0, 1.5}, {3}, kFloat64)});
       },
       [] { return V{leaf({4, 3}, 1)}; }},
      {"ctc_loss (d loss / d log_probs itself)", [](const V& v) {
         return ctc_loss(v[0], idx({1, 2, 2, 3, 1, 0}, {2, 3}), idx({5, 4}), idx({3, 2}), {.reduction = Reduction::Sum});
       },
       [] {
         manual_seed(4);
         return V{log_softmax(randn({5, 2, 4}, kFloat64), 2).detach().requires_grad_()};
       }},
      {"ctc_loss through log_softmax", [](const V& v) {
         return ctc_loss(log_softmax(v[0], 2), idx({2, 1, 3}), idx({4, 3}), idx({2, 1}), {.blank = 0});
       },
       [] { return V{leaf({4, 2, 4}, 5)}; }},
      {"scaled_dot_product_attention causal", [](const V& v) {
         return scaled_dot_product_attention(v[0], v[1], v[2], {.is_causal = true}).output;
       },
       [] { return V{leaf({2, 3, 4}, 1), leaf({2, 5, 4}, 2), leaf({2, 5, 3}, 3)}; }},
      {"scaled_dot_product_attention with a row without keys", [](const V& v) {
         Tensor m = tensor(std::vector<bool>{true, false, true, false, false, false}, {2, 3});
         auto r = scaled_dot_product_attention(v[0], v[1], v[2], {.attn_mask = m, .scale = 0.7});
         return r.output.sum() + (r.weights * r.weights).sum();
       },
       [] { return V{leaf({2, 2, 4}, 1), leaf({2, 3, 4}, 2), leaf({2, 3, 2}, 3)}; }},
      {"cross_entropy probabilities", [](const V& v) {
         return cross_entropy(v[0], softmax(v[1], 1), {.label_smoothing = 0.1, .weight = tensor({0.5, 2.0, 1.5}, {3}, kFloat64)});
       },
       [] { return V{leaf({4, 3}, 1), leaf({4, 3}, 2)}; }},
  };
}

}  // namespace

TEST_CASE("gradcheck: every op in float64") {
  for (const Row& row : rows()) {
    SUBCASE(row.name) {
      auto inputs = row.inputs();
      auto result = gradcheck(row.fn, inputs);
      INFO(row.name << ": " << result.report);
      CHECK(result.ok);
    }
  }
}

TEST_CASE("gradcheck: reports a wrong backward") {
  struct WrongSquare : Function<WrongSquare> {
    static Tensor forward(AutogradContext& ctx, const Tensor& x) {
      ctx.save_for_backward({x});
      return x * x;
    }
    static Grads backward(AutogradContext& ctx, const Tensor& gy) { return {gy * ctx.saved(0) * 3.0}; }
  };
  auto r = gradcheck([](const std::vector<Tensor>& v) { return WrongSquare::apply(v[0]); }, {leaf({3}, 1)});
  CHECK_FALSE(r.ok);
  CHECK(r.report.find("input 0") != std::string::npos);
}

TEST_CASE("gradcheck: rejects float32 inputs") {
  Tensor x = randn({3}).requires_grad_();
  CHECK_THROWS_AS(gradcheck([](const std::vector<Tensor>& v) { return v[0] * 2.0; }, {x}), Error);
}
