// Printing tensors like PyTorch's repr: fmt::print("{}", t) or to_string(t).
#pragma once

#include <fmt/format.h>

#include <ostream>
#include <string>

#include "tensor.hpp"

namespace spool {
std::string to_string(const Tensor& t);
inline std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }
}  // namespace spool

template <>
struct fmt::formatter<spool::Tensor> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const spool::Tensor& t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(spool::to_string(t), ctx);
  }
};
