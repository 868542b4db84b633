#include <limits>
#include <set>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("DataLoader: batches cover the data, shuffling is seeded, drop_last") {
  Tensor x = reshape(arange(10.0, 0.0, -1.0, kFloat32), {10, 1});  // 10, 9, ..., 1
  Tensor y = arange(10);
  TensorDataset data(x, y);
  DataLoader plain(data, {.batch_size = 4});
  CHECK(plain.num_batches() == 3);
  std::vector<int64_t> seen;
  for (const Batch& b : plain.epoch())
    for (int64_t v : b.target.to_vector<int64_t>()) seen.push_back(v);
  CHECK(seen == arange(10).to_vector<int64_t>());

  DataLoader shuffled(data, {.batch_size = 4, .shuffle = true, .seed = 7, .drop_last = true});
  CHECK(shuffled.num_batches() == 2);
  auto e0 = shuffled.batch_indices(0), e1 = shuffled.batch_indices(1);
  CHECK(e0.size() == 2);
  CHECK(e0 != e1);  // a new order each epoch
  DataLoader again(data, {.batch_size = 4, .shuffle = true, .seed = 7, .drop_last = true});
  CHECK(again.batch_indices(0) == e0);  // same seed, same order
  for (const Batch& b : shuffled.epoch()) {
    CHECK(b.input.sizes() == Shape{4, 1});
    // Inputs and targets stay paired.
    auto xs = b.input.to_vector<float>();
    auto ys = b.target.to_vector<int64_t>();
    for (size_t i = 0; i < ys.size(); ++i) CHECK(xs[i] == 10.0f - ys[i]);
  }
  DataLoader big(data, {.batch_size = 64});  // a batch larger than the data set
  CHECK(big.num_batches() == 1);
  size_t count = 0;
  for (const Batch& b : big.epoch()) count += b.target.numel();
  CHECK(count == 10);
}

TEST_CASE("DataLoader: sequences are padded, with lengths, and bucketing groups lengths") {
  std::vector<std::vector<int64_t>> seqs;
  for (int64_t i = 1; i <= 12; ++i) seqs.push_back(std::vector<int64_t>(static_cast<size_t>(i % 6 + 1), i));
  SequenceDataset data(seqs, arange(12));
  DataLoader loader(data, {.batch_size = 3});
  auto epoch = loader.epoch();
  const Batch& first = *epoch.begin();
  CHECK(first.input.sizes() == Shape{3, 4});
  CHECK(first.lengths.to_vector<int64_t>() == std::vector<int64_t>{2, 3, 4});
  CHECK(first.input.to_vector<int64_t>() == std::vector<int64_t>{1, 1, 0, 0, 2, 2, 2, 0, 3, 3, 3, 3});
  DataLoader buckets(data, {.batch_size = 2, .shuffle = true, .seed = 3, .bucket_by_length = true});
  int64_t padding = 0;
  for (const Batch& b : buckets.epoch())
    for (int64_t l : b.lengths.to_vector<int64_t>()) padding += b.input.size(1) - l;
  CHECK(padding == 0);  // lengths come in pairs here, so buckets need no padding
  CHECK_THROWS_WITH_AS(SequenceDataset({{1}, {}}, arange(2)), doctest::Contains("sequence 1 is empty"), Error);
  CHECK_THROWS_WITH_AS(SequenceDataset({{1}}, arange(2)), doctest::Contains("1 sequences but targets"), Error);
  CHECK_THROWS_WITH_AS(TensorDataset(zeros({3, 2}), zeros({4})), doctest::Contains("same first dim"), Error);
  CHECK_THROWS_AS(TensorDataset(zeros({0, 2}), zeros({0})), Error);
}

TEST_CASE("DataLoader: bad indices and huge batch sizes") {
  TensorDataset data(arange(0.0, 10.0, 1.0, kFloat32).reshape({5, 2}), arange(5));
  CHECK_ERROR(data.collate({0, 5}), "collate", "index 5", "5 examples");
  CHECK_ERROR(data.collate({-1}), "collate", "index -1");
  SequenceDataset seqs({{1, 2}, {3}}, arange(2));
  CHECK_ERROR(seqs.collate({2}), "collate", "index 2");
  CHECK_ERROR(seqs.length(7), "collate", "index 7");
  DataLoader all(seqs, {.batch_size = std::numeric_limits<int64_t>::max(), .bucket_by_length = true});
  CHECK(all.num_batches() == 1);
  CHECK(all.batch_indices(0).size() == 1);
  CHECK(all.batch_indices(0)[0].size() == 2);
}
