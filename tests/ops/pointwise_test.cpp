// Fused pointwise expressions: derived gradients (gradcheck), agreement with
// the same expression written as separate ops, pieces, broadcasting, the
// parallel path, and bad input. PyTorch values are in fixture_test.cpp.
#include "test_util.hpp"

using namespace spool;
using spool::testing::leaf;
using spool::testing::positive_leaf;
using spool::testing::transposed_leaf;
using spool::testing::check_close;
using Ex = std::vector<Expr>;

namespace {

void check_gradcheck(const Pointwise& f, const std::vector<Tensor>& inputs) {
  auto r = gradcheck([&](const std::vector<Tensor>& in) { return f(in); }, inputs);
  INFO(r.report);
  CHECK(r.ok);
}

// The fused result and gradients equal those of `unfused` (separate ops).
void check_same_as_ops(const Pointwise& f, const std::function<Tensor(const std::vector<Tensor>&)>& unfused,
                       const std::vector<Tensor>& inputs, double rtol = 1e-12) {
  std::vector<Tensor> a, b;
  for (const Tensor& t : inputs) {
    a.push_back(t.detach().clone().requires_grad_());
    b.push_back(t.detach().clone().requires_grad_());
  }
  Tensor ya = f(a), yb = unfused(b);
  CHECK(ya.sizes() == yb.sizes());
  CHECK(allclose(ya, yb, rtol, 1e-12));
  Tensor up = randn(ya.sizes(), ya.dtype());
  (ya * up).sum().backward();
  (yb * up).sum().backward();
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("input " << i);
    REQUIRE(a[i].grad().defined());
    CHECK(allclose(a[i].grad(), b[i].grad(), rtol, 1e-12));
  }
}

}  // namespace

TEST_CASE("pointwise: every instruction gradchecks, with constants and broadcasting") {
  static const Pointwise f("mix", 3, [](const Ex& in) {
    return exp(-in[0]) / (in[1] + 2) - relu(in[0]) * log(in[1]) + 3 - 0.5 * in[0] + tanh(in[2]) * sigmoid(in[0]);
  });
  manual_seed(3);
  Tensor a = (randn({2, 3, 4}, kFloat64) + 0.05).detach();
  a = where(abs(a) < full_like(a, 0.1), a + 0.3, a).detach().requires_grad_();  // away from relu's kink
  check_gradcheck(f, {a, positive_leaf({4}, 2), leaf({3, 1}, 3)});
  check_same_as_ops(
      f,
      [](const std::vector<Tensor>& in) {
        return exp(-in[0]) / (in[1] + 2) - relu(in[0]) * log(in[1]) + 3 - 0.5 * in[0] + tanh(in[2]) * sigmoid(in[0]);
      },
      {a, positive_leaf({4}, 2), leaf({3, 1}, 3)});
}

TEST_CASE("pointwise: an input read twice and a strided input") {
  static const Pointwise f("square_plus", 2, [](const Ex& in) { return in[0] * in[0] + sigmoid(in[0]) / in[1]; });
  check_gradcheck(f, {transposed_leaf(3, 4, 1), positive_leaf({3, 4}, 2)});
  check_same_as_ops(
      f, [](const std::vector<Tensor>& in) { return in[0] * in[0] + sigmoid(in[0]) / in[1]; },
      {transposed_leaf(3, 4, 1), positive_leaf({3, 4}, 2)});
}

