// Fused pointwise expressions (see pointwise.hpp). An expression compiles to
// a short list of instructions in evaluation order; a call runs them over
// blocks of up to kBlock elements of one output row, each instruction one
// vectorizable loop. Backward recomputes a block's values from the saved
// inputs (a small call keeps them instead), then walks the instructions in
// reverse, accumulating each value's adjoint from the local derivative of its
// consumers.
#include "pointwise.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

#include "../framework/core/autograd.hpp"
#include "../framework/core/dtype.hpp"
#include "../framework/core/error.hpp"
#include "../framework/core/kernels.hpp"
#include "../framework/core/threading.hpp"
#include "../framework/core/vector_math.hpp"
#include "linear_parts.hpp"

namespace spool {

namespace detail {

enum class PwOp : uint8_t { Input, Const, Add, Sub, Mul, Div, Neg, Sigmoid, Tanh, Relu, Exp, Log };

struct PwInstr {
  PwOp op = PwOp::Const;
  int a = -1, b = -1;  // operand instructions
  int input = -1;      // Input: which input
  int64_t piece = 0;   // Input: which piece along the last dim
  double value = 0;    // Const
  // Set by finish(): whether a result depends on this value, and whether the
  // backward sweep's contribution to a (b) is the first, which then assigns
  // the adjoint instead of adding to a zeroed one.
  bool live = false, assign_a = false, assign_b = false;
};

struct PointwiseProgram {
  const char* name = "";  // interned: nodes keep the pointer beyond the program
  int arity = 0;
  std::vector<PwInstr> code;
  std::vector<int64_t> pieces;  // per input: pieces along the last dim (0: never read)
  std::vector<int> roots;       // the results' instructions
  int last_root = -1;           // the latest of them: where the backward sweep starts

