#include "packed_matrix.hpp"

#include <xsimd/xsimd.hpp>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <algorithm>

#include "blas.hpp"
#include "kernels.hpp"
#include "threading.hpp"

namespace spool::kernels {

namespace {

template <typename T>
using Vec = xsimd::batch<T>;
template <typename T>
constexpr int64_t kWidth = 2 * Vec<T>::size;
// Rows per register block: 8 rows x 2 registers are 16 independent
// accumulators, enough to keep the FMA units busy through their latency,
// and with the two panel registers and a broadcast they fit AVX-512's 32
// registers; the 16 of AVX2 and SSE hold 4 rows.
#if defined(__AVX512F__)
constexpr int kRows = 8;
#else
constexpr int kRows = 4;
#endif

// c[r, 0:cols] = alpha * acc[r] + beta * c[r, 0:cols] for one row's two
// registers; a partial last panel goes through a buffer.
template <typename T>
inline void store_row(const Vec<T>& lo, const Vec<T>& hi, T* c, int64_t cols, T alpha, T beta) {
  constexpr int64_t W = Vec<T>::size;
  if (cols == kWidth<T>) {
    Vec<T> l = lo * Vec<T>(alpha), h = hi * Vec<T>(alpha);
    if (beta != T(0)) {
      l += Vec<T>(beta) * Vec<T>::load_unaligned(c);
      h += Vec<T>(beta) * Vec<T>::load_unaligned(c + W);
    }
    l.store_unaligned(c);
    h.store_unaligned(c + W);
    return;
  }
  alignas(64) T buf[kWidth<T>];
  lo.store_unaligned(buf);
  hi.store_unaligned(buf + W);
  for (int64_t j = 0; j < cols; ++j) c[j] = alpha * buf[j] + (beta != T(0) ? beta * c[j] : T(0));
}

// MR rows of a times one panel: acc[i] += a[i, k] * panel[k, :].
template <typename T, int MR>
void row_block(int64_t K, const T* a, int64_t lda, const T* panel, T* c, int64_t ldc, int64_t cols, T alpha, T beta) {
  constexpr int64_t W = Vec<T>::size;
  Vec<T> lo[MR], hi[MR];
  for (int i = 0; i < MR; ++i) lo[i] = hi[i] = Vec<T>(T(0));
  for (int64_t k = 0; k < K; ++k) {
    const Vec<T> b0 = Vec<T>::load_unaligned(panel + k * kWidth<T>);
    const Vec<T> b1 = Vec<T>::load_unaligned(panel + k * kWidth<T> + W);
    for (int i = 0; i < MR; ++i) {
      const Vec<T> ai(a[i * lda + k]);
      lo[i] = xsimd::fma(ai, b0, lo[i]);
      hi[i] = xsimd::fma(ai, b1, hi[i]);
    }
  }
  for (int i = 0; i < MR; ++i) store_row(lo[i], hi[i], c + i * ldc, cols, alpha, beta);
}

// One row alone (a batch of one sequence): four interleaved partial sums
// over k, since two accumulators would wait on the FMA latency.
template <typename T>
void single_row(int64_t K, const T* a, const T* panel, T* c, int64_t cols, T alpha, T beta) {
  constexpr int64_t W = Vec<T>::size;
  Vec<T> lo[4], hi[4];
  for (int u = 0; u < 4; ++u) lo[u] = hi[u] = Vec<T>(T(0));
  int64_t k = 0;
  for (; k + 4 <= K; k += 4) {
    for (int u = 0; u < 4; ++u) {
      const Vec<T> ak(a[k + u]);
      lo[u] = xsimd::fma(ak, Vec<T>::load_unaligned(panel + (k + u) * kWidth<T>), lo[u]);
      hi[u] = xsimd::fma(ak, Vec<T>::load_unaligned(panel + (k + u) * kWidth<T> + W), hi[u]);
    }
  }
  for (; k < K; ++k) {
    const Vec<T> ak(a[k]);
    lo[0] = xsimd::fma(ak, Vec<T>::load_unaligned(panel + k * kWidth<T>), lo[0]);
    hi[0] = xsimd::fma(ak, Vec<T>::load_unaligned(panel + k * kWidth<T> + W), hi[0]);
  }
  store_row<T>((lo[0] + lo[1]) + (lo[2] + lo[3]), (hi[0] + hi[1]) + (hi[2] + hi[3]), c, cols, alpha, beta);
}

// The last M % kRows rows of a panel.
template <typename T>
void tail_rows(int rows, int64_t K, const T* a, int64_t lda, const T* panel, T* c, int64_t ldc, int64_t cols, T alpha,
               T beta) {
  switch (rows) {
    case 1: return single_row<T>(K, a, panel, c, cols, alpha, beta);
    case 2: return row_block<T, 2>(K, a, lda, panel, c, ldc, cols, alpha, beta);
    case 3: return row_block<T, 3>(K, a, lda, panel, c, ldc, cols, alpha, beta);
    case 4: return row_block<T, 4>(K, a, lda, panel, c, ldc, cols, alpha, beta);
    case 5: return row_block<T, 5 % kRows>(K, a, lda, panel, c, ldc, cols, alpha, beta);
    case 6: return row_block<T, 6 % kRows>(K, a, lda, panel, c, ldc, cols, alpha, beta);
    case 7: return row_block<T, 7 % kRows>(K, a, lda, panel, c, ldc, cols, alpha, beta);
    default: return;
  }
}

template <typename T>
void multiply_panels(int64_t p0, int64_t p1, int64_t M, int64_t N, int64_t K, const T* a, int64_t lda, const T* panels,
                     T* c, T alpha, T beta) {
  for (int64_t p = p0; p < p1; ++p) {
    const T* panel = panels + p * K * kWidth<T>;
    const int64_t col = p * kWidth<T>, cols = std::min(kWidth<T>, N - col);
    int64_t i = 0;
    for (; i + kRows <= M; i += kRows) row_block<T, kRows>(K, a + i * lda, lda, panel, c + i * N + col, N, cols, alpha, beta);
    tail_rows<T>(static_cast<int>(M - i), K, a + i * lda, lda, panel, c + i * N + col, N, cols, alpha, beta);
  }
}

// panel[k * W + j] = column_j[k] for 8 columns j of a matrix whose columns
// are contiguous (a transposed weight), from k = 0 on: 8 x 8 blocks are
// transposed in registers, since element by element the packing took ~2% of
// a batch-1 LSTM step. Returns where it stopped (the rows left to the caller).
template <typename T>
int64_t transpose8_columns(const T*, int64_t, T*, int64_t, int64_t) {
  return 0;  // no fast path: the caller copies element by element
}
#if defined(__AVX2__)
template <>
int64_t transpose8_columns<float>(const float* src, int64_t s1, float* panel, int64_t W, int64_t K) {
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    __m256 r[8], t[8], u[8];
    for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(src + j * s1 + k);
    for (int j = 0; j < 8; j += 2) {
      t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
      t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
    }
    for (int j = 0; j < 8; j += 4) {
      u[j] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(1, 0, 1, 0));
      u[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(3, 2, 3, 2));
      u[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(1, 0, 1, 0));
      u[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; ++i) {
      _mm256_storeu_ps(panel + (k + i) * W, _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
      _mm256_storeu_ps(panel + (k + i + 4) * W, _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
    }
  }
  return k;
}
#endif

}  // namespace

PackedMatrix::PackedMatrix(const Tensor& b) {
  SPOOL_CHECK(b.dim() == 2 && b.is_floating_point(), "PackedMatrix", "needs a 2-D floating matrix, got {} of shape {}",
              dtype_name(b.dtype()), b.sizes());
  k_ = b.size(0);
  n_ = b.size(1);
  SPOOL_DISPATCH_FLOAT(b.dtype(), "PackedMatrix", [&] {
    constexpr int64_t W = kWidth<scalar_t>;
    const int64_t panels = (n_ + W - 1) / W;
    panels_ = Tensor::empty({panels, k_, W}, b.dtype());
    scalar_t* dst = panels_.data_ptr<scalar_t>();
    const scalar_t* src = b.data_ptr<scalar_t>();
    const int64_t s0 = b.strides()[0], s1 = b.strides()[1];
    // Packed once per sequence, but element by element that was still ~5% of
    // a batch-1 LSTM training step: rows and columns are copied as runs.
    for (int64_t p = 0; p < panels; ++p) {
      scalar_t* panel = dst + p * k_ * W;
      const int64_t col = p * W, cols = std::min(W, n_ - col);
      if (cols < W) std::fill(panel, panel + k_ * W, scalar_t(0));
      if (s1 == 1 && cols == W) {  // rows contiguous: a run of W per k (fixed length: no memcpy call)
        for (int64_t k = 0; k < k_; ++k) {
          const scalar_t* row = src + k * s0 + col;
          for (int64_t j = 0; j < W; ++j) panel[k * W + j] = row[j];
        }
      } else if (s1 == 1) {
        for (int64_t k = 0; k < k_; ++k) std::copy(src + k * s0 + col, src + k * s0 + col + cols, panel + k * W);
      } else {  // columns contiguous (a transposed weight) or neither: down each column
        int64_t j = 0;
        if (s0 == 1) {
          for (; j + 8 <= cols; j += 8) {
            const scalar_t* columns = src + (col + j) * s1;
            const int64_t done = transpose8_columns(columns, s1, panel + j, W, k_);
            for (int64_t jj = 0; jj < 8; ++jj)
              for (int64_t k = done; k < k_; ++k) panel[k * W + j + jj] = columns[jj * s1 + k];
          }
        }
        for (; j < cols; ++j) {
          const scalar_t* column = src + (col + j) * s1;
          for (int64_t k = 0; k < k_; ++k) panel[k * W + j] = column[k * s0];
        }
      }
    }
  });
}

int64_t PackedMatrix::panel_width() const {
  return SPOOL_DISPATCH_FLOAT(dtype(), "PackedMatrix", [&] { return kWidth<scalar_t>; });
}

void PackedMatrix::multiply_into(const Tensor& out, const Tensor& a, double alpha, double beta) const {
  SPOOL_CHECK(a.dim() == 2 && a.size(1) == k_ && out.dim() == 2 && out.size(0) == a.size(0) && out.size(1) == n_,
              "gemm", "shapes {} @ packed [{}, {}] -> {} do not match", a.sizes(), k_, n_, out.sizes());
  SPOOL_CHECK(out.is_contiguous(), "gemm", "needs a contiguous result, got shape {} with strides {}", out.sizes(),
              out.strides());
  SPOOL_CHECK(a.dtype() == dtype() && out.dtype() == dtype(), "gemm", "dtypes differ: {} {} @ packed {} -> {} {}",
              dtype_name(a.dtype()), a.sizes(), dtype_name(dtype()), dtype_name(out.dtype()), out.sizes());
  const int64_t M = a.size(0);
  if (M == 0 || n_ == 0) return;
  if (k_ == 0) return scale_result(out, beta);
  // The kernel reads a's rows as contiguous runs of k, and every panel reads
  // all of a: an a written by earlier panels (out's storage) is copied.
  const bool shared = a.impl().storage == out.impl().storage;
  const Tensor rows = (a.strides()[1] == 1 || k_ == 1) && !shared ? a : contiguous_copy(a);
  SPOOL_DISPATCH_FLOAT(dtype(), "gemm", [&] {
    using T = scalar_t;
    const T* pa = rows.data_ptr<T>();
    const T* pp = panels_.data_ptr<T>();
    T* pc = out.data_ptr<T>();
    const int64_t lda = M == 1 ? k_ : rows.strides()[0];
    const int64_t panels = panels_.size(0);
    auto body = [&](int64_t p0, int64_t p1) {
      multiply_panels<T>(p0, p1, M, n_, k_, pa, lda, pp, pc, static_cast<T>(alpha), static_cast<T>(beta));
    };
    // Column panels are independent and each element's sum is the same
    // whichever thread runs it. A product that is small, or runs beside
    // another branch that keeps the other core busy, stays on this thread.
    const int64_t parts = product_blocks(M * n_ * k_);
    if (parts == 1 || panels < 2 || active_branches() > 1) {
      body(0, panels);
    } else {
      parallel_for(panels, std::max<int64_t>(1, (panels + parts - 1) / parts), body);
    }
  });
}

std::shared_ptr<const PackedMatrix> LazyPackedMatrix::get() const {
  if (!ready_.load(std::memory_order_acquire)) {
    std::call_once(once_, [this] {
      packed_ = std::make_shared<const PackedMatrix>(b_);
      ready_.store(true, std::memory_order_release);
    });
  }
  return packed_;
}

}  // namespace spool::kernels