TEST_CASE("pointwise: pieces of an input, all read, some read, with a gap") {
  static const Pointwise lstm("lstm", 2, [](const Ex& in) {
    const Expr c = sigmoid(in[0].chunk(1, 4)) * in[1] + sigmoid(in[0].chunk(0, 4)) * tanh(in[0].chunk(2, 4));
    return sigmoid(in[0].chunk(3, 4)) * tanh(c);
  });
  check_gradcheck(lstm, {leaf({3, 20}, 1), leaf({3, 5}, 2)});
  check_gradcheck(lstm, {transposed_leaf(3, 20, 1), leaf({3, 5}, 2)});  // pieces of a transposed view
  check_same_as_ops(
      lstm,
      [](const std::vector<Tensor>& in) {
        auto g = chunk(in[0], 4, 1);
        Tensor c = sigmoid(g[1]) * in[1] + sigmoid(g[0]) * tanh(g[2]);
        return sigmoid(g[3]) * tanh(c);
      },
      {leaf({3, 20}, 1), leaf({3, 5}, 2)});

  static const Pointwise middle("middle", 1, [](const Ex& in) { return tanh(in[0].chunk(1, 3)); });
  Tensor x = leaf({2, 6}, 4);
  check_gradcheck(middle, {x});
  Tensor y = middle({x});
  CHECK(y.sizes() == Shape{2, 2});
  y.sum().backward();
  const auto g = x.grad().to_vector<double>();
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 6; ++c) {
      INFO("row " << r << " col " << c);
      if (c < 2 || c >= 4) CHECK(g[r * 6 + c] == 0.0);
      else CHECK(g[r * 6 + c] != 0.0);
    }

  static const Pointwise ends("ends", 1, [](const Ex& in) { return in[0].chunk(0, 3) * in[0].chunk(2, 3); });
  Tensor z = leaf({2, 6}, 5);
  check_gradcheck(ends, {z});
  ends({z}).sum().backward();
  const auto gz = z.grad().to_vector<double>();
  CHECK(gz[2] == 0.0);  // the unread middle piece of the gap gets exactly zero
  CHECK(gz[3] == 0.0);
}

TEST_CASE("pointwise: large tensors split into blocks and across threads agree with separate ops") {
  static const Pointwise f("gate", 2, [](const Ex& in) { return sigmoid(in[0]) * tanh(in[1]) + in[0]; });
  set_num_threads(2);
  manual_seed(9);
  // Rows longer than one block (700 > 256) and more blocks than one parallel chunk.
  const std::vector<Tensor> inputs{randn({64, 700}, kFloat64), randn({700}, kFloat64)};
  check_same_as_ops(
      f, [](const std::vector<Tensor>& in) { return sigmoid(in[0]) * tanh(in[1]) + in[0]; }, inputs, 1e-12);
  Tensor a = f({inputs[0].to(kFloat32), inputs[1].to(kFloat32)});
  CHECK(a.dtype() == kFloat32);
  CHECK(allclose(a, (sigmoid(inputs[0]) * tanh(inputs[1]) + inputs[0]).to(kFloat32), 1e-5, 1e-6));
}

TEST_CASE("pointwise: scalars, empty tensors, and inputs that need no gradient") {
  static const Pointwise f("axpy", 2, [](const Ex& in) { return 2.0 * in[0] + in[1]; });
  Tensor s = f({scalar_tensor(1.5, kFloat64), scalar_tensor(0.25, kFloat64)});
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 3.25);
  Tensor e = f({zeros({0, 3}), zeros({3})});
  CHECK(e.sizes() == Shape{0, 3});
  Tensor plain = f({ones({2}), ones({2})});
  CHECK_FALSE(plain.requires_grad());
  Tensor w = leaf({2}, 1), c = ones({2}, kFloat64);
  Tensor y = f({c, w});
  CHECK(y.requires_grad());
  y.sum().backward();
  CHECK(w.grad().to_vector<double>() == std::vector<double>{1.0, 1.0});
  CHECK_FALSE(c.grad().defined());
  {
    NoGradGuard guard;
    CHECK_FALSE(f({w, w}).requires_grad());
  }
}

