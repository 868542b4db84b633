// spool::Error and the one macro every check goes through.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <string>

namespace spool {

// Thrown for every bad input: the message names the op and what it got.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
[[noreturn]] void fail(const char* op, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(std::string(op) + ": " + fmt::format(f, std::forward<Args>(args)...));
}
}  // namespace detail

}  // namespace spool

// SPOOL_CHECK(cond, "op", "got {} expected {}", a, b): the message is only
// formatted when the check fails, so checks are free on the hot path.
#define SPOOL_CHECK(cond, op, ...)                          \
  do {                                                      \
    if (!(cond)) [[unlikely]]                               \
      ::spool::detail::fail(op, __VA_ARGS__);               \
  } while (0)
