#include "storage.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace spool {
namespace {

// Buckets are powers of two from 64 bytes to 1 GiB; a buffer is served from
// the smallest bucket that holds it, so reuse needs no size search.
constexpr int kMinShift = 6, kMaxShift = 30, kBuckets = kMaxShift - kMinShift + 1;
constexpr size_t kMaxCachedBytes = size_t(2) << 30;

struct Bucket {
  std::mutex mu;
  std::vector<void*> free;
};

struct Pool {
  Bucket buckets[kBuckets];
  std::atomic<size_t> misses{0}, cached{0};
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers may outlive static destruction
  return *p;
}

// Buffers of one bucket to the shared list, or back to the system beyond
// kMaxCachedBytes.
void give_to_shared(int bucket, void* const* first, void* const* last) {
  Pool& p = pool();
  const size_t bytes = size_t(last - first) << (bucket + kMinShift);
  if (p.cached.load(std::memory_order_relaxed) + bytes > kMaxCachedBytes) {
    for (auto it = first; it != last; ++it) std::free(*it);
    return;
  }
  Bucket& b = p.buckets[bucket];
  std::lock_guard<std::mutex> lock(b.mu);
  b.free.insert(b.free.end(), first, last);
  p.cached.fetch_add(bytes, std::memory_order_relaxed);
}

// Each thread keeps free buffers per bucket without locking, up to
// kLocalBytes worth (1 to kLocalMax buffers). A full cache hands half of
// itself to the shared list under one lock, an empty one takes up to half
// back. Buffers made on one thread and freed on another (a BiLSTM direction's
// activations, freed by the backward chain on the other core) thus return
// within a step: with a count limit instead (32 per bucket), 32 large
// buffers had to pile up on the freeing thread before any came back, and the
// allocating thread missed, and page-faulted fresh ones, for 30 steps.
constexpr size_t kLocalBytes = size_t(4) << 20, kLocalMax = 4096;
size_t local_limit(int bucket) { return std::clamp<size_t>(kLocalBytes >> (bucket + kMinShift), 1, kLocalMax); }

// Set once this thread's cache is destroyed (trivially destructible, so it
// can still be read then): a tensor that outlives the cache (a global, a
// thread_local, one freed during static destruction) goes straight to the
// system instead of into the destroyed cache.
thread_local bool local_cache_gone = false;

struct LocalCache {
  std::vector<void*> free[kBuckets];
  size_t hits = 0;  // kept per thread: a shared counter bounced between cores on every op
  ~LocalCache() {
    local_cache_gone = true;
    for (int b = 0; b < kBuckets; ++b) give_to_shared(b, free[b].data(), free[b].data() + free[b].size());
  }
};
LocalCache& local_cache() {
  thread_local LocalCache cache;
  return cache;
}

int bucket_for(size_t bytes) {
  int shift = kMinShift;
  while ((size_t(1) << shift) < bytes) ++shift;
  return shift <= kMaxShift ? shift - kMinShift : -1;
}

void* raw_alloc(size_t bytes) {
  void* p = std::aligned_alloc(64, (std::max<size_t>(bytes, 1) + 63) / 64 * 64);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

Storage::Storage(size_t bytes) {
  bucket_ = bucket_for(bytes == 0 ? 1 : bytes);
  if (bucket_ < 0 || local_cache_gone) {
    bucket_ = -1;
    bytes_ = bytes;
    data_ = raw_alloc(bytes);
    return;
  }
  bytes_ = size_t(1) << (bucket_ + kMinShift);
  LocalCache& cache = local_cache();
  auto& local = cache.free[bucket_];
  if (local.empty()) {
    // Refill from the shared list: up to half a local cache in one lock.
    Pool& p = pool();
    Bucket& b = p.buckets[bucket_];
    size_t taken = 0;
    {
      std::lock_guard<std::mutex> lock(b.mu);
      taken = std::min(b.free.size(), std::max<size_t>(1, local_limit(bucket_) / 2));
      local.insert(local.end(), b.free.end() - static_cast<std::ptrdiff_t>(taken), b.free.end());
      b.free.resize(b.free.size() - taken);
    }
    if (taken == 0) {
      p.misses.fetch_add(1, std::memory_order_relaxed);
      data_ = raw_alloc(bytes_);
      return;
    }
    p.cached.fetch_sub(taken * bytes_, std::memory_order_relaxed);
  }
  data_ = local.back();
  local.pop_back();
  ++cache.hits;
}

Storage::~Storage() {
  if (bucket_ < 0) {
    std::free(data_);
    return;
  }
  if (local_cache_gone) {
    give_to_shared(bucket_, &data_, &data_ + 1);
    return;
  }
  auto& local = local_cache().free[bucket_];
  const size_t limit = local_limit(bucket_);
  if (local.size() < limit) {
    if (local.capacity() == 0) local.reserve(limit);
    local.push_back(data_);
    return;
  }
  // Full: this buffer and the newest half-cache go to the shared list (or
  // back to the system beyond kMaxCachedBytes).
  local.push_back(data_);
  const size_t n = std::max<size_t>(1, local.size() / 2);
  const auto first = local.end() - static_cast<std::ptrdiff_t>(n);
  give_to_shared(bucket_, &*first, &*first + n);
  local.erase(first, local.end());
}

PoolStats pool_stats() {
  Pool& p = pool();
  if (local_cache_gone) return {0, p.misses.load(), p.cached.load()};
  return {local_cache().hits, p.misses.load(), p.cached.load()};
}

void pool_release_cached() {
  Pool& p = pool();
  if (!local_cache_gone) {
    for (auto& local : local_cache().free) {
      for (void* ptr : local) std::free(ptr);
      local.clear();
    }
  }
  for (auto& b : p.buckets) {
    std::lock_guard<std::mutex> lock(b.mu);
    for (void* ptr : b.free) std::free(ptr);
    b.free.clear();
  }
  p.cached = 0;
}

}  // namespace spool
