// Tensor buffers, recycled through a size-bucketed pool so that a training
// step in steady state does not call malloc for tensor data (README "Design" 5).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace spool {

class Storage {
 public:
  // Uninitialized buffer of at least `bytes` bytes, 64-byte aligned.
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

  // Counts in-place changes of the data (copy_, fill_, add_, an optimizer
  // step...), shared by every view of it: a backward that reads a tensor
  // saved before such a change refuses to run (SavedTensor).
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> version_{0};
  void* data_ = nullptr;
  size_t bytes_ = 0;
  int bucket_ = -1;  // -1: not pooled (too large)
};

struct PoolStats {
  size_t hits = 0, misses = 0;  // hits from per-thread caches: the calling thread's only
  size_t cached_bytes = 0;  // in the shared lists (per-thread caches not counted)
};
// Counters of the buffer pool, for tests and benchmarks.
PoolStats pool_stats();
// Frees every cached buffer.
void pool_release_cached();

}  // namespace spool
