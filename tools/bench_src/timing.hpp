// Median-of-trials timing shared by the spool and LibTorch benchmarks.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace bench {

// Runs body() (which performs `ops_per_call` ops) repeatedly: warm-up, then
// `trials` trials of about `trial_seconds` each. Returns the median ns per op.
template <typename F>
double ns_per_op(F&& body, int ops_per_call, int trials = 9, double trial_seconds = 0.15) {
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
  long calls = 1;
  for (;;) {  // calibrate (doubles as warm-up)
    auto t0 = clock::now();
    for (long i = 0; i < calls; ++i) body();
    if (seconds(clock::now() - t0) > trial_seconds / 4) break;
    calls *= 2;
  }
  calls *= 4;
  std::vector<double> results;
  for (int t = 0; t < trials; ++t) {
    auto t0 = clock::now();
    for (long i = 0; i < calls; ++i) body();
    results.push_back(seconds(clock::now() - t0) * 1e9 / (double(calls) * ops_per_call));
  }
  std::nth_element(results.begin(), results.begin() + trials / 2, results.end());
  return results[trials / 2];
}

inline void report(const char* name, double ns) { std::printf("RESULT %s %.1f\n", name, ns); }

}  // namespace bench
