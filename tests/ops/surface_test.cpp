// The tensor surface a PyTorch user reaches for: values that need no
// gradient, the method and operator forms, in-place ops, and every error.
// (Gradients: gradcheck_test.cpp; PyTorch values: fixtures/ops_surface.json.)
#include <cmath>

#include "test_util.hpp"

using namespace spool;
using spool::testing::check_close;

TEST_CASE("surface: construction, views and sizes as PyTorch writes them") {
  Tensor a = tensor({1, 2, 3}, kInt64);
  CHECK(a.dtype() == kInt64);
  CHECK(a.to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3});
  Tensor b = tensor(std::vector<int>{4, 5, 6, 7}, {2, 2});
  CHECK(b.dtype() == kInt64);
  CHECK(b.sizes() == Shape{2, 2});
  const std::vector<int64_t> sizes = b.sizes();
  CHECK(sizes == std::vector<int64_t>{2, 2});
  CHECK(b.view(-1).sizes() == Shape{4});
  CHECK(b.reshape(4, 1).sizes() == Shape{4, 1});
  CHECK(zeros({2, 3}).view(3, -1).sizes() == Shape{3, 2});
  check_close(linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1});
  CHECK(linspace(0, 10, 4, kInt64).to_vector<int64_t>() == std::vector<int64_t>{0, 3, 6, 10});
  CHECK(linspace(2, 3, 1).to_vector<float>() == std::vector<float>{2});
  CHECK_ERROR(linspace(0, 1, -1), "linspace", "-1");
  Tensor x = randn({2, 3}, kFloat64);
  CHECK(randn_like(x).sizes() == x.sizes());
  CHECK(rand_like(x).dtype() == kFloat64);
  // sin on a spool::Tensor is spool's op, found by argument-dependent lookup beside std::sin.
  using std::sin;
  Tensor s = sin(tensor({0.0, M_PI / 2}, {2}, kFloat64));
  check_close(s, {0, 1}, 1e-12, 1e-12);
  CHECK(sin(0.0) == 0.0);
}

