// The recurrent benchmark configurations shared by spool and LibTorch runs.
#pragma once

#include <cstdio>
#include <cstring>
#include <string>
#include <sys/resource.h>

namespace bench {

struct RnnConfig {
  const char* name;
  const char* cell;  // "lstm", "gru"
  bool bidirectional;
  long B, T, I, H;
};

inline const RnnConfig kRnnConfigs[] = {
    {"small_lstm", "lstm", false, 1, 50, 32, 64},     {"small_gru", "gru", false, 1, 50, 32, 64},
    {"small_bilstm", "lstm", true, 1, 50, 32, 64},    {"medium_lstm", "lstm", false, 32, 50, 128, 256},
    {"medium_gru", "gru", false, 32, 50, 128, 256},   {"medium_bilstm", "lstm", true, 32, 50, 128, 256},
    {"large_lstm", "lstm", false, 64, 100, 512, 512},
};

inline const RnnConfig* find_config(const char* name) {
  for (const auto& c : kRnnConfigs)
    if (std::strcmp(c.name, name) == 0) return &c;
  return nullptr;
}

// Multiply-adds x2 of one training step (forward + backward ~ 3x forward GEMMs).
inline double step_flops(const RnnConfig& c) {
  const double gates = std::strcmp(c.cell, "lstm") == 0 ? 4 : 3;
  const double fwd = 2.0 * c.T * c.B * gates * c.H * (c.I + c.H) * (c.bidirectional ? 2 : 1);
  return 3 * fwd;
}

inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

}  // namespace bench
