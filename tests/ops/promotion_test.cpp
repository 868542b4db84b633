// Mixed-dtype arithmetic follows PyTorch's type promotion (values against
// PyTorch are in tests/fixtures/ops.json, family "promotion"); here: result
// dtypes, exact integer results, and gradients in each input's own dtype.
#include "test_util.hpp"

using namespace spool;

namespace {
Tensor ints(std::vector<int64_t> v) { return tensor(v); }
}  // namespace

TEST_CASE("promotion: result_type as torch.result_type") {
  const Tensor i = ints({1, 2}), f = zeros({2}), d = zeros({2}, kFloat64), b = zeros({2}, kBool);
  CHECK(result_type(i, f) == kFloat32);
  CHECK(result_type(f, d) == kFloat64);
  CHECK(result_type(b, i) == kInt64);
  CHECK(result_type(b, b) == kBool);
  // A 0-dim tensor counts only from a higher category.
  CHECK(result_type(f, scalar_tensor(1.0, kFloat64)) == kFloat32);
  CHECK(result_type(i, scalar_tensor(1.0, kFloat64)) == kFloat64);
  CHECK(result_type(scalar_tensor(1.0, kFloat64), scalar_tensor(1.0)) == kFloat64);
  // Scalars: integers keep an integer tensor's dtype, floating values make it float32.
  CHECK(result_type(i, 1) == kInt64);
  CHECK(result_type(i, 1.0) == kFloat32);
  CHECK(result_type(b, 1) == kInt64);
  CHECK(result_type(d, 1) == kFloat64);
}

TEST_CASE("promotion: integer tensors with scalars") {
  const Tensor i = ints({3, 4, -5});
  CHECK((i - 1).dtype() == kInt64);
  CHECK((i - 1).to_vector<int64_t>() == std::vector<int64_t>{2, 3, -6});
  CHECK((i * 0.5).dtype() == kFloat32);
  CHECK((i * 0.5).to_vector<float>() == std::vector<float>{1.5f, 2.0f, -2.5f});
  CHECK((i / 2).to_vector<float>() == std::vector<float>{1.5f, 2.0f, -2.5f});  // true division
  CHECK((1 - i).to_vector<int64_t>() == std::vector<int64_t>{-2, -3, 6});
  CHECK((6 / i).dtype() == kFloat32);
  CHECK(lt(i, 3.5).to_vector<bool>() == std::vector<bool>{true, false, true});  // not 3
  CHECK(eq(i, 4).to_vector<bool>() == std::vector<bool>{false, true, false});
  // Integers beyond 2^53 stay exact.
  const int64_t big = (int64_t(1) << 60) + 1;
  CHECK((ints({0}) + big).to_vector<int64_t>()[0] == big);
  CHECK(eq(ints({big, big - 1}), big).to_vector<bool>() == std::vector<bool>{true, false});
  CHECK(lt(ints({big - 1}), big).to_vector<bool>() == std::vector<bool>{true});
  // Integer powers stay integers; a floating exponent promotes.
  CHECK(pow(i, 2).to_vector<int64_t>() == std::vector<int64_t>{9, 16, 25});
  CHECK(i.pow(3).to_vector<int64_t>() == std::vector<int64_t>{27, 64, -125});
  CHECK(pow(i, 0).to_vector<int64_t>() == std::vector<int64_t>{1, 1, 1});
  CHECK(pow(ints({4, 9}), 0.5).to_vector<float>() == std::vector<float>{2, 3});
  CHECK_ERROR(pow(i, -1), "pow", "negative integer powers", "-1");
  // Subtraction with bool tensors is refused, as in PyTorch.
  const Tensor flags = tensor(std::vector<bool>{true, false});
  CHECK_ERROR(flags - 1, "sub", "bool");
  CHECK_ERROR(1 - flags, "rsub", "bool");
  CHECK_ERROR(flags - ints({1, 1}), "sub", "bool", "int64");
}

TEST_CASE("promotion: gradients come back in each input's dtype") {
  Tensor a = tensor({1.0, 2.0}).requires_grad_();                 // float32
  Tensor b = tensor({3.0, 4.0}, {}, kFloat64).requires_grad_();   // float64
  Tensor y = a * b;
  CHECK(y.dtype() == kFloat64);
  y.sum().backward();
  CHECK(a.grad().dtype() == kFloat32);
  CHECK(b.grad().dtype() == kFloat64);
  CHECK(a.grad().to_vector<float>() == std::vector<float>{3, 4});
  CHECK(b.grad().to_vector<double>() == std::vector<double>{1, 2});
  // An int64 operand needs no gradient; the float one gets 1 / b.
  Tensor x = tensor({2.0, 8.0}).requires_grad_();
  Tensor q = div(x, ints({2, 4}));
  CHECK(q.dtype() == kFloat32);
  q.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0.5f, 0.25f});
  // where picks from a float32 and a float64 branch.
  Tensor w = where(tensor(std::vector<bool>{true, false}), a, b);
  CHECK(w.dtype() == kFloat64);
  CHECK(w.to_vector<double>() == std::vector<double>{1, 4});
}