TEST_CASE("pointwise: values the result does not use cost nothing and pass no gradient") {
  static const Pointwise f("unused", 2, [](const Ex& in) {
    const Expr ignored = tanh(in[1]) * in[0];  // built, never part of the result
    (void)ignored;
    return in[0] * 2.0;
  });
  Tensor a = leaf({2, 3}, 1), b = leaf({2, 3}, 2);
  Tensor y = f({a, b});
  CHECK(allclose(y, a * 2.0));
  y.sum().backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>(6, 2.0));
  REQUIRE(b.grad().defined());
  CHECK(b.grad().to_vector<double>() == std::vector<double>(6, 0.0));

  static const Pointwise identity("identity", 1, [](const Ex& in) { return in[0].chunk(1, 2); });
  Tensor x = leaf({2, 4}, 3);
  Tensor z = identity({x});
  CHECK(allclose(z, chunk(x.detach(), 2, 1)[1]));
  (z * 3.0).sum().backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{0, 0, 3, 3, 0, 0, 3, 3});
}

TEST_CASE("pointwise: bad input names the expression") {
  static const Pointwise f("my_cell", 2, [](const Ex& in) { return in[0].chunk(1, 2) * in[1]; });
  CHECK(std::string(f.name()) == "my_cell");
  CHECK(f.arity() == 2);
  CHECK_ERROR(f({zeros({2, 4})}), "my_cell", "expects 2 inputs, got 1");
  CHECK_ERROR(f({zeros({2, 4}), zeros({2, 2}, kFloat64)}), "my_cell", "float64", "float32");
  CHECK_ERROR(f({zeros({2, 4}, kInt64), zeros({2, 2}, kInt64)}), "my_cell", "floating");
  CHECK_ERROR(f({Tensor(), zeros({2, 2})}), "my_cell", "undefined");
  CHECK_ERROR(f({zeros({2, 5}), zeros({2, 2})}), "my_cell", "[2, 5]", "2 pieces");
  CHECK_ERROR(f({zeros({2, 4}), zeros({3, 2})}), "my_cell", "[2, 2]", "[3, 2]");
  CHECK_ERROR(f({zeros({1, 4}), zeros({3, 2})}), "my_cell", "no broadcasting");
  CHECK_ERROR(Pointwise("bad", 1, [](const Ex& in) { return tanh(in[0]).chunk(0, 2); }), "bad", "input");
  CHECK_ERROR(Pointwise("bad", 1, [](const Ex& in) { return in[0].chunk(2, 2); }), "bad", "chunk(2, 2)");
  CHECK_ERROR(Pointwise("bad", 1, [](const Ex& in) { return in[0].chunk(0, 2) + in[0]; }), "bad", "pieces");
  CHECK_ERROR(Pointwise("bad", 0, [](const Ex& in) { return in[0]; }), "bad", "arity 0");
  CHECK_ERROR(Pointwise("mixed", 1,
                        [](const Ex& in) {
                          static Expr foreign(nullptr, 0);
                          return in[0] + foreign;
                        }),
              "mixed", "two Pointwise");
}

TEST_CASE("pointwise: several results in one call") {
  // An LSTM cell: c' feeds h', and both are results.
  static const Pointwise cell("two_results", 2, [](const Ex& in) {
    const Expr c = sigmoid(in[0].chunk(1, 4)) * in[1] + sigmoid(in[0].chunk(0, 4)) * tanh(in[0].chunk(2, 4));
    return Ex{sigmoid(in[0].chunk(3, 4)) * tanh(c), c};
  });
  CHECK(cell.results() == 2);
  check_gradcheck(cell, {leaf({3, 20}, 1), leaf({3, 5}, 2)});
  check_gradcheck(cell, {transposed_leaf(3, 20, 1), leaf({1, 5}, 2)});  // broadcast c, strided gates
  const auto separate = [](const std::vector<Tensor>& in) {
    auto g = chunk(in[0], 4, 1);
    Tensor c = sigmoid(g[1]) * in[1] + sigmoid(g[0]) * tanh(g[2]);
    return stack({sigmoid(g[3]) * tanh(c), c});
  };
  check_same_as_ops(cell, separate, {leaf({3, 20}, 1), leaf({3, 5}, 2)});
  Tensor hc = cell({leaf({3, 20}, 1), leaf({3, 5}, 2)});
  CHECK(hc.sizes() == Shape{2, 3, 5});

  // Results read one at a time (selects, as the LSTM layers do), one of them
  // unused by the loss, and a result that is an input as it is.
  static const Pointwise pass("pass_and_square", 1, [](const Ex& in) { return Ex{in[0], in[0] * in[0]}; });
  Tensor x = leaf({2, 3}, 3);
  Tensor y = pass({x});
  (select(y, 0, 1) * 2.0).sum().backward();
  check_close(x.grad(), (4.0 * x).detach().to_vector<double>());
  x.set_grad(Tensor());
  y = pass({x});
  (select(y, 0, 0).sum() + select(y, 0, 1).sum()).backward();
  check_close(x.grad(), (2.0 * x + 1.0).detach().to_vector<double>());

  CHECK_ERROR(Pointwise("twice", 1, [](const Ex& in) { return Ex{tanh(in[0]), in[0], in[0]}; }), "twice",
              "results 1 and 2 are the same value");
  CHECK_ERROR(Pointwise("none", 1, [](const Ex&) { return Ex{}; }), "none", "no results");
}

