// OpenBLAS calls on strided 2-D tensors. Operands that are transposed views
// go to BLAS with the transpose flag instead of being copied; large products
// are split into fixed row (or column) blocks that TBB runs, with BLAS itself
// single-threaded (README "Design" 4).
#include "blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <initializer_list>
#include <functional>
#include <mutex>
#include <string>
#include <vector>
#include <cstdlib>

#include "gemm.hpp"
#include "kernels.hpp"
#include "threading.hpp"

extern "C" int openblas_get_parallel();  // 0 serial, 1 pthreads, 2 OpenMP
extern "C" char* openblas_get_corename();

namespace spool::kernels {

namespace {

// A matrix as BLAS sees it: pointer, transpose flag and leading dimension.
struct BlasOperand {
  Tensor keep;  // owns a contiguous copy when one was needed
  const void* data = nullptr;
  bool trans = false;
  int64_t ld = 0;
};

// The layout BLAS reads a [rows, cols] matrix with strides (s0, s1) in
// without a copy: rows contiguous (trans = false) or columns contiguous
// (trans = true, a transposed view). False when neither.
bool blas_layout(int64_t rows, int64_t cols, int64_t s0, int64_t s1, bool& trans, int64_t& ld) {
  if ((s1 == 1 || cols == 1) && s0 >= std::max<int64_t>(cols, 1)) {
    trans = false;
    ld = std::max<int64_t>(s0, 1);
    return true;
  }
  if ((s0 == 1 || rows == 1) && s1 >= std::max<int64_t>(rows, 1)) {
    trans = true;
    ld = std::max<int64_t>(s1, 1);
    return true;
  }
  return false;
}

// A 2-D (view of a) tensor as BLAS sees it, copied when its strides need it.
BlasOperand blas_operand(const Tensor& t) {
  BlasOperand op;
  if (blas_layout(t.size(0), t.size(1), t.strides()[0], t.strides()[1], op.trans, op.ld)) {
    op.keep = t;
    op.data = t.raw_data();
    return op;
  }
  Tensor c = kernels::contiguous_copy(t);
  return {c, c.raw_data(), false, std::max<int64_t>(t.size(1), 1)};
}

// Which kernels run the products: OpenBLAS's where the core type it picked
// uses the processor's widest vectors (it is then as fast as spool's or
// faster: AMD EPYC with Cooperlake kernels), spool's own (gemm.hpp)
// otherwise: OpenBLAS 0.3.21 picks its SSE3 "Prescott" kernels on processors
// its table does not know (Intel Sapphire / Emerald Rapids), 4-8x slower.
// SPOOL_GEMM=openblas or =spool decides instead; SPOOL_ISA (forcing one of
// spool's sets) implies spool.
bool openblas_core_is_fast(const std::string& core, const std::string& own) {
  auto any_of = [&](std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return core == n; });
  };
  if (own == "avx512") return any_of({"SkylakeX", "Cooperlake", "SapphireRapids"});
  if (own == "avx2") return any_of({"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"});
  return true;  // SSE2 only: OpenBLAS's kernels are no worse than spool's
}

bool decide_own_kernels() {
  const char* choice = std::getenv("SPOOL_GEMM");
  if (choice != nullptr && std::string(choice) == "openblas") return false;
  if (choice != nullptr && std::string(choice) == "spool") return true;
  SPOOL_CHECK(choice == nullptr || *choice == '\0', "gemm", "SPOOL_GEMM must be \"spool\" or \"openblas\", got \"{}\"",
              choice);
  const char* forced = std::getenv("SPOOL_ISA");
  if (forced != nullptr && *forced != '\0') return true;
  return !openblas_core_is_fast(openblas_get_corename(), gemm_kernels().name);
}

// A serial OpenBLAS built without USE_LOCKING (Debian's) shares its packing
// buffers between calling threads: concurrent calls return wrong products.
// spool links the pthread build (CMakeLists.txt); any serial one it finds at
// run time is called under this lock instead.
std::mutex serial_blas_mutex;