TEST_CASE("surface: methods and operators") {
  Tensor x = tensor({1.0, -2.0, 3.0, 0.5, 4.0, -1.0}, {2, 3});
  check_close(x.softmax(-1).sum(1), {1, 1});
  CHECK(x.argmax(1).to_vector<int64_t>() == std::vector<int64_t>{2, 1});
  CHECK(x.chunk(3, -1).size() == 3);
  CHECK(x.unsqueeze(0).flatten(1).sizes() == Shape{1, 6});
  CHECK(x.unsqueeze(0).unsqueeze(2).squeeze().sizes() == Shape{2, 3});
  check_close(x.sum({0, 1}), {5.5});
  CHECK(tensor({1.0}, {1}).expand_as(x).sizes() == Shape{2, 3});
  CHECK(x.unsqueeze(0).bmm(x.t().unsqueeze(0)).sizes() == Shape{1, 2, 2});
  check_close(x.masked_fill(x < 0.0, 0.0), {1, 0, 3, 0.5, 4, 0});
  CHECK((x == x).all().item<bool>());
  CHECK((x != 1.0).to_vector<bool>() == std::vector<bool>{false, true, true, true, true, true});
  CHECK((x >= 1.0).to_vector<bool>() == std::vector<bool>{true, false, true, false, true, false});
  CHECK((x <= -1.0).to_vector<bool>() == std::vector<bool>{false, true, false, false, false, true});
  const Tensor m = x > 0.0, n = x < 2.0;
  CHECK((m & n).to_vector<bool>() == std::vector<bool>{true, false, false, true, false, false});
  CHECK((m | n).all().item<bool>());
  CHECK((m ^ n).to_vector<bool>() == std::vector<bool>{false, true, true, false, true, true});
  CHECK((!m).to_vector<bool>() == std::vector<bool>{false, true, false, false, false, true});
  CHECK_ERROR(x & m, "operator&", "bool masks", "float32");
  CHECK_ERROR(!x, "operator!", "bool masks");
  CHECK(logical_and(tensor({2, 0}, kInt64), tensor({1.5, 3.0}, {2})).to_vector<bool>() == std::vector<bool>{true, false});
  CHECK(any(zeros({3})).item<bool>() == false);
  CHECK(all(ones({2, 2}, kInt64)).item<bool>() == true);
  CHECK(any(tensor({0.0, 0.0, 1.0, 0.0}, {2, 2}), 0).to_vector<bool>() == std::vector<bool>{true, false});
  check_close(where(x > 0.0, x, -1.0), {1, -1, 3, 0.5, 4, -1});
  check_close(where(x > 0.0, 7.0, x), {7, -2, 7, 7, 7, -1});
  auto [v, i] = x.topk(1, 1);
  check_close(v, {3, 4});
  CHECK(i.to_vector<int64_t>() == std::vector<int64_t>{2, 1});
  CHECK(x.sort(1).indices.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 2, 2, 0, 1});
  // NaN sorts last ascending (it counts as the largest), first descending.
  Tensor nan = tensor({2.0, NAN, -1.0}, {3});
  CHECK(argsort(nan).to_vector<int64_t>() == std::vector<int64_t>{2, 0, 1});
  CHECK(argsort(nan, 0, true).to_vector<int64_t>() == std::vector<int64_t>{1, 0, 2});
  CHECK(one_hot(tensor({2, 0}, kInt64)).to_vector<int64_t>() == std::vector<int64_t>{0, 0, 1, 1, 0, 0});
  CHECK(cumsum(tensor(std::vector<bool>{true, true, false, true}), 0).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 2, 3});
  check_close(round(tensor({0.5, 1.5, 2.5, -0.5})), {0, 2, 2, -0});
  CHECK(sign(tensor({-3, 0, 5}, kInt64)).to_vector<int64_t>() == std::vector<int64_t>{-1, 0, 1});
  CHECK(floor(tensor({-3, 5}, kInt64)).dtype() == kInt64);
  CHECK(sin(tensor({0, 1}, kInt64)).dtype() == kFloat32);
  CHECK(maximum(tensor({1.0, NAN}, {2}), tensor({2.0, 0.0}, {2})).to_vector<float>()[0] == 2.0f);
  CHECK(std::isnan(maximum(tensor({1.0, NAN}, {2}), tensor({2.0, 0.0}, {2})).to_vector<float>()[1]));
  CHECK(repeat(tensor({1, 2}, kInt64), {2, 2}).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 1, 2, 1, 2, 1, 2});
  CHECK(repeat_interleave(tensor({1, 2}, kInt64), 2).to_vector<int64_t>() == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(tril(ones({3, 3})).sum().item<float>() == 6.0f);
  CHECK(triu(ones({2, 4}), 1).sum().item<float>() == 5.0f);
  CHECK(unbind(zeros({4, 2}), 1).size() == 2);
}

TEST_CASE("surface: in-place ops change the data and its version, and refuse what PyTorch refuses") {
  Tensor x = tensor({1.0, 2.0, 3.0}, {3});
  const uint32_t v0 = x.version();
  x += 1.0;
  x *= tensor({2.0, 2.0, 2.0}, {3});
  x -= tensor({1.0}, {1});
  x /= 2.0;
  x.add_(0.5).mul_(2.0).sub_(1.0).div_(tensor({1.0, 2.0, 4.0}, {3}));
  check_close(x, {3.0, 2.5, 1.75});
  x.clamp_(std::nullopt, 2.2);
  check_close(x, {2.2, 2.2, 1.75});
  CHECK(x.version() == v0 + 9);
  // A view changes its base.
  Tensor base = zeros({2, 2});
  Tensor row = base[1];
  row += 3.0;
  check_close(base, {0, 0, 3, 3});

  Tensor w = ones({2}).requires_grad_();
  CHECK_ERROR(w += 1.0, "add_", "requires grad", "NoGradGuard");
  CHECK_ERROR(x.mul_(ones({3}).requires_grad_()), "mul_", "operand requires grad", "x = x + y");
  CHECK_ERROR(x += ones({2, 3}), "add_", "[2, 3]", "[3]");
  Tensor i = tensor({1, 2}, kInt64);
  CHECK_ERROR(i /= 2.0, "div_", "float32", "int64");
  i *= 3;
  CHECK(i.to_vector<int64_t>() == std::vector<int64_t>{3, 6});
  {
    NoGradGuard no_grad;
    w += 1.0;  // allowed outside grad mode, as torch.no_grad()
  }
  check_close(w, {2, 2});
}

