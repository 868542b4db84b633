// The product kernel, written once over xsimd and compiled once per
// instruction set (gemm_avx512.cpp, gemm_avx2.cpp, gemm_sse2.cpp, each with
// its own -march), so that gemm.cpp can pick the best one the processor has
// at run time. Internal: included by those files only.
//
// The classic blocked scheme (Goto & van de Geijn): B is packed in blocks of
// kc rows into panels of NR columns, A in blocks of mc rows into panels of MR
// rows, and a register tile of MR x NR accumulators runs over kc. Every
// element of C is a sum over K in a fixed order (kc-blocks in order, k in
// order within a block) that does not depend on how the caller splits C
// across threads, so results are bitwise the same at any thread count.
#pragma once

#include <immintrin.h>
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <type_traits>
#include <utility>

#include "gemm.hpp"
#include "lane_sum.hpp"

namespace spool::kernels::gemm_impl {
// Internal linkage: each gemm_<isa>.cpp gets its own copy, compiled with its
// own -march. An inline function shared between them (a std::vector member,
// say) could be linked from the AVX-512 file and run on a processor without
// it, so nothing here allocates or calls the standard library's templates:
// the caller (gemm.cpp, portable flags) passes the scratch.
namespace {

template <class Arch, typename T>
struct Kernel {
  using V = xsimd::batch<T, Arch>;
  static constexpr int64_t W = V::size;
  // Columns per register tile: two registers.
  static constexpr int64_t NR = 2 * W;
  // Rows per register tile: MR x 2 accumulators plus two B registers and a
  // broadcast fit the register file (32 with AVX-512, 16 below).
  static constexpr int64_t MR = W * sizeof(T) >= 64 ? 8 : 6;
  // A kc x NR panel of B stays in L1 while the A panels stream past it.
  static constexpr int64_t KC = W * sizeof(T) >= 64 ? 192 : 256;
  // A B packed once (PackedMatrix, a recurrent weight) is read from L2 in
  // longer k-blocks: one pass over c for a layer of up to 2048 inputs.
  static constexpr int64_t KCP = 2048;
  static constexpr int64_t MC = 16 * MR;  // an mc x kc block of A stays in L2
  static constexpr int64_t NC = 4096;     // a kc x nc block of B in the last-level cache

  // Side of the square blocks transpose_tile turns: 8 floats or 4 doubles
  // with AVX (256-bit registers, also under AVX-512), 4 or 2 with SSE2.
  static constexpr bool kAvx = !std::is_base_of_v<xsimd::sse2, Arch>;  // avx2, avx512f: not SSE-family sets
  static constexpr int64_t TB = (kAvx ? 32 : 16) / sizeof(T);

