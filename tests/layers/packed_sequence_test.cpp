#include "test_util.hpp"

using namespace spool;

TEST_CASE("packed sequence: layout as PyTorch, and back") {
  // B = 3 sequences of lengths 3, 1, 2; feature = 10 * batch + step.
  Tensor x = zeros({3, 3, 1});
  {
    NoGradGuard g;
    for (int t = 0; t < 3; ++t)
      for (int b = 0; b < 3; ++b) x.select(0, t).select(0, b).fill_(10.0 * b + t);
  }
  Tensor lengths = tensor(std::vector<int64_t>{3, 1, 2});
  auto p = nn::pack_padded_sequence(x, lengths, false, /*enforce_sorted=*/false);
  CHECK(p.batch_sizes.to_vector<int64_t>() == std::vector<int64_t>{3, 2, 1});
  CHECK(p.sorted_indices.to_vector<int64_t>() == std::vector<int64_t>{0, 2, 1});
  CHECK(p.unsorted_indices.to_vector<int64_t>() == std::vector<int64_t>{0, 2, 1});
  CHECK(p.data.reshape({-1}).to_vector<float>() == std::vector<float>{0, 20, 10, 1, 21, 2});
  auto [padded, lens] = nn::pad_packed_sequence(p, false, -1.0);
  CHECK(lens.to_vector<int64_t>() == std::vector<int64_t>{3, 1, 2});
  CHECK(padded.reshape({-1}).to_vector<float>() == std::vector<float>{0, 10, 20, 1, -1, 21, 2, -1, -1});
  CHECK_THROWS_WITH_AS(nn::pack_padded_sequence(x, lengths), doctest::Contains("sorted in decreasing order"), Error);
  CHECK_THROWS_WITH_AS(nn::pack_padded_sequence(x, tensor(std::vector<int64_t>{4, 1, 1})),
                       doctest::Contains("outside [1, 3]"), Error);
  CHECK_THROWS_AS(nn::pad_packed_sequence(p, false, 0.0, 2), Error);
}

TEST_CASE("packed sequence: an LSTM on a packed batch equals padded + lengths, gradients included") {
  manual_seed(8);
  nn::LSTM lstm(nn::LSTMOptions(3, 4).bidirectional(true).batch_first(true));
  Tensor x = randn({3, 5, 3}).requires_grad_();
  Tensor lengths = tensor(std::vector<int64_t>{2, 5, 4});
  auto packed = nn::pack_padded_sequence(x, lengths, true, false);
  auto r = nn::run_packed(lstm, packed);
  auto [out, lens] = nn::pad_packed_sequence(r.output, true);
  auto ref = lstm(x.detach(), {.lengths = lengths});
  CHECK(allclose(out, ref.output, 1e-5, 1e-6));
  CHECK(allclose(r.h_n, ref.h_n, 1e-5, 1e-6));
  CHECK(allclose(r.c_n, ref.c_n, 1e-5, 1e-6));
  CHECK(lstm.options.batch_first_);  // restored
  out.sum().backward();
  CHECK(x.grad().select(0, 0).narrow(0, 2, 3).abs().sum().item<float>() == 0.0f);  // padding gets no gradient
}
