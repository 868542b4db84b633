// Bad input gives a spool::Error naming the op and what it got; one case each.
#include <limits>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("errors: mismatched shapes") {
  CHECK_ERROR(zeros({3, 4}) + zeros({3, 5}), "add", "[3, 4]", "[3, 5]");
  CHECK_ERROR(matmul(zeros({3, 4}), zeros({5, 2})), "matmul", "[3, 4]", "[5, 2]");
  CHECK_ERROR(matmul(zeros({2, 3, 4}), zeros({3, 4, 2})), "matmul");
  CHECK_ERROR(cat({zeros({2, 3}), zeros({3, 4})}, 0), "cat", "[3, 4]");
  CHECK_ERROR(stack({zeros({2, 3}), zeros({2, 4})}), "stack", "[2, 4]");
  CHECK_ERROR(stack({zeros({2}), zeros({2}, kFloat64)}), "stack", "float64");
  CHECK_ERROR(stack({}), "stack", "non-empty");
  CHECK_ERROR(reshape(zeros({2, 3}), {4, 2}), "reshape", "[4, 2]", "[2, 3]");
  CHECK_ERROR(view(zeros({2, 3}).t(), {6}), "view", "use reshape");
  CHECK_ERROR(expand(zeros({2, 3}), {4, 3}), "expand", "[2, 3]");
  CHECK_ERROR(linear(zeros({2, 3}), zeros({4, 5})), "linear", "[2, 3]", "[4, 5]");
  CHECK_ERROR(linear(zeros({2, 3}), zeros({4, 3}), zeros({3})), "linear", "[3]", "[2, 4]");
  CHECK_ERROR(linear(zeros({5, 2, 3}), zeros({4, 3}), zeros({3, 4})), "linear", "[3, 4]", "[5, 2, 4]");
  CHECK_ERROR(linear(zeros({2, 3}), zeros({4, 3}, kFloat64)), "linear", "float64");
  CHECK_ERROR(linear(zeros({2, 3}), PackedWeight(zeros({4, 5}))), "linear", "[2, 3]", "[4, 5]");
  CHECK_ERROR(linear(zeros({2, 3}), PackedWeight(zeros({4, 3}, kFloat64))), "linear", "float64");
  CHECK_ERROR(linear(zeros({2, 3}), PackedWeight(zeros({4, 3})), zeros({3})), "linear", "[3]", "[2, 4]");
  CHECK_ERROR(linear(zeros({2, 3}), PackedWeight()), "linear", "PackedWeight", "empty", "[2, 3]");
  CHECK_ERROR(PackedWeight(zeros({4})), "PackedWeight", "2-D", "[4]");
  CHECK_ERROR(PackedWeight(Tensor()), "PackedWeight", "undefined");
  CHECK_ERROR(PackedWeight().transposed(), "PackedWeight", "empty");
  CHECK(PackedWeight().plain() == nullptr);
  CHECK_ERROR(PackedWeight(zeros({4, 3}, kInt64)), "PackedWeight", "int64");
  CHECK_ERROR(mse_loss(zeros({2, 3}), zeros({3, 2})), "mse_loss", "[2, 3]", "[3, 2]");
  CHECK_ERROR(layer_norm(zeros({2, 3}), {4}), "layer_norm", "[2, 3]", "[4]");
  CHECK_ERROR(cross_entropy(zeros({4, 5}), zeros({3}, kInt64)), "cross_entropy", "[3]", "[4, 5]");
  CHECK_ERROR(masked_fill(zeros({2, 3}), zeros({4, 3}, kBool), 0.0), "masked_fill");
  CHECK_ERROR(permute(zeros({2, 3}), {0, 0}), "permute", "repeated");
  CHECK_ERROR(bmm(zeros({2, 3, 4}), zeros({3, 4, 5})), "bmm", "[2, 3, 4]", "[3, 4, 5]");
  CHECK_ERROR(bmm(zeros({2, 3, 4}), zeros({2, 5, 5})), "bmm", "[2, 5, 5]");
  CHECK_ERROR(bmm(zeros({3, 4}), zeros({4, 5})), "bmm", "3-D", "[3, 4]");
  CHECK_ERROR(baddbmm(zeros({2, 3, 4}), zeros({2, 3, 4}), zeros({2, 4, 5})), "baddbmm", "[2, 3, 4]", "[2, 3, 5]");
  CHECK_ERROR(baddbmm(Tensor(), zeros({2, 3, 4}), zeros({2, 4, 5})), "baddbmm", "bias");
  CHECK_ERROR(baddbmm(zeros({5}, kFloat64), zeros({2, 3, 4}), zeros({2, 4, 5})), "baddbmm", "float64");
  CHECK_ERROR(flip(zeros({2, 3}), {2}), "flip");
  CHECK_ERROR(flip(zeros({2, 3}), {1, -1}), "flip", "more than once");
}