TEST_CASE("surface: bad input to the new ops is a clear error") {
  Tensor x = randn({3, 4});
  CHECK_ERROR(topk(x, 5, 0), "topk", "k = 5", "[0, 3]");
  CHECK_ERROR(sort(tensor(std::vector<bool>{true, false})), "sort", "bool");
  CHECK_ERROR(one_hot(tensor({3, 1}, kInt64), 3), "one_hot", "3", "[0, 3)");
  CHECK_ERROR(one_hot(tensor({-1}, kInt64), 2), "one_hot", "-1");
  CHECK_ERROR(one_hot(x), "one_hot", "int64");
  CHECK_ERROR(tril(zeros({3})), "tril", "2 dims", "[3]");
  CHECK_ERROR(repeat(x, {2}), "repeat", "[3, 4]");
  CHECK_ERROR(repeat_interleave(x, tensor({1, 2}, kInt64), 0), "repeat_interleave", "2 repeats", "size 3");
  CHECK_ERROR(repeat_interleave(x, -1), "repeat_interleave", "-1");
  CHECK_ERROR(cumsum(x, 2), "cumsum", "2");
  CHECK_ERROR(norm(x, -1.0), "norm", "positive");
  CHECK_ERROR(norm(tensor({1, 2}, kInt64)), "norm", "int64");
  CHECK_ERROR(x.sum({1, -1}), "sum", "repeat", "[3, 4]");
  CHECK_ERROR(einsum("ij,jk->ik", {x, randn({5, 2})}), "einsum", "label 'j'", "size 5", "4");
  CHECK_ERROR(einsum("ij,jk", {x}), "einsum", "2 operands", "1 tensors");
  CHECK_ERROR(einsum("ii->i", {randn({3, 3})}), "einsum", "repeats within operand", "diagonals");
  CHECK_ERROR(einsum("...ij->ij", {x}), "einsum", "\"...\"");
  CHECK_ERROR(einsum("ij->ik", {x}), "einsum", "output label 'k'");
  CHECK_ERROR(einsum("ijk->ijk", {x}), "einsum", "labels \"ijk\"", "[3, 4]");
  CHECK_ERROR(hardtanh(x, 1.0, -1.0), "hardtanh", "above");
  CHECK_ERROR(softplus(x, 0.0), "softplus", "beta");
  CHECK_ERROR(smooth_l1_loss(x, x, Reduction::Mean, -1.0), "smooth_l1_loss", "beta");
  CHECK_ERROR(huber_loss(x, x, Reduction::Mean, 0.0), "huber_loss", "delta");
  CHECK_ERROR(kl_div(x, randn({3, 5})), "kl_div", "[3, 5]");
  CHECK_ERROR(kl_div(x, x, "average"), "loss", "average");
  CHECK_ERROR(margin_ranking_loss(x, x, ones({3})), "margin_ranking_loss", "[3]", "[3, 4]");
  CHECK_ERROR(cosine_embedding_loss(x, x, ones({4})), "cosine_embedding_loss", "[4]");
  CHECK_ERROR(cosine_embedding_loss(randn({2, 3, 4}), randn({2, 3, 4}), ones({2})), "cosine_embedding_loss", "[2, 3, 4]");
  CHECK_ERROR(cross_entropy(x, tensor({0, 1, 2}, kInt64), {.weight = ones({3})}), "cross_entropy", "weight", "4 classes");
  CHECK_ERROR(cross_entropy(x, randn({3, 5})), "cross_entropy", "probability targets", "[3, 5]", "[3, 4]");
  CHECK_ERROR(cross_entropy(x, randn({3, 4}, kFloat64)), "cross_entropy", "float64", "float32");
  CHECK_ERROR(sign(tensor(std::vector<bool>{true})), "sign", "bool");
  CHECK_ERROR(repeat_interleave(x, tensor({1.0, 2.0, 1.0}, {3}), 0), "repeat_interleave", "int64", "float32");
  CHECK_ERROR(one_hot(tensor(std::vector<int64_t>{}, {0})), "one_hot", "cannot infer num_classes");
  CHECK_ERROR(einsum("i1,1j->ij", {x, x}), "einsum", "'1'", "not a letter");
  CHECK_ERROR(einsum("ij->ii", {x}), "einsum", "output label 'i' repeats");
  CHECK_ERROR(kl_div(scalar_tensor(0.5), scalar_tensor(0.5), "batchmean"), "kl_div", "batch dim");
  CHECK_ERROR(masked_softmax(tensor({1, 2}, kInt64), tensor(std::vector<bool>{true, true})), "masked_softmax",
              "floating");
}