  // dst[c * ldd + r] = src[r * ld + c] for r, c < TB: TB rows loaded, TB stored.
  static void transpose_tile(const T* src, int64_t ld, T* dst, int64_t ldd) {
    if constexpr (kAvx && sizeof(T) == 4) {
      __m256 r[8], t[8];
      for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ld);
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int h = 0; h < 8; h += 4)
        for (int i = 0; i < 2; ++i) {
          r[h + 2 * i] = _mm256_shuffle_ps(t[h + i], t[h + i + 2], _MM_SHUFFLE(1, 0, 1, 0));
          r[h + 2 * i + 1] = _mm256_shuffle_ps(t[h + i], t[h + i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        }
      for (int i = 0; i < 4; ++i) {
        _mm256_storeu_ps(dst + i * ldd, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(dst + (i + 4) * ldd, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
      }
    } else if constexpr (kAvx) {
      __m256d r[4], t[4];
      for (int i = 0; i < 4; ++i) r[i] = _mm256_loadu_pd(src + i * ld);
      for (int i = 0; i < 4; i += 2) {
        t[i] = _mm256_unpacklo_pd(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_pd(r[i], r[i + 1]);
      }
      for (int i = 0; i < 2; ++i) {
        _mm256_storeu_pd(dst + i * ldd, _mm256_permute2f128_pd(t[i], t[i + 2], 0x20));
        _mm256_storeu_pd(dst + (i + 2) * ldd, _mm256_permute2f128_pd(t[i], t[i + 2], 0x31));
      }
    } else if constexpr (sizeof(T) == 4) {
      __m128 r0 = _mm_loadu_ps(src), r1 = _mm_loadu_ps(src + ld), r2 = _mm_loadu_ps(src + 2 * ld),
             r3 = _mm_loadu_ps(src + 3 * ld);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      _mm_storeu_ps(dst, r0);
      _mm_storeu_ps(dst + ldd, r1);
      _mm_storeu_ps(dst + 2 * ldd, r2);
      _mm_storeu_ps(dst + 3 * ldd, r3);
    } else {
      const __m128d r0 = _mm_loadu_pd(src), r1 = _mm_loadu_pd(src + ld);
      _mm_storeu_pd(dst, _mm_unpacklo_pd(r0, r1));
      _mm_storeu_pd(dst + ldd, _mm_unpackhi_pd(r0, r1));
    }
  }

  // out[u] = the sum of acc[u]'s lanes for u < TB, in a fixed order. With
  // AVX: each register folded to 256 bits, then a tree of horizontal adds
  // across the TB registers; with SSE2 through memory and one transpose.
  static void lane_sums(const V* acc, T* out) {
    if constexpr (kAvx && sizeof(T) == 4) {
      __m256 h[8];
      for (int u = 0; u < 8; ++u) {
        if constexpr (W == 16) {
          const __m512 r = acc[u];
          h[u] = _mm256_add_ps(_mm512_castps512_ps256(r), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(r), 1)));
        } else {
          h[u] = acc[u];
        }
      }
      const __m256 t0 = _mm256_hadd_ps(h[0], h[1]), t1 = _mm256_hadd_ps(h[2], h[3]), t2 = _mm256_hadd_ps(h[4], h[5]),
                   t3 = _mm256_hadd_ps(h[6], h[7]);
      const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
      _mm256_storeu_ps(out, _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31)));
    } else if constexpr (kAvx) {
      __m256d h[4];
      for (int u = 0; u < 4; ++u) {
        if constexpr (W == 8) {
          const __m512d r = acc[u];
          h[u] = _mm256_add_pd(_mm512_castpd512_pd256(r), _mm512_extractf64x4_pd(r, 1));
        } else {
          h[u] = acc[u];
        }
      }
      const __m256d t0 = _mm256_hadd_pd(h[0], h[1]), t1 = _mm256_hadd_pd(h[2], h[3]);
      _mm256_storeu_pd(out, _mm256_add_pd(_mm256_permute2f128_pd(t0, t1, 0x20), _mm256_permute2f128_pd(t0, t1, 0x31)));
    } else {
      alignas(64) T buf[TB * W], tr[TB * TB];
      for (int64_t u = 0; u < TB; ++u) acc[u].store_aligned(buf + u * W);
      transpose_tile(buf, W, tr, TB);  // tr[l * TB + u]: lane l of acc[u] (W == TB with SSE2)
      for (int64_t u = 0; u < TB; ++u) out[u] = tr[u];
      for (int64_t l = 1; l < TB; ++l)
        for (int64_t u = 0; u < TB; ++u) out[u] += tr[l * TB + u];
    }
  }

