#include "small_object_pool.hpp"

#include <new>

namespace spool::detail {

namespace {

constexpr size_t kClassBytes = 16;
constexpr size_t kClasses = kPooledMaxBytes / kClassBytes;
constexpr unsigned kMaxCached = 4096;  // blocks per class and thread

struct FreeBlock {
  FreeBlock* next;
};

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
  for (size_t c = 0; c < kClasses; ++c)
    while (FreeBlock* b = head[c]) {
      head[c] = b->next;
      ::operator delete(b);
    }
}

size_t class_of(size_t bytes) { return (bytes + kClassBytes - 1) / kClassBytes - 1; }

}  // namespace

void* pooled_allocate(size_t bytes) {
  if (bytes == 0 || bytes > kPooledMaxBytes || cache_gone) return ::operator new(bytes);
  const size_t c = class_of(bytes);
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
  if (cache.count[c] >= kMaxCached) {
    ::operator delete(p);
    return;
  }
  auto* b = static_cast<FreeBlock*>(p);
  b->next = cache.head[c];
  cache.head[c] = b;
  ++cache.count[c];
}

}  // namespace spool::detail