  int push(const PwInstr& in) {
    code.push_back(in);
    return static_cast<int>(code.size()) - 1;
  }
  // The one instruction reading piece j of n of input k.
  int read(int k, int64_t j, int64_t n) {
    SPOOL_CHECK(pieces[k] == 0 || pieces[k] == n, name,
                "input {} is read both in {} and in {} pieces; split each input one way", k, pieces[k], n);
    pieces[k] = n;
    for (size_t i = 0; i < code.size(); ++i)
      if (code[i].op == PwOp::Input && code[i].input == k && code[i].piece == j) return static_cast<int>(i);
    PwInstr in;
    in.op = PwOp::Input;
    in.input = k;
    in.piece = j;
    return push(in);
  }
  // Marks live values and first adjoint writes once the results are known.
  void finish(std::vector<int> results) {
    roots = std::move(results);
    std::vector<bool> written(code.size(), false);
    for (int r : roots) {
      code[r].live = true;
      written[r] = true;  // from the incoming gradient
      last_root = std::max(last_root, r);
    }
    for (int i = last_root; i >= 0; --i) {
      PwInstr& in = code[i];
      if (!in.live) continue;
      if (in.a >= 0) {
        in.assign_a = !written[in.a];
        written[in.a] = code[in.a].live = true;
      }
      if (in.b >= 0) {
        in.assign_b = !written[in.b];
        written[in.b] = code[in.b].live = true;
      }
    }
  }
  int resolve(const Expr& e) {
    SPOOL_CHECK(e.program() == this, name, "an expression mixes values of two Pointwise definitions");
    return e.id() < 0 ? read(-e.id() - 1, 0, 1) : e.id();
  }
};

}  // namespace detail

using detail::PointwiseProgram;
using detail::PwInstr;
using detail::PwOp;

namespace {

const char* intern(const std::string& s) {
  static std::mutex mu;
  static std::set<std::string> names;
  std::lock_guard<std::mutex> lock(mu);
  return names.insert(s).first->c_str();
}

Expr unary(PwOp op, const Expr& a) {
  PointwiseProgram* p = a.program();
  PwInstr in;
  in.op = op;
  in.a = p->resolve(a);
  return Expr(p, p->push(in));
}

Expr binary(PwOp op, const Expr& a, const Expr& b) {
  PointwiseProgram* p = a.program();
  PwInstr in;
  in.op = op;
  in.a = p->resolve(a);
  in.b = p->resolve(b);
  return Expr(p, p->push(in));
}

Expr constant(PointwiseProgram* p, double v) {
  PwInstr in;
  in.op = PwOp::Const;
  in.value = v;
  return Expr(p, p->push(in));
}

}  // namespace

Expr Expr::chunk(int64_t j, int64_t n) const {
  SPOOL_CHECK(id_ < 0, program_->name, "chunk() reads a piece of an input; it does not apply to computed values");
  SPOOL_CHECK(n >= 1 && j >= 0 && j < n, program_->name, "chunk({}, {}) needs 0 <= j < n", j, n);
  return Expr(program_, program_->read(-id_ - 1, j, n));
}

Expr operator+(const Expr& a, const Expr& b) { return binary(PwOp::Add, a, b); }
Expr operator-(const Expr& a, const Expr& b) { return binary(PwOp::Sub, a, b); }
Expr operator*(const Expr& a, const Expr& b) { return binary(PwOp::Mul, a, b); }
Expr operator/(const Expr& a, const Expr& b) { return binary(PwOp::Div, a, b); }
Expr operator+(const Expr& a, double b) { return a + constant(a.program(), b); }
Expr operator-(const Expr& a, double b) { return a - constant(a.program(), b); }
Expr operator*(const Expr& a, double b) { return a * constant(a.program(), b); }
Expr operator/(const Expr& a, double b) { return a / constant(a.program(), b); }
Expr operator+(double a, const Expr& b) { return constant(b.program(), a) + b; }
Expr operator-(double a, const Expr& b) { return constant(b.program(), a) - b; }
Expr operator*(double a, const Expr& b) { return constant(b.program(), a) * b; }
Expr operator/(double a, const Expr& b) { return constant(b.program(), a) / b; }
Expr operator-(const Expr& a) { return unary(PwOp::Neg, a); }
Expr sigmoid(const Expr& a) { return unary(PwOp::Sigmoid, a); }
Expr tanh(const Expr& a) { return unary(PwOp::Tanh, a); }
Expr relu(const Expr& a) { return unary(PwOp::Relu, a); }
Expr exp(const Expr& a) { return unary(PwOp::Exp, a); }
Expr log(const Expr& a) { return unary(PwOp::Log, a); }

Pointwise::Pointwise(std::string name, int arity, const Body& body)
    : Pointwise(std::move(name), arity, MultiBody(body ? [body](const std::vector<Expr>& in) {
      return std::vector<Expr>{body(in)};
    } : MultiBody())) {}

Pointwise::Pointwise(std::string name, int arity, const MultiBody& body) {
  SPOOL_CHECK(arity >= 1, "Pointwise", "{} needs at least one input, got arity {}", name, arity);
  SPOOL_CHECK(static_cast<bool>(body), "Pointwise", "{} has no expression", name);
  auto p = std::make_shared<PointwiseProgram>();
  p->name = intern(name);
  p->arity = arity;
  p->pieces.assign(arity, 0);
  std::vector<Expr> inputs;
  for (int k = 0; k < arity; ++k) inputs.emplace_back(p.get(), -(k + 1));
  const std::vector<Expr> results = body(inputs);
  SPOOL_CHECK(!results.empty(), "Pointwise", "{} returns no results", name);
  std::vector<int> roots;
  for (const Expr& e : results) roots.push_back(p->resolve(e));
  for (size_t k = 0; k < roots.size(); ++k)
    for (size_t j = 0; j < k; ++j)
      SPOOL_CHECK(roots[j] != roots[k], "Pointwise", "{}: results {} and {} are the same value; return it once", name,
                  j, k);
  p->finish(std::move(roots));
  program_ = std::move(p);
}

const char* Pointwise::name() const { return program_->name; }
int Pointwise::arity() const { return program_->arity; }
int Pointwise::results() const { return static_cast<int>(program_->roots.size()); }

namespace {

// Per-call lists come from the small-object pool: a recurrent step makes a
// few of them per op, and malloc showed in its profile.
template <typename T>
using PoolVector = std::vector<T, detail::PooledAllocator<T>>;
using TensorList = PoolVector<Tensor>;

constexpr int64_t kBlock = 256;            // elements per instruction loop
// A call whose values (every instruction over every block) fit in this many
// elements keeps them for its backward instead of recomputing them: a
// batch-1 recurrent step's cell, where recomputing its sigmoids and tanhs
// was half of the cell's cost.
constexpr int64_t kSavedValues = 16384;
// Work, in block-instructions, from which a call is split across threads
// (~130K element operations): a GRU step at batch 32 and width 256 (about
// 3.5% faster split), not that step's smaller LSTM cells (slower split).
constexpr int64_t kParallelWork = 512;

// body(u0, u1) over the blocks, split across threads when there is enough
// work (called directly otherwise: a recurrent step's few blocks skip the
// wrapper). Blocks are independent, so the split does not change results.
template <typename F>
void for_units(int64_t units, int64_t instructions, const F& body) {
  if (units < 2 || units * instructions < kParallelWork) {
    body(0, units);
  } else {
    parallel_for(units, std::max<int64_t>(1, kParallelWork / 2 / instructions), body);
  }
}

// Where input k of one call lives, in output coordinates.
struct Operand {
  Shape strides;           // over the output dims (0: broadcast)
  int64_t piece_step = 0;  // elements between consecutive pieces
};

// The iteration space of one call: rows of `cols` elements, cut into blocks.
struct Layout {
  Shape sizes;                 // output shape
  int64_t cols = 1, rows = 1;  // last dim, product of the others
  int64_t blocks_per_row = 1;
  PoolVector<Operand> operands;