  // dst: panels of NR columns of B[k0 : k0 + kc, n0 : n0 + nc], each kc x NR
  // (row k holds NR values, zero past the last column).
  static void pack_b(const Operand<T>& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc, T* dst) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR) {
      const int64_t cols = min(NR, nc - j0);
      T* panel = dst + (j0 / NR) * kc * NR;
      const T* src = b.data + k0 * b.rs + (n0 + j0) * b.cs;
      if (b.cs == 1 && cols == NR) {  // rows contiguous: two registers per k
        for (int64_t k = 0; k < kc; ++k) {
          V::load_unaligned(src + k * b.rs).store_unaligned(panel + k * NR);
          V::load_unaligned(src + k * b.rs + W).store_unaligned(panel + k * NR + W);
        }
      } else if (b.rs == 1) {  // columns contiguous (a transposed weight): TB x TB blocks transposed in registers
        const int64_t cols_t = cols / TB * TB, kc_t = kc / TB * TB;
        for (int64_t j = 0; j < cols_t; j += TB) {
          for (int64_t k = 0; k < kc_t; k += TB) transpose_tile(src + j * b.cs + k, b.cs, panel + k * NR + j, NR);
          for (int64_t k = kc_t; k < kc; ++k)
            for (int64_t jj = j; jj < j + TB; ++jj) panel[k * NR + jj] = src[jj * b.cs + k];
        }
        for (int64_t j = cols_t; j < cols; ++j)
          for (int64_t k = 0; k < kc; ++k) panel[k * NR + j] = src[j * b.cs + k];
        for (int64_t k = 0; k < kc; ++k)
          for (int64_t j = cols; j < NR; ++j) panel[k * NR + j] = T(0);
      } else {
        for (int64_t k = 0; k < kc; ++k) {
          for (int64_t j = 0; j < cols; ++j) panel[k * NR + j] = src[k * b.rs + j * b.cs];
          for (int64_t j = cols; j < NR; ++j) panel[k * NR + j] = T(0);
        }
      }
    }
  }

  // dst: panels of MR rows of A[m0 : m0 + mc, k0 : k0 + kc], each kc x MR
  // (column k holds MR values; past the last row nothing is written, since a
  // short panel's tile reads only its rows).
  static void pack_a(const Operand<T>& a, int64_t m0, int64_t mc, int64_t k0, int64_t kc, T* dst) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
      const int64_t rows = min(MR, mc - i0);
      T* panel = dst + (i0 / MR) * kc * MR;
      const T* src = a.data + (m0 + i0) * a.rs + k0 * a.cs;
      if (a.rs == 1 && rows == MR) {  // columns contiguous (a transposed operand): MR values per k in a run
        for (int64_t k = 0; k < kc; ++k)
          for (int64_t i = 0; i < MR; ++i) panel[k * MR + i] = src[k * a.cs + i];
      } else {
        for (int64_t i = 0; i < rows; ++i) {
          const T* row = src + i * a.rs;
          for (int64_t k = 0; k < kc; ++k) panel[k * MR + i] = row[k * a.cs];
        }
      }
    }
  }

  // c[i, 0 : cols] = alpha * acc + beta * c[i, 0 : cols] for one row's two
  // registers; beta = 0 ignores c's values (NaN included).
  static void store(const V& lo, const V& hi, T* c, int64_t cols, T alpha, T beta) {
    const V va(alpha);
    if (cols == NR) {
      V l = lo * va, h = hi * va;
      if (beta != T(0)) {
        l = xsimd::fma(V(beta), V::load_unaligned(c), l);
        h = xsimd::fma(V(beta), V::load_unaligned(c + W), h);
      }
      l.store_unaligned(c);
      h.store_unaligned(c + W);
      return;
    }
    alignas(64) T buf[NR];
    (lo * va).store_aligned(buf);
    (hi * va).store_aligned(buf + W);
    for (int64_t j = 0; j < cols; ++j) c[j] = beta != T(0) ? beta * c[j] + buf[j] : buf[j];
  }

  // R rows of A times one packed B panel over kc: 2R accumulators, so a
  // short last panel costs what its rows need. A's element (i, k) is at
  // ap[i * ars + k * aks]: a packed panel (1, MR), or a's rows read where
  // they lie (lda, 1).
  template <int64_t R>
  static void tile(int64_t kc, const T* ap, int64_t ars, int64_t aks, const T* bp, T* c, int64_t ldc, int64_t cols,
                   T alpha, T beta) {
    V lo[R], hi[R];
    for (int64_t i = 0; i < R; ++i) lo[i] = hi[i] = V(T(0));
    // c's tile is read and written once the sums are done: fetched now, it
    // arrives while they run (a large c leaves the caches between k-blocks).
    for (int64_t i = 0; i < R; ++i) {
      for (int64_t j = 0; j < cols; j += 64 / int64_t(sizeof(T))) __builtin_prefetch(c + i * ldc + j, 0, 2);
      __builtin_prefetch(c + i * ldc + cols - 1, 0, 2);  // a row not aligned to a line ends in one more
    }
    for (int64_t k = 0; k < kc; ++k) {
      const V b0 = V::load_unaligned(bp + k * NR), b1 = V::load_unaligned(bp + k * NR + W);
      const T* ak = ap + k * aks;
      for (int64_t i = 0; i < R; ++i) {
        const V ai(ak[i * ars]);
        lo[i] = xsimd::fma(ai, b0, lo[i]);
        hi[i] = xsimd::fma(ai, b1, hi[i]);
      }
    }
    for (int64_t i = 0; i < R; ++i) store(lo[i], hi[i], c + i * ldc, cols, alpha, beta);
  }

  // One row alone (a batch of one sequence): four partial sums over k, since
  // two accumulators would wait on the FMA latency at every step.
  static void tile_row(int64_t kc, const T* ap, int64_t aks, const T* bp, T* c, int64_t cols, T alpha, T beta) {
    V lo[4], hi[4];
    for (int u = 0; u < 4; ++u) lo[u] = hi[u] = V(T(0));
    int64_t k = 0;
    for (; k + 4 <= kc; k += 4) {
      for (int64_t u = 0; u < 4; ++u) {
        const V ak(ap[(k + u) * aks]);
        lo[u] = xsimd::fma(ak, V::load_unaligned(bp + (k + u) * NR), lo[u]);
        hi[u] = xsimd::fma(ak, V::load_unaligned(bp + (k + u) * NR + W), hi[u]);
      }
    }
    for (; k < kc; ++k) {
      const V ak(ap[k * aks]);
      lo[0] = xsimd::fma(ak, V::load_unaligned(bp + k * NR), lo[0]);
      hi[0] = xsimd::fma(ak, V::load_unaligned(bp + k * NR + W), hi[0]);
    }
    store((lo[0] + lo[1]) + (lo[2] + lo[3]), (hi[0] + hi[1]) + (hi[2] + hi[3]), c, cols, alpha, beta);
  }

  template <int64_t... R>
  static void tile_of(std::integer_sequence<int64_t, R...>, int64_t rows, int64_t kc, const T* ap, int64_t ars,
                      int64_t aks, const T* bp, T* c, int64_t ldc, int64_t cols, T alpha, T beta) {
    // rows in [2, MR]: the tile<rows> instantiation
    ((rows == R + 2 ? (tile<R + 2>(kc, ap, ars, aks, bp, c, ldc, cols, alpha, beta), 0) : 0), ...);
  }

  static void tile_rows(int64_t rows, int64_t kc, const T* ap, int64_t ars, int64_t aks, const T* bp, T* c,
                        int64_t ldc, int64_t cols, T alpha, T beta) {
    if (rows == MR) return tile<MR>(kc, ap, ars, aks, bp, c, ldc, cols, alpha, beta);
    if (rows == 1) return tile_row(kc, ap, aks, bp, c, cols, alpha, beta);
    tile_of(std::make_integer_sequence<int64_t, MR - 2>(), rows, kc, ap, ars, aks, bp, c, ldc, cols, alpha, beta);
  }

  // Runs the packed B block (kc x nc, from pack_b) against rows [m0, m0 +
  // m) of A's k-block. A's rows are read where they lie when contiguous (a
  // recurrent step's h), else packed into `a_buf` first.
  static void block(const Operand<T>& a, const T* bpacked, int64_t m0, int64_t m, int64_t k0, int64_t kc, int64_t nc,
                    T* c, int64_t ldc, T alpha, T beta, T* a_buf) {
    const bool direct = a.cs == 1;
    for (int64_t ic = 0; ic < m; ic += MC) {
      const int64_t mc = min(MC, m - ic);
      if (!direct) pack_a(a, m0 + ic, mc, k0, kc, a_buf);
      for (int64_t jr = 0; jr < nc; jr += NR) {
        const T* bp = bpacked + (jr / NR) * kc * NR;
        const int64_t cols = min(NR, nc - jr);
        for (int64_t ir = 0; ir < mc; ir += MR) {
          const T* ap = direct ? a.data + (m0 + ic + ir) * a.rs + k0 : a_buf + (ir / MR) * kc * MR;
          tile_rows(min(MR, mc - ir), kc, ap, direct ? a.rs : 1, direct ? 1 : MR, bp, c + (ic + ir) * ldc + jr, ldc,
                    cols, alpha, beta);
        }
      }
    }
  }

  static int64_t min(int64_t x, int64_t y) { return x < y ? x : y; }

  // Scratch gemm needs for n columns: an mc x kc block of A and a kc x nc block of B.
  static int64_t scratch_size(int64_t n) { return MC * KC + KC * ((min(NC, n) + NR - 1) / NR * NR); }

  static T finish(T acc, const T* c, T alpha, T beta) { return beta != T(0) ? alpha * acc + beta * *c : alpha * acc; }

  // NV registers of columns of one row of c, c[j : j + NV * W] = a_row @
  // B[:, j : ...] with B's rows contiguous: P partial sums over k per
  // register (k mod P), so that at least 8 accumulators hide the FMA latency
  // however narrow the product; they are added in a fixed order.
  template <int64_t NV>
  static void row_chunk(const Problem<T>& p, const T* a, int64_t j, T* c) {
    constexpr int64_t P = (8 + NV - 1) / NV;
    V acc[P][NV];
    for (int64_t q = 0; q < P; ++q)
      for (int64_t v = 0; v < NV; ++v) acc[q][v] = V(T(0));
    int64_t k = 0;
    for (; k + P <= p.k; k += P)
      for (int64_t q = 0; q < P; ++q) {
        const V ak(a[(k + q) * p.a.cs]);
        const T* b = p.b.data + (k + q) * p.b.rs + j;
        for (int64_t v = 0; v < NV; ++v) acc[q][v] = xsimd::fma(ak, V::load_unaligned(b + v * W), acc[q][v]);
      }
    for (int64_t q = 0; k < p.k; ++k, ++q) {
      const V ak(a[k * p.a.cs]);
      const T* b = p.b.data + k * p.b.rs + j;
      for (int64_t v = 0; v < NV; ++v) acc[q][v] = xsimd::fma(ak, V::load_unaligned(b + v * W), acc[q][v]);
    }
    for (int64_t v = 0; v < NV; ++v) {
      V sum = acc[0][v];
      for (int64_t q = 1; q < P; ++q) sum += acc[q][v];
      V r = sum * V(p.alpha);
      if (p.beta != T(0)) r = xsimd::fma(V(p.beta), V::load_unaligned(c + v * W), r);
      r.store_unaligned(c + v * W);
    }
  }

  template <int64_t... NV>
  static void row_chunk_of(std::integer_sequence<int64_t, NV...>, int64_t nv, const Problem<T>& p, const T* a,
                           int64_t j, T* c) {
    ((nv == NV + 1 ? (row_chunk<NV + 1>(p, a, j, c), 0) : 0), ...);
  }

  // A few rows (a batch of one or two sequences): B read where it lies, since
  // packing it would cost as much as the product. Rows of B contiguous: each
  // row of c is a sum of rows of B, up to 8 registers of columns at a time;
  // columns of B contiguous (a transposed weight) and a's rows contiguous:
  // dot products, TB columns at a time. False when neither layout applies.
  static bool few_rows(const Problem<T>& p) {
    if (p.m > 4) return false;
    if (p.b.cs == 1) {
      constexpr int64_t U = 8;
      for (int64_t i = 0; i < p.m; ++i) {
        const T* a = p.a.data + i * p.a.rs;
        T* c = p.c + i * p.ldc;
        int64_t j = 0;
        while (j + W <= p.n) {
          const int64_t nv = min(U, (p.n - j) / W);
          row_chunk_of(std::make_integer_sequence<int64_t, U>(), nv, p, a, j, c + j);
          j += nv * W;
        }
        for (; j < p.n; ++j) {
          T acc = 0;
          for (int64_t k = 0; k < p.k; ++k) acc += a[k * p.a.cs] * p.b.data[k * p.b.rs + j];
          c[j] = finish(acc, c + j, p.alpha, p.beta);
        }
      }
      return true;
    }
    if (p.b.rs == 1 && p.a.cs == 1) {
      // U columns at a time, one accumulator each, their lanes summed
      // together through one TB x TB transpose; the last columns one by one.
      constexpr int64_t U = TB;
      const int64_t kv = p.k / W * W;
      for (int64_t i = 0; i < p.m; ++i) {
        const T* a = p.a.data + i * p.a.rs;
        T* c = p.c + i * p.ldc;
        int64_t j0 = 0;
        for (; j0 + U <= p.n; j0 += U) {
          V acc[U];
          for (int64_t u = 0; u < U; ++u) acc[u] = V(T(0));
          for (int64_t k = 0; k < kv; k += W) {
            const V ak = V::load_unaligned(a + k);
            for (int64_t u = 0; u < U; ++u)
              acc[u] = xsimd::fma(ak, V::load_unaligned(p.b.data + (j0 + u) * p.b.cs + k), acc[u]);
          }
          alignas(64) T sums[U];
          lane_sums(acc, sums);
          for (int64_t u = 0; u < U; ++u) {
            const T* bj = p.b.data + (j0 + u) * p.b.cs;
            T s = sums[u];
            for (int64_t k = kv; k < p.k; ++k) s += a[k] * bj[k];
            c[j0 + u] = finish(s, c + j0 + u, p.alpha, p.beta);
          }
        }
        for (; j0 < p.n; ++j0) {
          const T* bj = p.b.data + j0 * p.b.cs;
          V acc(T(0));
          for (int64_t k = 0; k < kv; k += W) acc = xsimd::fma(V::load_unaligned(a + k), V::load_unaligned(bj + k), acc);
          T s = lane_sum(acc);
          for (int64_t k = kv; k < p.k; ++k) s += a[k] * bj[k];
          c[j0] = finish(s, c + j0, p.alpha, p.beta);
        }
      }
      return true;
    }
    return false;
  }

  // c = alpha * a @ b + beta * c on this thread.
  static void gemm(const Problem<T>& p, T* scratch) {
    if (few_rows(p)) return;
    T* a_buf = scratch;
    T* b_buf = scratch + MC * KC;
    for (int64_t jc = 0; jc < p.n; jc += NC) {
      const int64_t nc = min(NC, p.n - jc);
      for (int64_t pc = 0; pc < p.k; pc += KC) {
        const int64_t kc = min(KC, p.k - pc);
        pack_b(p.b, pc, kc, jc, nc, b_buf);
        block(p.a, b_buf, 0, p.m, pc, kc, nc, p.c + jc, p.ldc, p.alpha, pc == 0 ? p.beta : T(1), a_buf);
      }
    }
  }

  // The whole of B packed once (PackedMatrix) into dst of packed_size(k, n):
  // every kc-block of every nc-block, in the order gemm_packed reads them.
  static int64_t packed_size(int64_t k, int64_t n) { return k * ((n + NR - 1) / NR * NR); }
  static void pack_all(const Operand<T>& b, int64_t k, int64_t n, T* dst) {
    for (int64_t jc = 0; jc < n; jc += NC) {
      const int64_t nc = min(NC, n - jc), ncp = (nc + NR - 1) / NR * NR;
      for (int64_t pc = 0; pc < k; pc += KCP) {
        const int64_t kc = min(KCP, k - pc);
        pack_b(b, pc, kc, jc, nc, dst);
        dst += kc * ncp;
      }
    }
  }

  // c = alpha * a @ B + beta * c for B from pack_all, over rows [m0, m0 + m)
  // and columns [j0, j1) (j0 a multiple of NR) of c; scratch of MC * KCP.
  static void gemm_packed(const Operand<T>& a, const T* packed, int64_t m0, int64_t m, int64_t j0, int64_t j1,
                          int64_t k, int64_t n, T* c, int64_t ldc, T alpha, T beta, T* scratch) {
    const T* src = packed;
    for (int64_t jc = 0; jc < n; jc += NC) {
      const int64_t nc = min(NC, n - jc), ncp = (nc + NR - 1) / NR * NR;
      const int64_t lo = jc > j0 ? jc : j0, hi = min(jc + nc, j1);
      for (int64_t pc = 0; pc < k; pc += KCP) {
        const int64_t kc = min(KCP, k - pc);
        if (lo < hi)
          block(a, src + (lo - jc) / NR * kc * NR, m0, m, pc, kc, hi - lo, c + m0 * ldc + lo, ldc, alpha,
                pc == 0 ? beta : T(1), scratch);
        src += kc * ncp;
      }
    }
  }
};

template <class Arch, typename T>
TypedKernels<T> typed_kernels() {
  using K = Kernel<Arch, T>;
  return {&K::gemm,  &K::scratch_size, &K::pack_all, &K::packed_size, &K::gemm_packed, K::MC * K::KCP, K::NR,
          &K::pack_b, &K::block, K::KC,        K::NC,          K::MC * K::KC};
}

// The table gemm.cpp dispatches through, for one instruction set.
template <class Arch>
KernelSet make_kernel_set(const char* name) {
  return {{name, typed_kernels<Arch, float>(), typed_kernels<Arch, double>()}};
}

}  // namespace
}  // namespace spool::kernels::gemm_impl