TEST_CASE("ctc_loss: values by hand, and bad input") {
  // T = 2, one label: the alignments "a a", "a -", "- a" with uniform
  // probabilities 1/2 over {blank, a}: p = 3/4.
  Tensor lp = full({2, 1, 2}, std::log(0.5), kFloat64);
  Tensor one = tensor({1}, kInt64), len2 = tensor({2}, kInt64), len1 = tensor({1}, kInt64);
  CHECK(ctc_loss(lp, one.reshape({1, 1}), len2, len1, {.reduction = Reduction::Sum}).item<double>() ==
        doctest::Approx(-std::log(0.75)));
  // An empty target over an empty input has probability 1.
  CHECK(ctc_loss(lp, tensor(std::vector<int64_t>{}, {0}), tensor({0}, kInt64), tensor({0}, kInt64),
                 {.reduction = Reduction::None}).item<double>() == 0.0);
  // Too short for its target: inf, or 0 with zero_infinity.
  Tensor two = tensor({1, 1}, kInt64).reshape({1, 2});  // needs "a - a": 3 steps
  CHECK(std::isinf(ctc_loss(lp, two, len2, len2, {.reduction = Reduction::Sum}).item<double>()));
  CHECK(ctc_loss(lp, two, len2, len2, {.reduction = Reduction::Sum, .zero_infinity = true}).item<double>() == 0.0);

  CHECK_ERROR(ctc_loss(zeros({2, 2}), one, len2, len1), "ctc_loss", "[T, N, C]", "[2, 2]");
  CHECK_ERROR(ctc_loss(lp, one.reshape({1, 1}), len2, len1, {.blank = 2}), "ctc_loss", "blank 2", "2");
  CHECK_ERROR(ctc_loss(lp, one.reshape({1, 1}), tensor({3}, kInt64), len1), "ctc_loss", "input length 3", "[0, 2]");
  CHECK_ERROR(ctc_loss(lp, one.reshape({1, 1}), len2, len2), "ctc_loss", "target length 2", "1 targets");
  CHECK_ERROR(ctc_loss(lp, tensor({0}, kInt64).reshape({1, 1}), len2, len1), "ctc_loss", "blank 0");
  CHECK_ERROR(ctc_loss(lp, one.reshape({1, 1}), tensor({2.0}, {1}), len1), "ctc_loss", "input_lengths", "int64");
  CHECK_ERROR(ctc_loss(lp, one.to(kFloat32), len2, len1), "ctc_loss", "targets must be int64");
}

TEST_CASE("masks: lengths_to_mask and causal_mask") {
  Tensor m = lengths_to_mask(tensor({3, 1, 0}, kInt64));
  CHECK(m.sizes() == Shape{3, 3});
  CHECK(m.to_vector<bool>() == std::vector<bool>{true, true, true, true, false, false, false, false, false});
  CHECK(lengths_to_mask(tensor({2}, kInt64), 4).to_vector<bool>() == std::vector<bool>{true, true, false, false});
  CHECK(causal_mask(3).to_vector<bool>() ==
        std::vector<bool>{false, true, true, false, false, true, false, false, false});
  CHECK(causal_mask(0).numel() == 0);
  // As a padding mask for masked_fill: true = ignore.
  Tensor scores = zeros({2, 3});
  check_close(masked_fill(scores, !lengths_to_mask(tensor({3, 1}, kInt64)), -1.0), {0, 0, 0, 0, -1, -1});
  CHECK_ERROR(lengths_to_mask(tensor({3}, kInt64), 2), "lengths_to_mask", "max_len 2", "3");
  CHECK_ERROR(lengths_to_mask(tensor({-1}, kInt64)), "lengths_to_mask", "-1");
  CHECK_ERROR(lengths_to_mask(tensor({1.0}, {1})), "lengths_to_mask", "int64");
  CHECK_ERROR(causal_mask(-2), "causal_mask", "-2");
}