  int64_t units() const { return rows * blocks_per_row; }
  // Element offset of input k at the start of `row`.
  int64_t row_offset(size_t k, int64_t row) const {
    const Shape& st = operands[k].strides;
    int64_t off = 0;
    for (int d = sizes.size() - 2; d >= 0; --d) {
      off += row % sizes[d] * st[d];
      row /= sizes[d];
    }
    return off;
  }
  int64_t col_stride(size_t k) const { return sizes.empty() ? 0 : operands[k].strides[sizes.size() - 1]; }
};

Layout plan(const PointwiseProgram& p, const TensorList& inputs) {
  const char* name = p.name;
  SPOOL_CHECK(static_cast<int>(inputs.size()) == p.arity, name, "expects {} inputs, got {}", p.arity, inputs.size());
  Layout l;
  // The shape input k contributes: its own, or one piece of it.
  auto piece_shape = [&](size_t k) {
    Shape s = inputs[k].sizes();
    if (p.pieces[k] > 1) s[s.size() - 1] /= p.pieces[k];
    return s;
  };
  bool first = true;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& t = inputs[k];
    SPOOL_CHECK(t.defined(), name, "input {} is an undefined tensor", k);
    SPOOL_CHECK(t.is_floating_point(), name, "input {} must be floating, got {}", k, dtype_name(t.dtype()));
    SPOOL_CHECK(t.dtype() == inputs[0].dtype(), name, "input {} is {} but input 0 is {}", k, dtype_name(t.dtype()),
                dtype_name(inputs[0].dtype()));
    const int64_t n = p.pieces[k];
    if (n == 0) continue;
    if (n > 1)
      SPOOL_CHECK(t.dim() >= 1 && t.size(-1) % n == 0, name,
                  "input {} of shape {} cannot be read in {} pieces along its last dim", k, t.sizes(), n);
    const Shape s = piece_shape(k);
    l.sizes = first ? s : broadcast_shapes(l.sizes, s, name);
    first = false;
  }
  const int nd = l.sizes.size();
  l.cols = nd == 0 ? 1 : l.sizes[nd - 1];
  l.rows = l.cols == 0 ? 0 : l.sizes.numel() / l.cols;
  l.blocks_per_row = std::max<int64_t>(1, (l.cols + kBlock - 1) / kBlock);
  l.operands.resize(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    const int64_t n = p.pieces[k];
    if (n == 0) continue;
    const Tensor& t = inputs[k];
    Operand& op = l.operands[k];
    if (n > 1) {
      SPOOL_CHECK(piece_shape(k) == l.sizes, name,
                  "input {} is read in {} pieces of shape {}, which must equal the result shape {} (no broadcasting)",
                  k, n, piece_shape(k), l.sizes);
      op.strides = t.strides();
      op.piece_step = l.cols * t.strides()[nd - 1];
    } else {
      op.strides = kernels::broadcast_strides(t, l.sizes);
    }
  }
  return l;
}

// Elements between the values of two instructions of one block, when the
// values are kept for backward: a block's length, in whole cache lines.
int64_t value_stride(const Layout& l) { return (std::min(kBlock, l.cols) + 15) / 16 * 16; }

// The elementwise kernel of an instruction other than Input and Const.
kernels::VecOp vec_op(PwOp op) {
  switch (op) {
    case PwOp::Add: return kernels::VecOp::Add;
    case PwOp::Sub: return kernels::VecOp::Sub;
    case PwOp::Mul: return kernels::VecOp::Mul;
    case PwOp::Div: return kernels::VecOp::Div;
    case PwOp::Neg: return kernels::VecOp::Neg;
    case PwOp::Sigmoid: return kernels::VecOp::Sigmoid;
    case PwOp::Tanh: return kernels::VecOp::Tanh;
    case PwOp::Relu: return kernels::VecOp::Relu;
    case PwOp::Exp: return kernels::VecOp::Exp;
    case PwOp::Log: return kernels::VecOp::Log;
    case PwOp::Input:
    case PwOp::Const: break;
  }
  throw Error("Pointwise: an input or constant has no elementwise kernel");
}

// Runs the program over blocks; value i of the block sits at v + i * stride.
template <typename T>
class Evaluator {
 public:
  Evaluator(const PointwiseProgram& p, const Layout& l, const TensorList& inputs, int64_t stride = kBlock)
      : p_(p), l_(l), inputs_(inputs), stride_(stride), vk_(kernels::vector_kernels().of<T>()) {}

