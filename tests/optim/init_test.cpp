#include "test_util.hpp"

using namespace spool;

namespace {
// Whether m is upper triangular with a positive diagonal, up to tol.
bool upper_with_positive_diagonal(const Tensor& m, double tol) {
  for (int64_t i = 0; i < m.size(0); ++i) {
    if (m.at<double>({i, i}) <= 0) return false;
    for (int64_t j = 0; j < i; ++j)
      if (std::abs(m.at<double>({i, j})) > tol) return false;
  }
  return true;
}

std::vector<double> identity(int64_t n) {
  std::vector<double> eye(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) eye[i * n + i] = 1.0;
  return eye;
}
}  // namespace

TEST_CASE("init: orthogonal_ as torch.nn.init.orthogonal_ (QR, R's signs, gain, flattened dims)") {
  for (Shape s : {Shape{6, 4}, Shape{4, 6}, Shape{5, 5}, Shape{3, 2, 4}}) {
    INFO("shape " << fmt::format("{}", s));
    const int64_t rows = s[0], cols = Tensor::empty(s).numel() / rows;
    manual_seed(7);
    const Tensor sample = randn({rows, cols}, kFloat64);  // what orthogonal_ draws
    Tensor w = zeros(s, kFloat64);
    manual_seed(7);
    optim::init::orthogonal_(w, 2.0);
    const Tensor q = w.reshape({rows, cols}) / 2.0;
    // Orthonormal rows (wide) or columns (tall), times gain^2 in the Gram matrix.
    const Tensor gram = rows >= cols ? matmul(q.t(), q) : matmul(q, q.t());
    spool::testing::check_close(gram, identity(std::min(rows, cols)), 1e-12, 1e-12);
    // q is the Q of the sample's QR whose R has a positive diagonal: the sign
    // correction PyTorch applies (q *= sign(diag(r))).
    const Tensor r = rows >= cols ? matmul(q.t(), sample) : matmul(q, sample.t());
    CHECK(upper_with_positive_diagonal(r, 1e-12));
  }
  // float32 parameters that require grad are filled in place, off the tape.
  Tensor p = zeros({8, 3}).requires_grad_();
  optim::init::orthogonal_(p);
  CHECK(p.is_leaf());
  spool::testing::check_close(matmul(p.t(), p), identity(3), 1e-5, 1e-6);
}

TEST_CASE("init: orthogonal_ is deterministic under a seed") {
  Tensor a = zeros({16, 8}), b = zeros({16, 8}), c = zeros({16, 8});
  manual_seed(11);
  optim::init::orthogonal_(a);
  manual_seed(11);
  optim::init::orthogonal_(b);
  manual_seed(12);
  optim::init::orthogonal_(c);
  CHECK(a.to_vector<float>() == b.to_vector<float>());
  CHECK_FALSE(allclose(a, c));
  CHECK_ERROR(optim::init::orthogonal_(zeros({3})), "orthogonal_", "at least 2 dims");
}
