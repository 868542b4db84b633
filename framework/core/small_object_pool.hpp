// Per-thread recycling of the small objects every recorded op creates
// (tensor handles, graph nodes, autograd records). A training step makes and
// drops thousands of them; glibc's per-thread cache holds only 7 blocks of a
// size, so most went through its slower shared paths. Blocks are kept in
// free lists of 16-byte size classes, per thread; a block freed on another
// thread simply joins that thread's list.
//
//   std::shared_ptr<Node> n = detail::make_pooled<Node>();
#pragma once

#include <cstddef>
#include <memory>

namespace spool::detail {

constexpr size_t kPooledMaxBytes = 512;

void* pooled_allocate(size_t bytes);
void pooled_deallocate(void* p, size_t bytes);

template <typename T>
struct PooledAllocator {
  using value_type = T;
  PooledAllocator() = default;
  template <typename U>
  PooledAllocator(const PooledAllocator<U>&) {}  // NOLINT: rebinding, as allocate_shared needs
  T* allocate(size_t n) { return static_cast<T*>(pooled_allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { pooled_deallocate(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PooledAllocator<U>&) const { return true; }
};

// std::make_shared through the pool: object and control block in one block.
template <typename T, typename... Args>
std::shared_ptr<T> make_pooled(Args&&... args) {
  return std::allocate_shared<T>(PooledAllocator<T>(), std::forward<Args>(args)...);
}

}  // namespace spool::detail