TEST_CASE("scaled_dot_product_attention: masks, rows without keys, and bad input") {
  manual_seed(7);
  Tensor q = randn({2, 3, 4}), k = randn({2, 5, 4}), v = randn({2, 5, 2});
  // A float mask with -inf masks exactly as the bool mask does.
  Tensor allowed = tensor(std::vector<bool>{true, true, false, true, false}, {5});
  Tensor fmask = masked_fill(zeros({5}), logical_not(allowed), -INFINITY);
  auto a = scaled_dot_product_attention(q, k, v, {.attn_mask = allowed});
  auto b = scaled_dot_product_attention(q, k, v, {.attn_mask = fmask});
  CHECK(allclose(a.output, b.output, 1e-6, 1e-6));
  CHECK(allclose(a.weights.sum(-1), ones({2, 3})));
  CHECK(a.weights.select(-1, 2).abs().max().item<float>() == 0.0f);
  // A query that may attend to nothing: zero weights and output, finite gradients.
  Tensor qg = q.detach().requires_grad_();
  auto none = scaled_dot_product_attention(qg, k, v, {.attn_mask = zeros({3, 5}, kBool)});
  CHECK(none.output.abs().max().item<float>() == 0.0f);
  CHECK(none.weights.abs().max().item<float>() == 0.0f);
  none.output.sum().backward();
  CHECK(std::isfinite(qg.grad().abs().max().item<float>()));
  // Dropout on the weights keeps the expectation (scaled by 1 / (1 - p)).
  auto d = scaled_dot_product_attention(q, k, v, {.dropout_p = 0.5});
  CHECK(d.weights.sizes() == Shape{2, 3, 5});

  CHECK_ERROR(scaled_dot_product_attention(q, randn({2, 5, 3}), v), "scaled_dot_product_attention", "[2, 3, 4]",
              "[2, 5, 3]");
  CHECK_ERROR(scaled_dot_product_attention(q, k, randn({2, 4, 2})), "scaled_dot_product_attention", "number of keys");
  CHECK_ERROR(scaled_dot_product_attention(q, k, v.to(kFloat64)), "scaled_dot_product_attention", "float64");
  CHECK_ERROR(scaled_dot_product_attention(q, k, v, {.attn_mask = zeros({4, 5}, kBool)}), "scaled_dot_product_attention",
              "[4, 5]");
  CHECK_ERROR(scaled_dot_product_attention(q, k, v, {.attn_mask = zeros({3, 5}, kInt64)}), "attn_mask", "int64");
  CHECK_ERROR(scaled_dot_product_attention(q, k, v, {.attn_mask = allowed, .is_causal = true}), "not both");
  CHECK_ERROR(scaled_dot_product_attention(q, k, v, {.dropout_p = 1.0}), "dropout_p");
  CHECK_ERROR(scaled_dot_product_attention(randn({4}), k, v), "scaled_dot_product_attention", "[4]");
}

TEST_CASE("masked_softmax: allowed entries only, zero rows without any") {
  Tensor s = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3}, kFloat64).requires_grad_();
  Tensor m = tensor(std::vector<bool>{true, false, true, false, false, false}, {2, 3});
  Tensor w = masked_softmax(s, m);
  const double e = std::exp(2.0);
  check_close(w, {1 / (1 + e), 0, e / (1 + e), 0, 0, 0}, 1e-12, 1e-12);
  auto r = gradcheck([&](const std::vector<Tensor>& v) { return masked_softmax(v[0], m) * v[0]; }, {s});
  INFO(r.report);
  CHECK(r.ok);
  CHECK_ERROR(masked_softmax(s, zeros({2, 3})), "masked_softmax", "bool");
  CHECK_ERROR(masked_softmax(s, tensor(std::vector<bool>{true, false}, {2})), "masked_softmax", "[2]", "[2, 3]");
}