TEST_CASE("errors: wrong dtypes") {
  CHECK_ERROR(zeros({2}, kBool) + zeros({2}, kBool), "add", "bool");  // mixed dtypes promote; bool arithmetic is refused
  CHECK_ERROR(matmul(zeros({2, 2}, kInt64), zeros({2, 2}, kInt64)), "matmul", "int64");
  CHECK_ERROR(bmm(zeros({1, 2, 2}, kInt64), zeros({1, 2, 2}, kInt64)), "bmm", "int64");
  CHECK_ERROR(baddbmm(zeros({2}, kInt64), zeros({1, 2, 2}, kInt64), zeros({1, 2, 2}, kInt64)), "baddbmm", "int64");
  CHECK_ERROR(exp(zeros({2}, kInt64)), "exp", "int64");
  CHECK_ERROR(where(zeros({2}), zeros({2}), zeros({2})), "where", "bool");
  CHECK_ERROR(cross_entropy(zeros({2, 3}), zeros({2})), "cross_entropy", "int64", "float32");
  CHECK_ERROR(embedding(zeros({4, 2}), zeros({3})), "embedding", "int64");
  CHECK_ERROR(index_select(zeros({4, 2}), 0, zeros({2})), "index_select", "int64");
  CHECK_ERROR(zeros({2}).data_ptr<double>(), "data_ptr", "float32", "float64");
}

TEST_CASE("errors: out-of-range indices") {
  CHECK_ERROR(index_select(zeros({4, 2}), 0, tensor(std::vector<int64_t>{1, 4})), "index_select", "index 4");
  CHECK_ERROR(gather(zeros({2, 3}), 1, tensor(std::vector<int64_t>{0, 3}, {2, 1})), "gather", "index 3");
  CHECK_ERROR(embedding(zeros({4, 2}), tensor(std::vector<int64_t>{-1})), "embedding", "index -1");
  CHECK_ERROR(cross_entropy(zeros({2, 3}), tensor(std::vector<int64_t>{0, 3})), "cross_entropy", "target 3");
  CHECK_ERROR(nll_loss(zeros({2, 3}), tensor(std::vector<int64_t>{5, 0})), "nll_loss", "target 5");
  CHECK_ERROR(select(zeros({2, 3}), 1, 3), "select", "index 3", "[2, 3]");
  CHECK_ERROR(narrow(zeros({2, 3}), 1, 2, 2), "narrow", "[2, 3]");
  CHECK_ERROR(narrow(zeros({2, 3}), 1, 2, std::numeric_limits<int64_t>::max()), "narrow", "out of range");
  CHECK_ERROR(expand(ones({1}), {-2}), "expand", "size -2");
  CHECK(slice(arange(5), 0, 1, 5, std::numeric_limits<int64_t>::max()).to_vector<int64_t>() == std::vector<int64_t>{1});
  CHECK_ERROR(binary_cross_entropy(full({2}, 1.5), zeros({2})), "binary_cross_entropy", "[0, 1]");
}

TEST_CASE("errors: out-of-range dims") {
  CHECK_ERROR(sum(zeros({2, 3}), 2), "sum", "dim 2");
  CHECK_ERROR(softmax(zeros({2, 3}), -3), "softmax", "dim -3");
  CHECK_ERROR(transpose(zeros({2, 3}), 0, 2), "transpose", "dim 2");
  CHECK_ERROR(unsqueeze(zeros({2, 3}), 4), "unsqueeze", "dim 4");
  CHECK_ERROR(max(zeros({2, 3}), 5), "max", "dim 5");
  CHECK_ERROR(cat({zeros({2, 3})}, 2), "cat", "dim 2");
  CHECK_ERROR(zeros({2, 3}).size(2), "size", "dim 2");
}

TEST_CASE("errors: bad option values") {
  CHECK_ERROR(dropout(zeros({2}), 1.5), "dropout", "1.5");
  CHECK_ERROR(gelu(zeros({2}), "fast"), "gelu", "fast");
  CHECK_ERROR(reduction_from_string("avg"), "avg");
  CHECK_ERROR(clamp(zeros({2}), std::nullopt, std::nullopt), "clamp");
  CHECK_ERROR(split(zeros({4}), 0), "split", "split_size");
  CHECK_ERROR(arange(0.0, 5.0, 0.0), "arange", "step");
  CHECK_ERROR(set_num_threads(0), "set_num_threads");
}