TEST_CASE("pointwise: pieces of a view place their gradient through the view") {
  // The gradient of the pieces read lands inside the view's region of x.
  static const Pointwise middle("middle_of_view", 1, [](const Ex& in) { return tanh(in[0].chunk(1, 4)); });
  Tensor x = leaf({2, 3, 8}, 5);
  auto r = gradcheck([](const std::vector<Tensor>& in) { return middle({select(in[0], 1, 1)}); }, {x});
  INFO(r.report);
  CHECK(r.ok);
  middle({select(x, 1, 1)}).sum().backward();
  const auto g = x.grad().to_vector<double>();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 8; ++k) {
        INFO(i << " " << j << " " << k);
        CHECK((g[(i * 3 + j) * 8 + k] != 0.0) == (j == 1 && k >= 2 && k < 4));
      }
}

namespace {
// f(rest, {.linear = LinearInput(x, w, b)}) against linear then f, values and gradients,
// with the weight as it is and packed.
void check_linear_input(const Pointwise& f, const Tensor& x, const Tensor& w, const Tensor& b,
                        const std::vector<Tensor>& rest) {
  auto fresh = [](const Tensor& t) { return t.defined() ? t.detach().clone().requires_grad_(t.requires_grad()) : t; };
  for (bool packed : {false, true}) {
    INFO("packed " << packed);
    Tensor xa = fresh(x), wa = fresh(w), ba = fresh(b), xb = fresh(x), wb = fresh(w), bb = fresh(b);
    std::vector<Tensor> ra, rb;
    for (const Tensor& t : rest) {
      ra.push_back(fresh(t));
      rb.push_back(fresh(t));
    }
    Tensor ya;
    if (packed) {
      ya = f(ra, {.linear = LinearInput(xa, PackedWeight(wa), ba)});
    } else {
      ya = f(ra, {.linear = LinearInput(xa, wa, ba)});
    }
    std::vector<Tensor> in{linear(xb, wb, bb)};
    in.insert(in.end(), rb.begin(), rb.end());
    Tensor yb = f(in);
    REQUIRE(ya.sizes() == yb.sizes());
    CHECK(allclose(ya, yb, 1e-12, 1e-12));
    Tensor up = randn(ya.sizes(), ya.dtype());
    (ya * up).sum().backward();
    (yb * up).sum().backward();
    std::vector<std::pair<Tensor, Tensor>> pairs{{xa, xb}, {wa, wb}, {ba, bb}};
    for (size_t k = 0; k < ra.size(); ++k) pairs.emplace_back(ra[k], rb[k]);
    for (size_t k = 0; k < pairs.size(); ++k) {
      INFO("input " << k);
      const auto& [a, c] = pairs[k];
      if (!a.defined() || !a.requires_grad()) continue;
      REQUIRE(a.grad().defined());
      CHECK(allclose(a.grad(), c.grad(), 1e-12, 1e-12));
    }
  }
}
}  // namespace

