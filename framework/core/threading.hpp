// One thread pool for everything (README "Design" 4): TBB runs the backward
// graph, forward branches and split kernels; BLAS itself is single-threaded.
#pragma once

#include <cstdint>
#include <functional>

namespace spool {

// Caps the TBB pool at n threads (n >= 1). Default: all cores.
void set_num_threads(int n);
int num_threads();

// Calls body(begin, end) over [0, n) in chunks of `grain`. Chunk boundaries
// depend only on n and grain, never on the thread count, so results are
// bitwise reproducible. Runs inline when there is a single chunk.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

// Runs independent forward branches at once (e.g. the two directions of a
// BiLSTM). Recording into the tape from several threads is safe.
void parallel_invoke(const std::function<void()>& a, const std::function<void()>& b);

// Counts branches running concurrently (parallel_invoke branches, backward
// chains). Kernels split themselves across threads only when a single branch
// runs: two BiLSTM directions already keep both cores busy.
int active_branches();
class BranchScope {
 public:
  BranchScope();
  ~BranchScope();
  BranchScope(const BranchScope&) = delete;
  BranchScope& operator=(const BranchScope&) = delete;
};

// Makes BLAS single-threaded; called before the first BLAS call.
void init_blas_once();

}  // namespace spool
