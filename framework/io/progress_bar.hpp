// A progress bar for training loops, as Keras' Progbar: redrawn in place on
// a terminal at most ten times a second, with steps per second, the time
// left and running values; one summary line when finished. When standard
// output is not a terminal (a log file, ctest) only the summary is printed.
//
// Example (given int64_t steps; double loss):
//   spool::ProgressBar bar(steps, "Epoch 1/5");
//   for (int64_t i = 0; i < steps; ++i) bar.update(i + 1, {{"loss", loss}});
//   bar.finish({{"loss", loss}});
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spool {

using ProgressValues = std::vector<std::pair<std::string, double>>;

class ProgressBar {
 public:
  // verbose = false prints nothing at all.
  explicit ProgressBar(int64_t total, std::string label = "", bool verbose = true);
  // True when a bar is drawn (a terminal): values are worth computing for update().
  bool drawing() const { return tty_; }
  // `done` of `total` steps are finished.
  void update(int64_t done, const ProgressValues& values = {});
  // Clears the bar and prints "<label> - <seconds>s - name: value ...".
  void finish(const ProgressValues& values = {});
  double elapsed_seconds() const;

 private:
  int64_t total_;
  std::string label_;
  bool on_, tty_;
  double last_draw_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace spool
