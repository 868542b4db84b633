#include "small_object_pool.hpp"

#include <mutex>
#include <new>
#include <vector>

namespace spool::detail {

namespace {

constexpr size_t kClassBytes = 16;
constexpr size_t kClasses = kPooledMaxBytes / kClassBytes;
// A thread keeps up to 2 * kBatch free blocks per class; beyond that it
// hands a batch of kBatch to a shared list, and a thread that runs out takes
// a batch from it. Objects made on one thread and freed on another (a
// forward branch's graph, dropped by the main thread) thus circulate with
// one lock per kBatch blocks instead of going through malloc each time.
constexpr unsigned kBatch = 128;
constexpr size_t kMaxSharedBatches = 256;  // per class; more goes back to the system

struct FreeBlock {
  FreeBlock* next;
};

struct Shared {
  std::mutex mu;
  std::vector<FreeBlock*> batches[kClasses];  // each a list of kBatch blocks
};
Shared& shared() {
  static Shared* s = new Shared;  // never destroyed: blocks may be freed during static destruction
  return *s;
}

void free_list(FreeBlock* b) {
  while (b) {
    FreeBlock* next = b->next;
    ::operator delete(b);
    b = next;
  }
}

struct Cache {
  FreeBlock* head[kClasses] = {};
  unsigned count[kClasses] = {};
  ~Cache();
};

// Set once this thread's cache is destroyed (trivially destructible, so it
// stays readable): blocks freed later, by other thread-locals' destructors,
// go straight back to the system.
thread_local bool cache_gone = false;
thread_local Cache cache;

Cache::~Cache() {
  cache_gone = true;
  for (size_t c = 0; c < kClasses; ++c) free_list(head[c]);
}

size_t class_of(size_t bytes) { return (bytes + kClassBytes - 1) / kClassBytes - 1; }

}  // namespace

void* pooled_allocate(size_t bytes) {
  if (bytes == 0 || bytes > kPooledMaxBytes || cache_gone) return ::operator new(bytes);
  const size_t c = class_of(bytes);
  if (!cache.head[c]) {
    Shared& s = shared();
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.batches[c].empty()) {
      cache.head[c] = s.batches[c].back();
      cache.count[c] = kBatch;
      s.batches[c].pop_back();
    }
  }
  if (FreeBlock* b = cache.head[c]) {
    cache.head[c] = b->next;
    --cache.count[c];
    return b;
  }
  return ::operator new((c + 1) * kClassBytes);
}

void pooled_deallocate(void* p, size_t bytes) {
  if (bytes == 0 || bytes > kPooledMaxBytes || cache_gone) {
    ::operator delete(p);
    return;
  }
  const size_t c = class_of(bytes);
  auto* b = static_cast<FreeBlock*>(p);
  b->next = cache.head[c];
  cache.head[c] = b;
  if (++cache.count[c] < 2 * kBatch) return;
  // Hand the newest kBatch blocks to the shared list.
  FreeBlock* first = cache.head[c];
  FreeBlock* last = first;
  for (unsigned i = 1; i < kBatch; ++i) last = last->next;
  cache.head[c] = last->next;
  cache.count[c] -= kBatch;
  last->next = nullptr;
  Shared& s = shared();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.batches[c].size() < kMaxSharedBatches) {
      s.batches[c].push_back(first);
      return;
    }
  }
  free_list(first);
}

}  // namespace spool::detail