  // Evaluates every live instruction over block `unit`: val[i] points at
  // value i (into the input itself when its elements are adjacent, else into
  // v + i * stride). Returns the block's length; row and col give its start.
  int64_t forward(int64_t unit, T* v, const T** val, int64_t& row, int64_t& col) const {
    return run(unit, v, val, row, col, true);
  }
  // Points val at the values forward() left in v, without recomputing them.
  int64_t locate(int64_t unit, const T* v, const T** val, int64_t& row, int64_t& col) const {
    return run(unit, const_cast<T*>(v), val, row, col, false);
  }

  // Adjoints of a forward-evaluated block: adj[i] receives d out / d value i
  // times the incoming gradient (each result's adjoint starts as its own
  // incoming gradient). Only live values get one; each other value is
  // assigned by its first contribution, then added to.
  void backward(const T* const* val, T* const* adj, int64_t n) const {
    for (int i = p_.last_root; i >= 0; --i) {
      const PwInstr& in = p_.code[i];
      if (!in.live) continue;
      const T* gi = adj[i];
      const T* y = val[i];
      const T* a = in.a >= 0 ? val[in.a] : nullptr;
      const T* b = in.b >= 0 ? val[in.b] : nullptr;
      if (in.op == PwOp::Input || in.op == PwOp::Const) continue;
      const kernels::VecOp op = vec_op(in.op);
      vk_.adjoint(op, 0, in.assign_a, gi, a, b, y, adj[in.a], n);
      if (in.b >= 0) vk_.adjoint(op, 1, in.assign_b, gi, a, b, y, adj[in.b], n);
    }
  }

 private:
  int64_t run(int64_t unit, T* v, const T** val, int64_t& row, int64_t& col, bool compute) const {
    row = unit / l_.blocks_per_row;
    col = unit % l_.blocks_per_row * kBlock;
    const int64_t n = std::min(kBlock, l_.cols - col);
    for (size_t i = 0; i < p_.code.size(); ++i) {
      const PwInstr& in = p_.code[i];
      if (!in.live) continue;  // the result does not depend on it
      T* r = v + i * stride_;
      val[i] = r;
      if (!compute && in.op != PwOp::Input) continue;
      const T* a = in.a >= 0 ? val[in.a] : nullptr;
      const T* b = in.b >= 0 ? val[in.b] : nullptr;
      switch (in.op) {
        case PwOp::Input: {
          const size_t k = in.input;
          const int64_t cs = l_.col_stride(k);
          const T* src = inputs_[k].data_ptr<T>() + l_.row_offset(k, row) + in.piece * l_.operands[k].piece_step + col * cs;
          if (cs == 1) {
            val[i] = src;
          } else if (compute) {
            for (int64_t j = 0; j < n; ++j) r[j] = src[j * cs];
          }
          break;
        }
        case PwOp::Const: std::fill(r, r + n, static_cast<T>(in.value)); break;
        default: vk_.apply(vec_op(in.op), a, b != nullptr ? b : a, r, n); break;
      }
    }
    return n;
  }

