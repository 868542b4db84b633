#include "storage.hpp"

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
  std::atomic<size_t> hits{0}, misses{0}, cached{0};
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers may outlive static destruction
  return *p;
}

// Each thread keeps a few buffers per bucket without locking; the shared
// lists behind it are used when a thread's cache is empty or full.
constexpr size_t kLocalPerBucket = 32;
struct LocalCache {
  std::vector<void*> free[kBuckets];
  size_t hits = 0;  // kept per thread: a shared counter bounced between cores on every op
  ~LocalCache() {
    Pool& p = pool();
    for (int b = 0; b < kBuckets; ++b) {
      std::lock_guard<std::mutex> lock(p.buckets[b].mu);
      for (void* ptr : free[b]) {
        p.buckets[b].free.push_back(ptr);
        p.cached.fetch_add(size_t(1) << (b + kMinShift), std::memory_order_relaxed);
      }
    }
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
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

Storage::Storage(size_t bytes) {
  bucket_ = bucket_for(bytes == 0 ? 1 : bytes);
  if (bucket_ < 0) {
    bytes_ = bytes;
    data_ = raw_alloc(bytes);
    return;
  }
  bytes_ = size_t(1) << (bucket_ + kMinShift);
  Pool& p = pool();
  auto& local = local_cache().free[bucket_];
  if (!local.empty()) {
    data_ = local.back();
    local.pop_back();
    ++local_cache().hits;
    return;
  }
  Bucket& b = p.buckets[bucket_];
  {
    std::lock_guard<std::mutex> lock(b.mu);
    if (!b.free.empty()) {
      data_ = b.free.back();
      b.free.pop_back();
    }
  }
  if (data_) {
    p.hits.fetch_add(1, std::memory_order_relaxed);
    p.cached.fetch_sub(bytes_, std::memory_order_relaxed);
  } else {
    p.misses.fetch_add(1, std::memory_order_relaxed);
    data_ = raw_alloc(bytes_);
  }
}

Storage::~Storage() {
  Pool& p = pool();
  if (bucket_ >= 0) {
    auto& local = local_cache().free[bucket_];
    if (local.size() < kLocalPerBucket) {
      if (local.capacity() == 0) local.reserve(kLocalPerBucket);
      local.push_back(data_);
      return;
    }
  }
  if (bucket_ < 0 || p.cached.load(std::memory_order_relaxed) + bytes_ > kMaxCachedBytes) {
    std::free(data_);
    return;
  }
  Bucket& b = p.buckets[bucket_];
  std::lock_guard<std::mutex> lock(b.mu);
  b.free.push_back(data_);
  p.cached.fetch_add(bytes_, std::memory_order_relaxed);
}

PoolStats pool_stats() {
  Pool& p = pool();
  return {p.hits.load() + local_cache().hits, p.misses.load(), p.cached.load()};
}

void pool_release_cached() {
  Pool& p = pool();
  for (auto& local : local_cache().free) {
    for (void* ptr : local) std::free(ptr);
    local.clear();
  }
  for (auto& b : p.buckets) {
    std::lock_guard<std::mutex> lock(b.mu);
    for (void* ptr : b.free) std::free(ptr);
    b.free.clear();
  }
  p.cached = 0;
}

}  // namespace spool
