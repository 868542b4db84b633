#include "threading.hpp"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "autograd.hpp"
#include "error.hpp"

extern "C" void openblas_set_num_threads(int);

namespace spool {

namespace {
std::atomic<int> branches{0};
std::mutex control_mu;
std::unique_ptr<tbb::global_control> control;
}  // namespace

void set_num_threads(int n) {
  SPOOL_CHECK(n >= 1, "set_num_threads", "need at least 1 thread, got {}", n);
  std::lock_guard<std::mutex> lock(control_mu);
  control.reset();
  control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, n);
}

int num_threads() {
  return static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

int active_branches() { return branches.load(std::memory_order_relaxed); }
BranchScope::BranchScope() { branches.fetch_add(1, std::memory_order_relaxed); }
BranchScope::~BranchScope() { branches.fetch_sub(1, std::memory_order_relaxed); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  if (n <= grain || num_threads() == 1) {
    // Same chunk boundaries as the parallel path, so results do not depend on it.
    for (int64_t b = 0; b < n; b += grain) body(b, std::min(n, b + grain));
    return;
  }
  const bool grad = GradMode::is_enabled();
  const int64_t chunks = (n + grain - 1) / grain;
  // Isolated: a thread waiting for its chunks must not pick up unrelated
  // work (another model's step, a data loader batch) meanwhile.
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, chunks, 1),
        [&](const tbb::blocked_range<int64_t>& r) {
          // The caller's grad mode for the chunks; the running thread's own
          // mode is restored after (it may be a thread waiting in other work).
          struct ModeScope {
            bool saved = GradMode::is_enabled();
            ~ModeScope() { GradMode::set_enabled(saved); }
          } scope;
          GradMode::set_enabled(grad);
          for (int64_t c = r.begin(); c < r.end(); ++c) body(c * grain, std::min(n, (c + 1) * grain));
        },
        tbb::simple_partitioner());
  });
}

void parallel_invoke(const std::function<void()>& a, const std::function<void()>& b) {
  const bool grad = GradMode::is_enabled();
  const detail::SeqRange r = detail::reserve_seq_range();
  const uint64_t mid = r.begin + (r.end - r.begin) / 2;
  auto wrap = [grad](const std::function<void()>& f, detail::SeqRange range) {
    return [grad, &f, range] {
      const bool saved = GradMode::is_enabled();
      GradMode::set_enabled(grad);
      detail::SeqRangeScope scope(range);
      BranchScope branch;
      f();
      GradMode::set_enabled(saved);
    };
  };
  tbb::this_task_arena::isolate(
      [&] { tbb::parallel_invoke(wrap(a, {r.begin, mid}), wrap(b, {mid, r.end})); });
}

void init_blas_once() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

}  // namespace spool
