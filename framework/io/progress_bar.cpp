#include "progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace spool {

ProgressBar::ProgressBar(int64_t total, std::string label, bool verbose)
    : total_(std::max<int64_t>(total, 0)),
      label_(std::move(label)),
      on_(verbose),
      tty_(verbose && ::isatty(STDOUT_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(int64_t done, const ProgressValues& values) {
  if (!tty_) return;
  const double secs = elapsed_seconds();
  if (secs - last_draw_ < 0.1 && done != total_) return;  // redraw at most 10 times a second
  last_draw_ = secs;
  done = std::clamp<int64_t>(done, 0, total_);
  const double rate = double(done) / std::max(secs, 1e-9);
  const double eta = double(total_ - done) / std::max(rate, 1e-9);
  const int width = 24;
  const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
  std::string shown;
  for (const auto& [name, value] : values) shown += fmt::format(" {} {:.4f}", name, value);
  fmt::print("\r{}{}[{}{}] {}/{} {:.1f} it/s ETA {:.0f}s{}\033[K", label_, label_.empty() ? "" : " ",
             std::string(filled, '='), std::string(width - filled, '.'), done, total_, rate, eta, shown);
  std::fflush(stdout);
}

void ProgressBar::finish(const ProgressValues& values) {
  if (!on_) return;
  std::string line = fmt::format("{}{}{:.1f}s", label_, label_.empty() ? "" : " - ", elapsed_seconds());
  for (const auto& [name, value] : values) line += fmt::format(" - {}: {:.4g}", name, value);
  fmt::print("{}{}\n", tty_ ? "\r\033[K" : "", line);
  std::fflush(stdout);
}

}  // namespace spool