TEST_CASE("pointwise: a LinearInput equals linear then the expression, as one op") {
  static const Pointwise cell("cell_after_linear", 2, [](const Ex& in) {
    const Expr c = sigmoid(in[0].chunk(1, 4)) * in[1] + sigmoid(in[0].chunk(0, 4)) * tanh(in[0].chunk(2, 4));
    return Ex{sigmoid(in[0].chunk(3, 4)) * tanh(c), c};
  });
  // A recurrent step: bias per row (the step's input projection).
  check_linear_input(cell, leaf({3, 5}, 1), leaf({20, 5}, 2), leaf({3, 20}, 3), {leaf({3, 5}, 4)});
  // A 1-D bias, a 3-D input, a cell state that needs no gradient.
  check_linear_input(cell, leaf({2, 3, 5}, 5), leaf({20, 5}, 6), leaf({20}, 7), {randn({2, 3, 5}, kFloat64)});
  // No bias; a transposed input.
  check_linear_input(cell, transposed_leaf(4, 5, 8), leaf({20, 5}, 9), Tensor(), {leaf({4, 5}, 10)});

  // Some pieces of the product read, and a product broadcast against a wider input.
  static const Pointwise middle("middle_after_linear", 2, [](const Ex& in) { return tanh(in[0].chunk(1, 3)) * in[1]; });
  check_linear_input(middle, leaf({3, 4}, 11), leaf({6, 4}, 12), leaf({6}, 13), {leaf({3, 2}, 14)});
  static const Pointwise scale("scale_after_linear", 2, [](const Ex& in) { return sigmoid(in[0]) * in[1]; });
  check_linear_input(scale, leaf({1, 4}, 15), leaf({3, 4}, 16), leaf({3}, 17), {leaf({5, 3}, 18)});

  // One node named after the expression; gradcheck through it.
  Tensor x = leaf({3, 5}, 19), w = leaf({20, 5}, 20), b = leaf({3, 20}, 21), c = leaf({3, 5}, 22);
  Tensor y = cell({c}, {.linear = LinearInput(x, w, b)});
  CHECK(y.grad_fn_name() == "cell_after_linear");
  auto r = gradcheck(
      [](const std::vector<Tensor>& v) { return cell({v[3]}, {.linear = LinearInput(v[0], PackedWeight(v[1]), v[2])}); },
      {x, w, b, c});
  INFO(r.report);
  CHECK(r.ok);
  {
    NoGradGuard no_grad;
    CHECK_FALSE(cell({c}, {.linear = LinearInput(x, w, b)}).requires_grad());
  }

  CHECK_ERROR(cell({}, {.linear = LinearInput(x, w, b)}), "cell_after_linear", "expects 2 inputs", "the product and 0");
  CHECK_ERROR(cell({c}, {.linear = LinearInput(x, PackedWeight(), b)}), "cell_after_linear", "PackedWeight is empty");
  CHECK_ERROR(cell({c}, {.linear = LinearInput(Tensor(), w, b)}), "cell_after_linear", "defined input");
  CHECK_ERROR(cell({c}, {.linear = LinearInput(leaf({3, 4}, 1), w, b)}), "cell_after_linear", "[3, 4]", "[20, 5]");
  CHECK_ERROR(cell({c}, {.linear = LinearInput(leaf({2, 3, 5}, 1), w, leaf({3, 20}, 2))}), "cell_after_linear",
              "needs a 2-D input");
  CHECK_ERROR(cell({c}, {.linear = LinearInput(x, w, leaf({4, 20}, 2))}), "cell_after_linear", "[4, 20]", "[3, 20]");
  CHECK_ERROR(cell({c}, {.linear = LinearInput(x, leaf({20, 5}).to(kFloat32), b)}), "cell_after_linear", "float32");
  CHECK_ERROR(cell({leaf({4, 5}, 3)}, {.linear = LinearInput(x, w, b)}), "cell_after_linear", "[4, 5]");
}
