// Datasets and a DataLoader: batching, seeded shuffling, drop_last,
// bucketing by length, a collate that pads variable-length sequences and
// returns their lengths, and the next batch prepared on TBB while the
// current one trains.
//
//   spool::SequenceDataset data(tok.texts_to_sequences(texts), labels);
//   spool::DataLoader loader(data, {.batch_size = 32, .shuffle = true, .bucket_by_length = true});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const spool::Batch& b : loader.epoch())   // b.input [B, T], b.lengths [B], b.target [B]
//       ...
#pragma once

#include <cstdint>
#include <vector>

#include "../core/tensor.hpp"

namespace spool {

struct Batch {
  Tensor input, target, lengths;  // lengths only for sequence data
  int64_t size = 0;  // examples in the batch (set by DataLoader): weights per-sample averages
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Length of example i, used for bucketing (1 for fixed-size data).
  virtual int64_t length(int64_t) const { return 1; }
  virtual Batch collate(const std::vector<int64_t>& indices) const = 0;
};

// Rows of inputs [N, ...] and targets [N, ...].
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor inputs, Tensor targets);
  int64_t size() const override { return inputs_.size(0); }
  Batch collate(const std::vector<int64_t>& indices) const override;

 private:
  Tensor inputs_, targets_;
};

// Variable-length int64 sequences with one target row each; batches are
// padded at the end with pad_value to the longest sequence of the batch.
class SequenceDataset : public Dataset {
 public:
  SequenceDataset(std::vector<std::vector<int64_t>> sequences, Tensor targets, int64_t pad_value = 0);
  int64_t size() const override { return static_cast<int64_t>(sequences_.size()); }
  int64_t length(int64_t i) const override;
  Batch collate(const std::vector<int64_t>& indices) const override;

 private:
  std::vector<std::vector<int64_t>> sequences_;
  Tensor targets_;
  int64_t pad_;
};

struct DataLoaderOptions {
  int64_t batch_size = 32;
  bool shuffle = false;
  uint64_t seed = 0;  // epoch e shuffles with seed + e
  bool drop_last = false;
  // Groups examples of similar length into batches (less padding); batch
  // order is still shuffled when shuffle is on.
  bool bucket_by_length = false;
  bool prefetch = true;  // collate the next batch on TBB while this one is used
};

class DataLoader {
 public:
  DataLoader(const Dataset& data, DataLoaderOptions options);
  // The batches of the next epoch, in order (each call is a new epoch).
  class Epoch;
  Epoch epoch();
  // Index lists of the batches of epoch e (deterministic given the seed).
  std::vector<std::vector<int64_t>> batch_indices(int64_t e) const;
  int64_t num_batches() const;
  // The epoch the next epoch() call yields (to resume a run exactly).
  void set_epoch(int64_t e) { epoch_ = e; }

 private:
  const Dataset& data_;
  DataLoaderOptions o_;
  int64_t epoch_ = 0;
};

class DataLoader::Epoch {
 public:
  Epoch(const Dataset& data, std::vector<std::vector<int64_t>> batches, bool prefetch);
  class iterator {
   public:
    iterator(Epoch* e, size_t i) : e_(e), i_(i) {}
    const Batch& operator*() const { return e_->current(i_); }
    iterator& operator++() { return ++i_, *this; }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    Epoch* e_;
    size_t i_;
  };
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, batches_.size()}; }
  size_t size() const { return batches_.size(); }

 private:
  const Batch& current(size_t i);
  const Dataset& data_;
  std::vector<std::vector<int64_t>> batches_;
  bool prefetch_;
  size_t loaded_ = SIZE_MAX;
  Batch now_;
  std::shared_ptr<struct Prefetch> next_;
};

}  // namespace spool
