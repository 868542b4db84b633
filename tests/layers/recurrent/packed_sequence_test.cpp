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
  auto r = lstm(packed);
  auto [out, lens] = nn::pad_packed_sequence(r.output, true);
  auto ref = lstm(x.detach(), {.lengths = lengths});
  CHECK(allclose(out, ref.output, 1e-5, 1e-6));
  CHECK(allclose(r.h_n, ref.h_n, 1e-5, 1e-6));
  CHECK(allclose(r.c_n, ref.c_n, 1e-5, 1e-6));
  CHECK(lstm.options().batch_first());
  out.sum().backward();
  CHECK(x.grad().select(0, 0).narrow(0, 2, 3).abs().sum().item<float>() == 0.0f);  // padding gets no gradient
}

TEST_CASE("packed sequence: lists of sequences padded, packed and taken apart again") {
  manual_seed(9);
  const std::vector<Tensor> seqs = {randn({2, 3}), randn({4, 3}), randn({1, 3})};
  Tensor padded = nn::pad_sequence(seqs, /*batch_first=*/true, -2.0);
  CHECK(padded.sizes() == Shape{3, 4, 3});
  CHECK(padded.select(0, 2).narrow(0, 1, 3).to_vector<float>() == std::vector<float>(9, -2.0f));
  CHECK(nn::pad_sequence(seqs).sizes() == Shape{4, 3, 3});  // time-major by default
  // A zero-length sequence pads to all padding.
  CHECK(nn::pad_sequence({zeros({0, 2}), ones({2, 2})}).sum().item<float>() == 4.0f);
  auto back = nn::unpad_sequence(padded, tensor(std::vector<int64_t>{2, 4, 1}), true);
  REQUIRE(back.size() == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(back[i].to_vector<float>() == seqs[i].to_vector<float>());
  auto unpacked = nn::unpack_sequence(nn::pack_sequence(seqs, /*enforce_sorted=*/false));
  REQUIRE(unpacked.size() == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(unpacked[i].to_vector<float>() == seqs[i].to_vector<float>());

  CHECK_ERROR(nn::pad_sequence({}), "pad_sequence", "at least one");
  CHECK_ERROR(nn::pad_sequence({zeros({2, 3}), zeros({2, 4})}), "pad_sequence", "sequence 1", "[2, 4]", "[2, 3]");
  CHECK_ERROR(nn::pad_sequence({zeros({2}), zeros({2}, kFloat64)}), "pad_sequence", "float64", "dtypes");
  CHECK_ERROR(nn::pad_sequence({zeros({2}), reshape(zeros({1}), {})}), "pad_sequence", "sequence 1", "time dim");
  CHECK_ERROR(nn::pack_sequence({zeros({2, 1}), zeros({0, 1})}, false), "pack_sequence", "sequence 1 is empty");
  CHECK_ERROR(nn::pack_sequence({zeros({1, 1}), zeros({2, 1})}), "pack_padded_sequence", "decreasing");
  CHECK_ERROR(nn::unpad_sequence(padded, tensor(std::vector<int64_t>{2, 5, 1}), true), "unpad_sequence",
              "length 5", "[0, 4]");
  CHECK_ERROR(nn::unpad_sequence(padded, tensor(std::vector<int64_t>{2, 4}), true), "unpad_sequence", "int64 [3]");
  CHECK_ERROR(nn::unpad_sequence(zeros({3}), tensor(std::vector<int64_t>{1}), true), "unpad_sequence", "[3]");

  // A hand-built PackedSequence is checked before use.
  nn::PackedSequence bad = nn::pack_sequence(seqs, false);
  bad.sorted_indices = tensor(std::vector<int64_t>{1, 7, 2});
  CHECK_ERROR(nn::unpack_sequence(bad), "pad_packed_sequence", "permutation", "7");
  bad.sorted_indices = tensor(std::vector<int64_t>{1, 1, 2});
  CHECK_ERROR(nn::unpack_sequence(bad), "pad_packed_sequence", "permutation");
  bad.sorted_indices = tensor(std::vector<int64_t>{1, 0});
  CHECK_ERROR(nn::unpack_sequence(bad), "pad_packed_sequence", "batch_sizes[0] is 3");
  bad.sorted_indices = tensor({1.0, 0.0, 2.0});
  CHECK_ERROR(nn::unpack_sequence(bad), "pad_packed_sequence", "int64 1-D");
  // Recurrent layers take packed [N, input_size] data only.
  nn::LSTM lstm(1, 2);
  CHECK_ERROR(lstm(nn::pack_sequence({zeros({3}), zeros({2})})), "LSTM", "[N, input_size]", "[5]");
}

TEST_CASE("packed sequence: gru(packed) as in PyTorch, batch_first, state in the original order") {
  manual_seed(10);
  nn::GRU gru(nn::GRUOptions(2, 3).num_layers(2).batch_first(true));
  const std::vector<Tensor> seqs = {randn({2, 2}), randn({5, 2}), randn({3, 2})};
  Tensor h0 = randn({2, 3, 3});
  auto r = gru(nn::pack_sequence(seqs, false), {.h0 = h0});
  // Each sequence alone, unbatched, gives the same outputs and final state.
  auto outs = nn::unpack_sequence(r.output);
  REQUIRE(outs.size() == 3);
  for (int64_t b = 0; b < 3; ++b) {
    auto alone = gru(seqs[size_t(b)], {.h0 = select(h0, 1, b)});
    CHECK(allclose(outs[size_t(b)], alone.output, 1e-5, 1e-6));
    CHECK(allclose(select(r.h_n, 1, b), alone.h_n, 1e-5, 1e-6));
  }
  CHECK(gru.options().batch_first());
  CHECK_ERROR(gru(nn::pack_sequence(seqs, false), {.lengths = tensor(std::vector<int64_t>{2, 5, 3})}), "GRU",
              "own lengths");
}