  const PointwiseProgram& p_;
  const Layout& l_;
  const TensorList& inputs_;
  int64_t stride_;
  const kernels::TypedVectorKernels<T>& vk_;
};

// Per-thread block buffers (values, adjoints), reused across calls.
template <typename T>
T* scratch(size_t instructions, int which) {
  thread_local std::vector<T> buffers[2];
  std::vector<T>& b = buffers[which];
  if (b.size() < instructions * kBlock) b.resize(instructions * kBlock);
  return b.data();
}

// Per-thread arrays of one pointer per instruction (values, adjoints).
template <typename P>
P* pointers(size_t instructions) {
  thread_local std::vector<P> v;
  if (v.size() < instructions) v.resize(instructions);
  return v.data();
}

// The call's result: one value per element, or several results stacked
// along a new first dim.
Shape result_shape(const PointwiseProgram& p, const Layout& l) {
  if (p.roots.size() == 1) return l.sizes;
  Shape s{static_cast<int64_t>(p.roots.size())};
  for (int d = 0; d < l.sizes.size(); ++d) s.push_back(l.sizes[d]);
  return s;
}

// The values a call keeps for its backward: every instruction's, per block
// (undefined when they would take more than kSavedValues elements).
Tensor saved_values(const PointwiseProgram& p, const Layout& l, ScalarType dtype) {
  const int64_t count = l.units() * static_cast<int64_t>(p.code.size()) * value_stride(l);
  return count > 0 && count <= kSavedValues ? Tensor::empty({count}, dtype) : Tensor();
}

// Evaluates the call into a new result; `saved`, when defined, receives
// every value (per block, at value_stride) instead of per-thread scratch.
template <typename T>
Tensor run_forward(const PointwiseProgram& p, const Layout& l, const TensorList& inputs, const Tensor& saved) {
  Tensor out = Tensor::empty(result_shape(p, l), inputs[0].dtype());
  T* o = out.data_ptr<T>();
  const int64_t numel = l.sizes.numel();
  const int64_t m = static_cast<int64_t>(p.code.size());
  const int64_t stride = saved.defined() ? value_stride(l) : kBlock;
  const Evaluator<T> eval(p, l, inputs, stride);
  for_units(l.units(), m, [&](int64_t u0, int64_t u1) {
    T* v = saved.defined() ? nullptr : scratch<T>(p.code.size(), 0);
    const T** val = pointers<const T*>(p.code.size());
    for (int64_t u = u0; u < u1; ++u) {
      int64_t row, col;
      const int64_t n = eval.forward(u, saved.defined() ? saved.data_ptr<T>() + u * m * stride : v, val, row, col);
      for (size_t r = 0; r < p.roots.size(); ++r)
        std::copy(val[p.roots[r]], val[p.roots[r]] + n, o + r * numel + row * l.cols + col);
    }
  });
  return out;
}

// The gradients of the call's inputs for its result's gradient gy_in; input
// 0's also when it needs none itself (`product`: it is after_linear's product).
template <typename T>
Grads run_backward(const PointwiseProgram& p, const Layout& l, const TensorList& inputs, const Tensor& saved,
                   const Tensor& gy_in, bool product = false) {
  const Tensor gy = gy_in.is_contiguous() ? gy_in : kernels::contiguous_copy(gy_in);
  const size_t K = inputs.size();
  // Input k's gradient buffer covers pieces [first, last] of each row, row
  // by row at dst + row * row_len (one vector: this runs once per step).
  struct Target {
    int64_t first = -1, last = -1, row_len = 0;
    T* dst = nullptr;
  };
  PoolVector<Target> tg(K);
  for (const PwInstr& in : p.code)
    if (in.op == PwOp::Input && (inputs[in.input].requires_grad() || (product && in.input == 0))) {
      Target& t = tg[in.input];
      t.first = t.first < 0 ? in.piece : std::min(t.first, in.piece);
      t.last = std::max(t.last, in.piece);
    }
  TensorList bufs(K);
  for (size_t k = 0; k < K; ++k) {
    Target& t = tg[k];
    if (t.first < 0) continue;
    const int64_t span = t.last - t.first + 1;
    Shape s = l.sizes;
    if (p.pieces[k] > 1) s[s.size() - 1] = span * l.cols;
    int64_t read = 0;
    for (const PwInstr& in : p.code) read += in.op == PwOp::Input && in.input == static_cast<int>(k);
    bufs[k] = read < span ? zeros(s, gy.dtype()) : Tensor::empty(s, gy.dtype());
    t.dst = bufs[k].data_ptr<T>();
    t.row_len = span * l.cols;
  }
  const T* go = gy.data_ptr<T>();
  const int64_t numel = l.sizes.numel();
  const size_t m = p.code.size();
  const int64_t stride = saved.defined() ? value_stride(l) : kBlock;
  const Evaluator<T> eval(p, l, inputs, stride);
  for_units(l.units(), static_cast<int64_t>(m), [&](int64_t u0, int64_t u1) {
    T* v = saved.defined() ? nullptr : scratch<T>(m, 0);
    T* g = scratch<T>(m, 1);
    const T** val = pointers<const T*>(m);
    T** adj = pointers<T*>(m);
    for (int64_t u = u0; u < u1; ++u) {
      int64_t row, col;
      const int64_t n = saved.defined() ? eval.locate(u, saved.data_ptr<T>() + u * m * stride, val, row, col)
                                        : eval.forward(u, v, val, row, col);
      // Adjoints of inputs that need a gradient accumulate in place in it.
      for (size_t i = 0; i < m; ++i) {
        const PwInstr& in = p.code[i];
        adj[i] = g + i * kBlock;
        if (in.op != PwOp::Input || !tg[in.input].dst) continue;
        const Target& t = tg[in.input];
        T* d = t.dst + row * t.row_len + (in.piece - t.first) * l.cols + col;
        adj[i] = d;
        if (!in.live) std::fill(d, d + n, T(0));  // read but unused by the result
      }
      for (size_t r = 0; r < p.roots.size(); ++r) {
        const T* src = go + r * numel + row * l.cols + col;
        std::copy(src, src + n, adj[p.roots[r]]);
      }
      eval.backward(val, adj, n);
    }
  });
  Grads grads(K);
  for (size_t k = 0; k < K; ++k) {
    if (!bufs[k].defined()) continue;
    if (p.pieces[k] > 1 && tg[k].row_len != inputs[k].size(-1)) {
      // Only some pieces were read: place them inside the input's gradient.
      Placement place;
      place.offset = tg[k].first * l.cols;
      place.strides = contiguous_strides(inputs[k].sizes());
      grads[k] = Grad(bufs[k], std::move(place));
    } else {
      grads[k] = Grad(bufs[k]);  // the engine sums broadcast dims away
    }
  }
  return grads;
}

}  // namespace

