#include "dataset.hpp"

#include <tbb/task_group.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "../core/autograd.hpp"
#include "../core/kernels.hpp"

namespace spool {

namespace {
// Every index in [0, n): collate is public, so it checks what it is given.
void check_indices(const std::vector<int64_t>& idx, int64_t n) {
  for (int64_t i : idx) SPOOL_CHECK(i >= 0 && i < n, "collate", "index {} is out of range for {} examples", i, n);
}

Tensor rows(const Tensor& t, const std::vector<int64_t>& idx) {
  check_indices(idx, t.size(0));
  Shape s = t.sizes();
  s[0] = static_cast<int64_t>(idx.size());
  Tensor out = Tensor::empty(s, t.dtype());
  const int64_t row = t.numel() / std::max<int64_t>(t.size(0), 1);
  const Tensor c = t.is_contiguous() ? t : kernels::contiguous_copy(t);
  const size_t bytes = row * element_size(t.dtype());
  for (size_t i = 0; i < idx.size(); ++i)
    std::memcpy(static_cast<char*>(out.raw_data()) + i * bytes, static_cast<const char*>(c.raw_data()) + idx[i] * bytes,
                bytes);
  return out;
}
}  // namespace

TensorDataset::TensorDataset(Tensor inputs, Tensor targets) : inputs_(inputs.detach()), targets_(targets.detach()) {
  SPOOL_CHECK(inputs_.dim() >= 1 && targets_.dim() >= 1 && inputs_.size(0) == targets_.size(0), "TensorDataset",
              "inputs of shape {} and targets of shape {} need the same first dim", inputs_.sizes(), targets_.sizes());
  SPOOL_CHECK(inputs_.size(0) > 0, "TensorDataset", "the data set is empty");
}

Batch TensorDataset::collate(const std::vector<int64_t>& idx) const { return {rows(inputs_, idx), rows(targets_, idx), {}}; }

SequenceDataset::SequenceDataset(std::vector<std::vector<int64_t>> sequences, Tensor targets, int64_t pad)
    : sequences_(std::move(sequences)), targets_(targets.detach()), pad_(pad) {
  SPOOL_CHECK(!sequences_.empty(), "SequenceDataset", "the data set is empty");
  SPOOL_CHECK(targets_.dim() >= 1 && targets_.size(0) == static_cast<int64_t>(sequences_.size()), "SequenceDataset",
              "{} sequences but targets of shape {}", sequences_.size(), targets_.sizes());
  for (size_t i = 0; i < sequences_.size(); ++i)
    SPOOL_CHECK(!sequences_[i].empty(), "SequenceDataset", "sequence {} is empty (lengths must be >= 1)", i);
}

int64_t SequenceDataset::length(int64_t i) const {
  check_indices({i}, size());
  return static_cast<int64_t>(sequences_[static_cast<size_t>(i)].size());
}

Batch SequenceDataset::collate(const std::vector<int64_t>& idx) const {
  check_indices(idx, size());
  int64_t T = 0;
  for (int64_t i : idx) T = std::max<int64_t>(T, length(i));
  const auto B = static_cast<int64_t>(idx.size());
  Tensor input = full({B, T}, static_cast<double>(pad_), kInt64);
  std::vector<int64_t> lengths;
  int64_t* p = input.data_ptr<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& s = sequences_[idx[b]];
    std::copy(s.begin(), s.end(), p + b * T);
    lengths.push_back(static_cast<int64_t>(s.size()));
  }
  return {input, rows(targets_, idx), tensor(lengths)};
}

DataLoader::DataLoader(const Dataset& data, DataLoaderOptions o) : data_(data), o_(o) {
  SPOOL_CHECK(o.batch_size > 0, "DataLoader", "batch_size must be positive, got {}", o.batch_size);
  SPOOL_CHECK(data.size() > 0, "DataLoader", "the data set is empty");
}

int64_t DataLoader::num_batches() const {
  const int64_t n = data_.size();
  return n / o_.batch_size + (!o_.drop_last && n % o_.batch_size != 0);
}

std::vector<std::vector<int64_t>> DataLoader::batch_indices(int64_t e) const {
  const int64_t n = data_.size();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o_.seed + static_cast<uint64_t>(e));
  if (o_.shuffle) std::shuffle(order.begin(), order.end(), rng);
  if (o_.bucket_by_length) {
    // Sort by length within pools of 50 batches, so batches hold similar lengths.
    const int64_t pool = o_.batch_size > n / 50 ? n : o_.batch_size * 50;  // no overflow for huge batch sizes
    for (int64_t s = 0; s < n; s += pool)
      std::stable_sort(order.begin() + s, order.begin() + std::min(n, s + pool),
                       [&](int64_t a, int64_t b) { return data_.length(a) < data_.length(b); });
  }
  std::vector<std::vector<int64_t>> batches;
  for (int64_t s = 0; s < n;) {
    const int64_t end = s + std::min(o_.batch_size, n - s);  // no overflow for huge batch sizes
    if (o_.drop_last && end - s < o_.batch_size) break;
    batches.emplace_back(order.begin() + s, order.begin() + end);
    s = end;
  }
  if (o_.bucket_by_length && o_.shuffle) std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

DataLoader::Epoch DataLoader::epoch() { return Epoch(data_, batch_indices(epoch_++), o_.prefetch); }

struct Prefetch {
  tbb::task_group tasks;
  Batch batch;
  std::exception_ptr error;
  ~Prefetch() { tasks.wait(); }
};

DataLoader::Epoch::Epoch(const Dataset& data, std::vector<std::vector<int64_t>> batches, bool prefetch)
    : data_(data), batches_(std::move(batches)), prefetch_(prefetch) {}

const Batch& DataLoader::Epoch::current(size_t i) {
  if (loaded_ == i) return now_;
  if (next_ && loaded_ + 1 == i) {
    next_->tasks.wait();
    if (next_->error) std::rethrow_exception(next_->error);
    now_ = std::move(next_->batch);
  } else {
    NoGradGuard no_grad;
    now_ = data_.collate(batches_.at(i));
  }
  now_.size = static_cast<int64_t>(batches_.at(i).size());
  loaded_ = i;
  next_.reset();
  if (prefetch_ && i + 1 < batches_.size()) {
    next_ = std::make_shared<Prefetch>();
    auto* p = next_.get();
    const auto* idx = &batches_[i + 1];
    const Dataset* d = &data_;
    p->tasks.run([p, idx, d] {
      try {
        NoGradGuard no_grad;
        p->batch = d->collate(*idx);
      } catch (...) {
        p->error = std::current_exception();
      }
    });
  }
  return now_;
}

}  // namespace spool
