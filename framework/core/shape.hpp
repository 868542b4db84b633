// Shape: a small inline vector of sizes or strides (no heap allocation).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "error.hpp"

namespace spool {

class Shape {
 public:
  static constexpr int kMaxDims = 8;

  Shape() = default;
  Shape(std::initializer_list<int64_t> v) { assign(v.begin(), v.end()); }
  explicit Shape(const std::vector<int64_t>& v) { assign(v.begin(), v.end()); }
  static Shape filled(int n, int64_t value) {
    Shape s;
    s.resize(n, value);
    return s;
  }

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t operator[](int i) const { return d_[i]; }
  int64_t& operator[](int i) { return d_[i]; }
  const int64_t* begin() const { return d_.data(); }
  const int64_t* end() const { return d_.data() + n_; }
  int64_t* begin() { return d_.data(); }
  int64_t* end() { return d_.data() + n_; }
  int64_t back() const { return d_[n_ - 1]; }

  void push_back(int64_t v) {
    SPOOL_CHECK(n_ < kMaxDims, "shape", "at most {} dimensions are supported", kMaxDims);
    d_[n_++] = v;
  }
  void insert(int pos, int64_t v) {
    push_back(0);
    for (int i = n_ - 1; i > pos; --i) d_[i] = d_[i - 1];
    d_[pos] = v;
  }
  void erase(int pos) {
    for (int i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
    --n_;
  }
  void resize(int n, int64_t value = 0) {
    SPOOL_CHECK(n >= 0 && n <= kMaxDims, "shape", "at most {} dimensions are supported", kMaxDims);
    for (int i = n_; i < n; ++i) d_[i] = value;
    n_ = n;
  }

  int64_t numel() const {
    int64_t p = 1;
    for (int i = 0; i < n_; ++i) p *= d_[i];
    return p;
  }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  operator std::vector<int64_t>() const { return vec(); }  // NOLINT: as torch's IntArrayRef.vec()

  friend bool operator==(const Shape& a, const Shape& b) {
    // A plain loop: std::equal became a memcmp call, which showed at ~3% of
    // a small recurrent step (shapes of 1-3 dims compared several times per op).
    if (a.n_ != b.n_) return false;
    for (int i = 0; i < a.n_; ++i)
      if (a.d_[i] != b.d_[i]) return false;
    return true;
  }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  template <typename It>
  void assign(It first, It last) {
    n_ = 0;
    for (; first != last; ++first) push_back(*first);
  }
  std::array<int64_t, kMaxDims> d_{};
  int n_ = 0;
};

// Row-major strides of a contiguous tensor of this shape.
inline Shape contiguous_strides(const Shape& sizes) {
  Shape s = Shape::filled(sizes.size(), 1);
  for (int i = sizes.size() - 2; i >= 0; --i) s[i] = s[i + 1] * std::max<int64_t>(sizes[i + 1], 1);
  return s;
}

// NumPy broadcasting of two shapes; throws naming `op` when they do not match.
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Maps a possibly negative dim into [0, ndim); `op` names the caller in errors.
inline int wrap_dim(int64_t dim, int ndim, const char* op) {
  int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  SPOOL_CHECK(dim >= lo && dim <= hi, op, "dim {} out of range for a tensor of {} dims", dim, ndim);
  return static_cast<int>(dim < 0 ? dim + std::max(ndim, 1) : dim);
}

}  // namespace spool

template <>
struct fmt::formatter<spool::Shape> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const spool::Shape& s, Ctx& ctx) const {
    std::string out = "[";
    for (int i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    out += "]";
    return fmt::formatter<std::string_view>::format(out, ctx);
  }
};

namespace spool {
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  int n = std::max(a.size(), b.size());
  Shape out = Shape::filled(n, 1);
  for (int i = 0; i < n; ++i) {
    int ia = a.size() - n + i, ib = b.size() - n + i;
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    SPOOL_CHECK(da == db || da == 1 || db == 1, op, "shapes {} and {} cannot be broadcast (dim {}: {} vs {})",
                a, b, i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}
}  // namespace spool
