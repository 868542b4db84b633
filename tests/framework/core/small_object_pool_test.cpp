// The small-object pool: blocks are reused on the freeing thread, and blocks
// freed by one thread reach another through the shared batches.
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "test_util.hpp"

using spool::detail::pooled_allocate;
using spool::detail::pooled_deallocate;

TEST_CASE("small object pool: reuse on one thread and across threads") {
  // Same thread: a freed block comes back for the next request of its size class.
  void* a = pooled_allocate(40);
  pooled_deallocate(a, 40);
  void* b = pooled_allocate(48);  // 40 and 48 bytes share the 48-byte class
  CHECK(b == a);
  pooled_deallocate(b, 48);

  // Made on a worker, freed here: enough to pass batches to the shared list,
  // which a third thread then draws from instead of the system allocator.
  constexpr int kBlocks = 1000;
  constexpr size_t kBytes = 200;
  std::vector<void*> made(kBlocks);
  std::thread([&] {
    for (auto& p : made) {
      p = pooled_allocate(kBytes);
      std::memset(p, 0xab, kBytes);  // writable, whole
    }
  }).join();
  const std::set<void*> ours(made.begin(), made.end());
  CHECK(ours.size() == kBlocks);
  for (void* p : made) pooled_deallocate(p, kBytes);
  int reused = 0;
  std::thread([&] {
    std::vector<void*> got(kBlocks);
    for (auto& p : got) {
      p = pooled_allocate(kBytes);
      reused += ours.count(p) ? 1 : 0;
    }
    for (void* p : got) pooled_deallocate(p, kBytes);
  }).join();
  CHECK(reused >= 512);  // 1000 frees hand over at least 6 batches of 128 of our blocks

  // Outside the pooled range: plain allocation, still usable.
  void* big = pooled_allocate(4096);
  std::memset(big, 1, 4096);
  pooled_deallocate(big, 4096);
}