LinearInput::LinearInput(const Tensor& x, const PackedWeight& weight, const Tensor& bias)
    : x(x), weight(weight.weight()), bias(bias), packed(&weight) {}

namespace {
// What backward needs of a LinearInput (detail::linear_grads).
struct LinearSaved {
  SavedTensor x2, weight;
  std::shared_ptr<kernels::LazyPackedMatrix> plain;
  bool bias_grad = false;
};
}  // namespace

Tensor Pointwise::operator()(std::span<const Tensor> in, const PointwiseOptions& options) const {
  const PointwiseProgram* p = program_.get();
  const char* name = p->name;
  TensorList inputs;
  std::optional<LinearSaved> linear;
  MetaList metas;
  bool grad = false;
  if (const auto& lin = options.linear) {
    SPOOL_CHECK(static_cast<int>(in.size()) + 1 == p->arity, name,
                "expects {} inputs: the product and {} more, got the product and {}", p->arity, p->arity - 1,
                in.size());
    SPOOL_CHECK(!lin->packed || lin->packed->defined(), name,
                "the PackedWeight is empty (default-constructed); input of shape {}", lin->x.sizes());
    SPOOL_CHECK(lin->x.defined() && lin->weight.defined(), name, "the product needs a defined input and weight");
    SPOOL_CHECK(lin->x.dim() >= 1, name, "the product's input must have at least one dim, got shape {}",
                lin->x.sizes());
    // [..., in] as one [rows, in] product; a bias is then [out] or [rows, out].
    const Tensor& x = lin->x;
    const Tensor x2 = x.dim() == 2 ? x : reshape(x, {-1, x.size(-1)});
    SPOOL_CHECK(x.dim() == 2 || !lin->bias.defined() || lin->bias.dim() <= 1, name,
                "a bias of shape {} needs a 2-D input (got shape {}); give the product a 1-D bias",
                lin->bias.defined() ? lin->bias.sizes() : Shape{}, x.sizes());
    const Tensor product = detail::linear_value(name, x2, lin->weight, lin->bias, lin->packed);
    Shape product_sizes = x.sizes();
    product_sizes[product_sizes.size() - 1] = lin->weight.size(0);
    inputs.reserve(in.size() + 1);
    inputs.push_back(x.dim() == 2 ? product
                                  : kernels::strided_view(product, product_sizes, contiguous_strides(product_sizes), 0));
    inputs.insert(inputs.end(), in.begin(), in.end());
    grad = any_requires_grad({&x2, &lin->weight, &lin->bias}) || any_requires_grad(in);
    if (grad) {
      metas = detail::metas_of({&x2, &lin->weight, &lin->bias}, in);
      linear = LinearSaved{SavedTensor(name, x2), SavedTensor(name, lin->weight),
                           lin->packed ? lin->packed->plain() : nullptr, lin->bias.requires_grad()};
    }
  } else {
    inputs.assign(in.begin(), in.end());
    grad = any_requires_grad(in);
    if (grad) metas = detail::metas_of(in);
  }
  Layout layout = plan(*p, inputs);
  const Tensor saved = grad ? saved_values(*p, layout, inputs[0].dtype()) : Tensor();
  Tensor out = SPOOL_DISPATCH_FLOAT(inputs[0].dtype(), name,
                                    [&] { return run_forward<scalar_t>(*p, layout, inputs, saved); });
  if (!grad) return out;  // skip building the closure
  // The product (input 0 of a LinearInput call) is the op's own.
  const size_t own = linear ? 1 : 0;
  SavedVersions versions(name, std::span<const Tensor>(inputs.data() + own, inputs.size() - own));
  // One node for a LinearInput and the expression: the expression's
  // gradient for the product, then the product's own, as the two ops give.
  detail::attach_node(
      name, out, std::move(metas),
      BackwardFn([program = program_, layout = std::move(layout), inputs = std::move(inputs), saved,
                  versions = std::move(versions), linear = std::move(linear)](const Tensor& gy) -> Grads {
        const size_t own = linear ? 1 : 0;
        versions.check(std::span<const Tensor>(inputs.data() + own, inputs.size() - own));
        Grads pg = SPOOL_DISPATCH_FLOAT(gy.dtype(), program->name, [&] {
          return run_backward<scalar_t>(*program, layout, inputs, saved, gy, linear.has_value());
        });
        if (!linear) return pg;
        const Tensor& product = inputs[0];
        const Tensor g = kernels::to_dense(std::move(pg[0]), product.sizes(), product.dtype());
        const Tensor& weight = linear->weight;
        Grads grads = detail::linear_grads(linear->x2, weight, linear->plain, linear->bias_grad,
                                           g.dim() == 2 ? g : reshape(g, {-1, weight.size(0)}),
                                           pg.size() - 1);
        for (size_t k = 1; k < pg.size(); ++k) grads.push_back(std::move(pg[k]));
        return grads;
      }));
  return out;
}

}  // namespace spool
