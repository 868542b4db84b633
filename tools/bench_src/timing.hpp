// Median-of-trials timing shared by the spool and LibTorch benchmarks, so both
// sides are measured by the same code. Uses std::chrono::steady_clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

namespace bench {

// The defaults of the tiny-op benchmarks; printed as a CONFIG line.
inline constexpr int kTrials = 7;
inline constexpr double kTrialSeconds = 0.2;

// Runs body() (which performs `ops_per_call` ops) repeatedly: a warm-up that
// also finds how many calls fill about `trial_seconds`, then `trials` trials
// of that many calls. Returns the median ns per op.
template <typename F>
double ns_per_op(F&& body, double ops_per_call, int trials = kTrials, double trial_seconds = kTrialSeconds) {
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
  body();  // first call: pools, caches and lazy initialisation
  long calls = 1;
  double elapsed = 0;
  for (;;) {  // calibrate (doubles as warm-up)
    auto t0 = clock::now();
    for (long i = 0; i < calls; ++i) body();
    elapsed = seconds(clock::now() - t0);
    if (elapsed > trial_seconds / 4) break;
    calls *= 2;
  }
  calls = std::max(1L, static_cast<long>(calls * trial_seconds / elapsed));
  std::vector<double> results;
  for (int t = 0; t < trials; ++t) {
    auto t0 = clock::now();
    for (long i = 0; i < calls; ++i) body();
    results.push_back(seconds(clock::now() - t0) * 1e9 / (double(calls) * ops_per_call));
  }
  std::nth_element(results.begin(), results.begin() + trials / 2, results.end());
  return results[trials / 2];
}

// Machine-readable line: "RESULT <name> <ns per op>".
inline void report(const char* name, double ns) {
  std::printf("RESULT %s %.1f\n", name, ns);
  std::fflush(stdout);
}

// Resident memory now, in MiB (Linux; 0 elsewhere).
inline double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long total = 0, resident = 0;
  if (!(statm >> total >> resident)) return 0;
  return resident * 4096.0 / (1 << 20);
}

// ns_per_op + report, plus a "NOTE <name> ..." line when resident memory grew
// by more than 64 MiB during the measurement: a loop that drops what it builds
// should run in constant memory, so growth means the graph is not freed.
template <typename F>
void measure(const char* name, F&& body, double ops_per_call) {
  const double before = rss_mb();
  const double ns = ns_per_op(body, ops_per_call);
  const double grown = rss_mb() - before;
  report(name, ns);
  if (grown > 64) std::printf("NOTE %s resident memory grew by %.0f MiB during the measurement\n", name, grown);
}

}  // namespace bench