template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
          T* c, int64_t ldc, T alpha) {
  if (use_own_kernels()) {
    // a [m, k] stored as given (ta: its transpose [k, m] with leading dimension lda); b likewise.
    const Operand<T> A{a, ta ? 1 : lda, ta ? lda : 1}, B{b, tb ? 1 : ldb, tb ? ldb : 1};
    const TypedKernels<T>& kern = gemm_kernels().of<T>();
    kern.gemm({m, n, k, A, B, c, ldc, alpha, beta}, thread_scratch<T>(kern.scratch_size(n)));
    return;
  }
  static const bool serial = !blas_is_threaded();
  std::unique_lock<std::mutex> lock(serial_blas_mutex, std::defer_lock);
  if (serial) lock.lock();
  const auto TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, TA, TB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, TA, TB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

// The own kernels on a product large enough to split into fixed blocks that
// TBB runs: a short, wide c by columns; otherwise by rows, with each block
// of B packed once and shared (each row block packing all of B again cost
// a 2048^3 product 15%). Each element's sum
// over k keeps its order, so results do not depend on the thread count.
// body(begin, end) over [0, extent) in fixed blocks of `grain`: on TBB, or
// one after another on this thread while other branches keep the cores busy.
void run_blocks(bool in_line, int64_t extent, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (in_line) {
    for (int64_t i = 0; i < extent; i += grain) body(i, std::min(extent, i + grain));
  } else {
    parallel_for(extent, grain, body);
  }
}

template <typename T>
void own_split_gemm(const Operand<T>& A, const Operand<T>& B, int64_t m, int64_t n, int64_t k, T* c, int64_t ldc,
                    T alpha, T beta, int64_t parts, bool in_line) {
  const TypedKernels<T>& kern = gemm_kernels().of<T>();
  const int64_t nr = kern.nr, ncb = kern.nc_block, kcb = kern.kc_block;
  auto run = [&](int64_t extent, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
    run_blocks(in_line, extent, grain, body);
  };
  if (m < 4 * nr && m < n) {
    // A short, wide c: column blocks, each a whole product of its own (it
    // packs only its columns of B; a is small): one parallel region.
    const int64_t panels = (n + nr - 1) / nr;
    run(panels, std::max<int64_t>(1, (panels + parts - 1) / parts), [&](int64_t p0, int64_t p1) {
      const int64_t j0 = p0 * nr, j1 = std::min(n, p1 * nr);
      const Operand<T> Bj{B.data + j0 * B.cs, B.rs, B.cs};
      kern.gemm({m, j1 - j0, k, A, Bj, c + j0, ldc, alpha, beta}, thread_scratch<T>(kern.scratch_size(j1 - j0)));
    });
    return;
  }
  T* bbuf = thread_scratch<T, 1>(kcb * ((std::min(ncb, n) + nr - 1) / nr * nr));
  for (int64_t jc = 0; jc < n; jc += ncb) {
    const int64_t nc = std::min(ncb, n - jc), panels = (nc + nr - 1) / nr;
    for (int64_t pc = 0; pc < k; pc += kcb) {
      const int64_t kc = std::min(kcb, k - pc);
      const T beta_k = pc == 0 ? beta : T(1);
      // Pack this block of B once, its panels split across the threads.
      run(panels, std::max<int64_t>(1, (panels + parts - 1) / parts), [&](int64_t p0, int64_t p1) {
        const int64_t j0 = p0 * nr, j1 = std::min(nc, p1 * nr);
        kern.pack_b(B, pc, kc, jc + j0, j1 - j0, bbuf + p0 * kc * nr);
      });
      // Rows of c in fixed blocks, all reading the shared block of B.
      const int64_t grain = std::max<int64_t>(16, (m + parts - 1) / parts / 16 * 16);
      run(m, grain, [&](int64_t r0, int64_t r1) {
        kern.block(A, bbuf, r0, r1 - r0, pc, kc, nc, c + r0 * ldc + jc, ldc, alpha, beta_k,
                   thread_scratch<T>(kern.a_scratch));
      });
    }
  }
}

// c[m, n] = alpha * a[m, k] @ b[k, n] + beta * c; split into fixed blocks
// when large. The blocks depend only on the shape, so results do not depend
// on the thread count.
template <typename T>
void blocked_gemm(const BlasOperand& A, const BlasOperand& B, int64_t m, int64_t n, int64_t k, T* c, int64_t ldc,
                  T alpha, T beta) {
  init_blas_once();
  const T* a = static_cast<const T*>(A.data);
  const T* b = static_cast<const T*>(B.data);
  const int64_t work = m * n * k, parts = product_blocks(work);
  if (parts == 1 || (m < 128 && n < 128)) {
    gemm<T>(A.trans, B.trans, m, n, k, a, A.ld, b, B.ld, beta, c, ldc, alpha);
    return;
  }
  // The blocks are always the same for a shape (so are the results); while
  // other branches keep the cores busy, they run one after another on this
  // thread, except in products big enough to balance the load (a weight
  // gradient over all steps running beside another one).
  constexpr int64_t kBranchWork = int64_t(1) << 26;
  const bool in_line = active_branches() > 1 && work < kBranchWork;
  if (use_own_kernels()) {
    const Operand<T> OA{a, A.trans ? 1 : A.ld, A.trans ? A.ld : 1}, OB{b, B.trans ? 1 : B.ld, B.trans ? B.ld : 1};
    own_split_gemm<T>(OA, OB, m, n, k, c, ldc, alpha, beta, parts, in_line);
    return;
  }
  auto for_blocks = [&](int64_t extent, int64_t block, const std::function<void(int64_t, int64_t)>& body) {
    run_blocks(in_line, extent, block, body);
  };
  if (m >= n) {
    const int64_t block = std::max<int64_t>(64, (m + parts - 1) / parts / 16 * 16);
    for_blocks(m, block, [&](int64_t r0, int64_t r1) {
      const T* ar = A.trans ? a + r0 : a + r0 * A.ld;
      gemm<T>(A.trans, B.trans, r1 - r0, n, k, ar, A.ld, b, B.ld, beta, c + r0 * ldc, ldc, alpha);
    });
  } else {
    const int64_t block = std::max<int64_t>(64, (n + parts - 1) / parts / 16 * 16);
    for_blocks(n, block, [&](int64_t c0, int64_t c1) {
      const T* bc = B.trans ? b + c0 * B.ld : b + c0;
      gemm<T>(A.trans, B.trans, m, c1 - c0, k, a, A.ld, bc, B.ld, beta, c + c0, ldc, alpha);
    });
  }
}

}  // namespace

void gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  SPOOL_CHECK(a.dim() == 2 && b.dim() == 2 && out.dim() == 2 && out.is_contiguous(), "gemm",
              "needs 2-D operands and a contiguous 2-D result, got {}, {} -> {}", a.sizes(), b.sizes(), out.sizes());
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  SPOOL_CHECK(b.size(0) == k && out.size(0) == m && out.size(1) == n, "gemm", "shapes {} @ {} -> {} do not match",
              a.sizes(), b.sizes(), out.sizes());
  SPOOL_CHECK(a.dtype() == b.dtype() && a.dtype() == out.dtype(), "gemm", "dtypes differ");
  if (m == 0 || n == 0) return;
  if (k == 0) return scale_result(out, beta);
  SPOOL_DISPATCH_FLOAT(a.dtype(), "gemm", [&] {
    blocked_gemm<scalar_t>(blas_operand(a), blas_operand(b), m, n, k, out.data_ptr<scalar_t>(), n,
                           static_cast<scalar_t>(alpha), static_cast<scalar_t>(beta));
  });
}

void batched_gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  SPOOL_CHECK(a.dim() == 3 && b.dim() == 3 && out.dim() == 3, "gemm", "needs 3-D operands and result, got {}, {} -> {}",
              a.sizes(), b.sizes(), out.sizes());
  const int64_t batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
  SPOOL_CHECK(b.size(0) == batch && out.size(0) == batch && b.size(1) == k && out.size(1) == m && out.size(2) == n,
              "gemm", "shapes {} @ {} -> {} do not match", a.sizes(), b.sizes(), out.sizes());
  SPOOL_CHECK(a.dtype() == b.dtype() && a.dtype() == out.dtype(), "gemm", "dtypes differ");
  if (batch == 0 || m == 0 || n == 0) return;
  SPOOL_CHECK(out.is_contiguous(), "gemm", "needs a contiguous result, got strides {}", out.strides());
  if (k == 0) return scale_result(out, beta);
  // Every matrix of an operand has the layout of its first, at a fixed
  // distance from it: one layout decision, no per-matrix views. An operand
  // BLAS cannot read as it is gets one contiguous copy.
  auto operand = [](const Tensor& t, BlasOperand& op, int64_t& step) {
    Tensor src = t;
    if (!blas_layout(t.size(1), t.size(2), t.strides()[1], t.strides()[2], op.trans, op.ld)) {
      src = contiguous_copy(t);
      op.trans = false;
      op.ld = std::max<int64_t>(t.size(2), 1);
    }
    op.keep = src;
    op.data = src.raw_data();
    step = src.strides()[0];
  };
  BlasOperand A, B;
  int64_t a_step = 0, b_step = 0;
  operand(a, A, a_step);
  operand(b, B, b_step);
  SPOOL_DISPATCH_FLOAT(a.dtype(), "gemm", [&] {
    auto run = [&](int64_t e0, int64_t e1) {
      for (int64_t e = e0; e < e1; ++e) {
        const BlasOperand Ae{Tensor(), static_cast<const scalar_t*>(A.data) + e * a_step, A.trans, A.ld};
        const BlasOperand Be{Tensor(), static_cast<const scalar_t*>(B.data) + e * b_step, B.trans, B.ld};
        blocked_gemm<scalar_t>(Ae, Be, m, n, k, out.data_ptr<scalar_t>() + e * m * n, n,
                               static_cast<scalar_t>(alpha), static_cast<scalar_t>(beta));
      }
    };
    // Matrices are independent, so splitting them does not change results;
    // a recurrent step's tiny batch of two stays on this thread.
    constexpr int64_t kSplitWork = int64_t(1) << 18;
    if (batch > 1 && batch * m * n * k >= kSplitWork && active_branches() <= 1) {
      parallel_for(batch, 1, run);
    } else {
      run(0, batch);
    }
  });
}

int64_t product_blocks(int64_t work) {
  if (work < (int64_t(1) << 21)) return 1;
  return work < (int64_t(1) << 24) ? 4 : 8;
}

bool blas_is_threaded() { return openblas_get_parallel() != 0; }

bool use_own_kernels() {
  static const bool own = decide_own_kernels();
  return own;
}

std::string product_kernels() {
  return use_own_kernels() ? std::string("spool ") + gemm_kernels().name
                           : std::string("openblas ") + openblas_get_corename();
}

}  // namespace spool::kernels
