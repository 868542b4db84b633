// The backward scheduler (README "Design" 2-3). backward() finds every tensor
// reachable from the roots, counts how many recorded consumers each one has,
// and runs a tensor's node once all its consumers have delivered their
// gradients. Gradients from several consumers are summed in node creation
// order, never in finishing order, so results are bitwise equal at any
// thread count. Small graphs run on the calling thread; larger ones run as
// TBB tasks so independent branches proceed at once.
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

#include "autograd.hpp"
#include "grad.hpp"
#include "kernels.hpp"
#include "small_object_pool.hpp"
#include "threading.hpp"

namespace spool {

namespace {
thread_local bool grad_enabled = true;
std::atomic<uint64_t> node_counter{0};
// A forward branch run by parallel_invoke numbers its nodes from a range of
// its own, so creation order (and so gradient summation order) does not
// depend on how the branches' threads interleave.
thread_local uint64_t range_next = 0, range_end = 0;
constexpr uint64_t kTopRange = uint64_t(1) << 36;
}  // namespace

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool on) { grad_enabled = on; }
uint64_t next_node_seq() {
  if (range_next < range_end) return range_next++;
  return node_counter.fetch_add(1, std::memory_order_relaxed);
}

namespace detail {
SeqRange reserve_seq_range() {
  if (range_next < range_end) {
    const uint64_t half = (range_end - range_next) / 2;
    SeqRange r{range_next, range_next + half};
    range_next += half;
    return r;
  }
  const uint64_t base = node_counter.fetch_add(kTopRange, std::memory_order_relaxed);
  return {base, base + kTopRange};
}
SeqRangeScope::SeqRangeScope(SeqRange r) : saved_{range_next, range_end} {
  range_next = r.begin;
  range_end = r.end;
}
SeqRangeScope::~SeqRangeScope() {
  range_next = saved_.begin;
  range_end = saved_.end;
}
}  // namespace detail

bool any_requires_grad(std::span<const Tensor> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.requires_grad()) return true;
  return false;
}

namespace detail {

MetaList metas_of(std::initializer_list<const Tensor*> inputs) { return metas_of(inputs, {}); }

MetaList metas_of(std::span<const Tensor> inputs) { return metas_of({}, inputs); }

MetaList metas_of(std::initializer_list<const Tensor*> first, std::span<const Tensor> rest) {
  MetaList metas;
  metas.reserve(first.size() + rest.size());
  for (const Tensor* t : first) metas.push_back(t->requires_grad() ? t->impl().autograd : nullptr);
  for (const Tensor& t : rest) metas.push_back(t.requires_grad() ? t.impl().autograd : nullptr);
  return metas;
}

// The result gets an impl of its own whenever another handle shares it:
// a view of an input, or the copy a backward closure saved (which would
// otherwise own its own node through the autograd state: a cycle).
namespace {
void give_meta(Tensor& out, std::shared_ptr<AutogradMeta> meta) {
  if (out.impl().autograd || out.impl_ptr().use_count() > 1) out = Tensor(detail::make_pooled<TensorImpl>(out.impl()));
  out.impl().autograd = std::move(meta);
}
}  // namespace

void attach_node(const char* name, Tensor& out, MetaList inputs, BackwardFn fn) {
  auto node = detail::make_pooled<Node>();
  node->name = name;
  node->seq = next_node_seq();
  node->inputs = std::move(inputs);
  node->backward = std::move(fn);
  auto meta = detail::make_pooled<AutogradMeta>();
  meta->requires_grad = true;
  meta->grad_fn = std::move(node);
  meta->sizes = out.sizes();
  meta->dtype = out.dtype();
  give_meta(out, std::move(meta));
}

void attach_view(const char* name, Tensor& view, const Tensor& base, Placement place) {
  auto meta = detail::make_pooled<AutogradMeta>();
  meta->requires_grad = true;
  meta->view_base = base.impl().autograd;
  meta->view_place = std::move(place);
  meta->view_name = name;
  meta->view_seq = next_node_seq();
  meta->sizes = view.sizes();
  meta->dtype = view.dtype();
  give_meta(view, std::move(meta));
}

}  // namespace detail

namespace {

struct Contribution {
  uint64_t seq;
  uint32_t slot;
  Grad grad;
};
// The few contributions of one tensor, sorted per node: from the small-object pool.
using Contributions = std::vector<Contribution, detail::PooledAllocator<Contribution>>;

// Per-tensor state of one backward run. Most tensors have one consumer, so
// the first contribution is stored inline.
struct Pending {
  AutogradMeta* meta = nullptr;
  std::atomic<int> deps{0};  // consumers that have not delivered yet
  std::mutex mu;
  int count = 0;
  Contribution first;
  std::vector<Contribution> more;

  void reset() {
    meta = nullptr;
    deps.store(0, std::memory_order_relaxed);
    count = 0;
    first = Contribution{};
    more.clear();
  }

  void add(uint64_t seq, uint32_t slot, Grad&& g) {
    if (count++ == 0) {
      first.seq = seq;
      first.slot = slot;
      first.grad = std::move(g);
    } else {
      more.push_back(Contribution{seq, slot, std::move(g)});
    }
  }
};

// Buffers of a backward run, kept per thread and reused: a training step's
// backward then allocates no per-node bookkeeping (a re-entrant backward,
// from a hook, gets fresh ones).
// Tensor -> position in the run, open addressing: reused across runs, so
// discovering a graph allocates nothing once warm.
class MetaIndex {
 public:
  void clear(size_t expected) {
    size_t cap = 64;
    while (cap < expected * 2) cap *= 2;
    if (slots_.size() < cap) slots_.assign(cap, {nullptr, 0});
    else std::fill(slots_.begin(), slots_.end(), std::pair<AutogradMeta*, size_t>{nullptr, 0});
    size_ = 0;
  }
  // Inserts m -> value unless present; returns true when inserted.
  bool emplace(AutogradMeta* m, size_t value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    auto& slot = find_slot(m);
    if (slot.first) return false;
    slot = {m, value};
    ++size_;
    return true;
  }
  size_t at(AutogradMeta* m) const {
    const auto& slot = const_cast<MetaIndex*>(this)->find_slot(m);
    SPOOL_CHECK(slot.first == m, "backward", "internal error: tensor missing from the graph index");
    return slot.second;
  }

 private:
  std::pair<AutogradMeta*, size_t>& find_slot(AutogradMeta* m) {
    const size_t mask = slots_.size() - 1;
    size_t i = (reinterpret_cast<uintptr_t>(m) >> 4) * 0x9E3779B97F4A7C15ull >> 20 & mask;
    while (slots_[i].first && slots_[i].first != m) i = (i + 1) & mask;
    return slots_[i];
  }
  void grow() {
    std::vector<std::pair<AutogradMeta*, size_t>> old;
    old.swap(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), {nullptr, 0});
    size_ = 0;
    for (auto& e : old)
      if (e.first) emplace(e.first, e.second);
  }
  std::vector<std::pair<AutogradMeta*, size_t>> slots_;
  size_t size_ = 0;
};

struct Scratch {
  bool busy = false;
  MetaIndex index;
  std::vector<AutogradMeta*> order;
  std::unique_ptr<Pending[]> pending;
  size_t capacity = 0;

  Pending* prepare(size_t n) {
    if (n > capacity) {
      capacity = std::max(n, capacity * 2);
      pending = std::make_unique<Pending[]>(capacity);
    }
    return pending.get();
  }
};

// Placement `inner` (into a contiguous buffer of shape `sizes`) seen through
// `outer` (where that buffer sits in its base's gradient): both are strided
// views without carries, so each offset maps digit by digit.
Placement compose(const Placement& inner, const Shape& sizes, const Placement& outer) {
  const Shape cs = contiguous_strides(sizes);
  auto map = [&](int64_t linear) {
    int64_t r = 0;
    for (int d = 0; d < cs.size(); ++d) {
      if (cs[d] <= 0) continue;
      r += linear / cs[d] * outer.strides[d];
      linear %= cs[d];
    }
    return r;
  };
  Placement p;
  p.offset = outer.offset + map(inner.offset);
  for (int k = 0; k < inner.strides.size(); ++k) p.strides.push_back(map(inner.strides[k]));
  return p;
}

// Makes a gradient for a view a gradient for its base placed at `place`.
void to_base(Grad& g, const Shape& view_sizes, const Placement& place) {
  if (g.place) {
    g.place = compose(*g.place, view_sizes, place);
    return;
  }
  if (!g.deferred && g.value.sizes() != view_sizes) g.value = kernels::sum_to(g.value, view_sizes);
  g.place = place;
}

// Where a gradient for one tensor goes: to that tensor, or through views
// that need nothing of their own in this run into the tensor they view.
struct Edge {
  AutogradMeta* target = nullptr;
  const Placement* view = nullptr;     // one view: its own placement
  std::optional<Placement> composed;  // two or more views
  const Placement* place() const { return composed ? &*composed : view; }  // null: target's own gradient
};

class GraphTask {
 public:
  GraphTask(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain)
      : retain_(retain) {
    for (const Tensor& r : roots) roots_.push_back(r.autograd_meta());
    thread_local Scratch shared;
    if (!shared.busy) {
      scratch_ = &shared;
    } else {
      own_ = std::make_unique<Scratch>();
      scratch_ = own_.get();
    }
    scratch_->busy = true;
    scratch_->index.clear(scratch_->order.size());
    scratch_->order.clear();
    try {
      discover(roots);
    } catch (...) {
      scratch_->busy = false;  // the destructor does not run for a throwing constructor
      throw;
    }
    for (size_t i = 0; i < roots.size(); ++i)
      pending_[scratch_->index.at(roots[i].autograd_meta())].add(UINT64_MAX, static_cast<uint32_t>(i), Grad(grads[i]));
  }

  ~GraphTask() {
    for (size_t i = 0; i < size_; ++i) pending_[i].reset();  // drop leftover gradients now
    scratch_->busy = false;
  }
  GraphTask(const GraphTask&) = delete;
  GraphTask& operator=(const GraphTask&) = delete;

  void run() {
    std::vector<Pending*> ready;
    for (size_t i = 0; i < size_; ++i)
      if (pending_[i].deps.load() == 0) ready.push_back(&pending_[i]);
    // Branches too small to hand to another thread: stay on this one.
    if (size_ < kParallelMin || max_numel_ < kSpawnMinElements || num_threads() == 1) {
      serial_ = true;
      run_serial(std::move(ready));
    } else {
      run_parallel(ready);
    }
  }

 private:
  static constexpr size_t kParallelMin = 24;

  void discover(const std::vector<Tensor>& roots) {
    std::vector<AutogradMeta*>& order = scratch_->order;
    for (const Tensor& r : roots) visit(r.autograd_meta(), order);
    for (size_t i = 0; i < order.size(); ++i) {
      AutogradMeta* m = order[i];
      if (m->grad_fn)
        SPOOL_CHECK(!m->grad_fn->released.load(), "backward",
                    "trying to backward through the graph a second time (op {}); the saved tensors were freed after "
                    "the first backward. Pass retain_graph=true to the first backward",
                    m->grad_fn->name);
      for_each_target(m, [&](AutogradMeta* t) { visit(t, order); });
    }
    size_ = order.size();
    pending_ = scratch_->prepare(size_);
    for (size_t i = 0; i < size_; ++i) pending_[i].reset();
    for (size_t i = 0; i < size_; ++i) {
      max_numel_ = std::max(max_numel_, order[i]->sizes.numel());
      pending_[i].meta = order[i];
      for_each_target(order[i], [&](AutogradMeta* t) {
        std::atomic<int>& deps = pending_[scratch_->index.at(t)].deps;  // one thread here: no locked add
        deps.store(deps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      });
    }
  }

  // f(tensor) for each tensor m's gradient is handed on to: its node's
  // inputs, or the base of a view kept in this run.
  template <typename F>
  void for_each_target(AutogradMeta* m, const F& f) const {
    if (m->grad_fn) {
      for (auto& in : m->grad_fn->inputs)
        if (in) f(resolve(in.get(), nullptr).target);
    } else if (m->view_base) {
      f(resolve(m->view_base.get(), &m->view_place).target);
    }
  }

  // A view is passed through (its gradient goes straight into its base's)
  // unless something needs its own gradient: a hook, retain_grad, or being a
  // root of this run.
  bool transparent(const AutogradMeta* m) const {
    return m->view_base && m->hooks.empty() && !m->retains_grad &&
           std::find(roots_.begin(), roots_.end(), m) == roots_.end();
  }

  // The edge from a gradient for `target` (placed at `place` in it, when
  // set) to the tensor that receives it.
  Edge resolve(AutogradMeta* target, const Placement* place) const {
    Edge e;
    e.target = target;
    e.view = place;
    while (transparent(e.target)) {
      const Placement& vp = e.target->view_place;
      if (!e.place()) {
        e.view = &vp;
      } else {
        e.composed = compose(*e.place(), e.target->sizes, vp);
      }
      e.target = e.target->view_base.get();
    }
    return e;
  }

  void visit(AutogradMeta* m, std::vector<AutogradMeta*>& order) {
    if (scratch_->index.emplace(m, order.size())) order.push_back(m);
  }

  // Sums the contributions (in creation order of their consumers), applies
  // hooks, stores .grad where asked, and hands the node's input gradients on.
  template <typename OnReady>
  void process(Pending& p, const OnReady& on_ready) {
    NoGradGuard no_grad;
    AutogradMeta& m = *p.meta;
    Tensor g = sum_contributions(p);
    for (auto& hook : m.hooks) {
      Tensor r = hook(g);
      if (r.defined()) g = r;
    }
    if ((!m.grad_fn && !m.view_base) || m.retains_grad) accumulate_grad(m, g);
    if (m.view_base) {  // a view kept in this run (hook, retain_grad, root)
      const Edge e = resolve(m.view_base.get(), &m.view_place);
      deliver(e.target, m.view_seq, 0, g.defined() ? Grad(g, *e.place()) : Grad(), on_ready);
      return;
    }
    if (!m.grad_fn) return;
    Node& node = *m.grad_fn;
    Grads grads;
    if (g.defined()) {
      SPOOL_CHECK(static_cast<bool>(node.backward), "backward", "node {} has no backward (already released)",
                  node.name);
      grads = node.backward(g);
      SPOOL_CHECK(grads.size() == node.inputs.size(), "backward",
                  "op {} returned {} gradients for {} inputs", node.name, grads.size(), node.inputs.size());
    }
    if (!retain_) {
      node.released = true;
      node.backward = nullptr;  // frees the saved tensors now
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      AutogradMeta* in = node.inputs[i].get();
      if (!in) continue;
      Grad none;
      Grad& gi = !grads.empty() && grads[i].defined() ? grads[i] : none;  // handed on in place
      if (gi.defined()) check_grad(node, i, *in, gi);
      const Edge e = resolve(in, nullptr);
      if (gi.defined() && e.place()) to_base(gi, in->sizes, *e.place());
      deliver(e.target, node.seq, static_cast<uint32_t>(i), std::move(gi), on_ready);
    }
  }

  // Adds g (maybe undefined: no gradient) to target's contributions and
  // readies target once every consumer has delivered.
  // One thread (serial_) needs neither the lock nor a locked decrement.
  template <typename OnReady>
  void deliver(AutogradMeta* target, uint64_t seq, uint32_t slot, Grad&& g, const OnReady& on_ready) {
    Pending& q = pending_[scratch_->index.at(target)];
    if (g.defined()) {
      std::unique_lock<std::mutex> lock(q.mu, std::defer_lock);
      if (!serial_) lock.lock();
      q.add(seq, slot, std::move(g));
    }
    const int left = serial_ ? q.deps.load(std::memory_order_relaxed) - 1
                             : q.deps.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (serial_) q.deps.store(left, std::memory_order_relaxed);
    if (left == 0) on_ready(q);
  }

  static void check_grad(const Node& node, size_t i, const AutogradMeta& in, const Grad& g) {
    if (g.deferred) {
      const DeferredProduct& d = *g.deferred;
      SPOOL_CHECK(d.valid() && d.result_sizes() == in.sizes && d.a.dtype() == in.dtype && d.b.dtype() == in.dtype,
                  "backward", "op {} returned a product {} @ {} for input {} of shape {}", node.name, d.a.sizes(),
                  d.b.sizes(), i, in.sizes);
      return;
    }
    SPOOL_CHECK(g.value.dtype() == in.dtype, "backward", "op {} returned a {} gradient for {} input {}", node.name,
                dtype_name(g.value.dtype()), dtype_name(in.dtype), i);
    if (!g.place && g.value.sizes() != in.sizes)
      broadcast_shapes(g.value.sizes(), in.sizes, node.name);  // throws when not reducible
  }

  static Tensor sum_contributions(Pending& p) {
    const Shape& sizes = p.meta->sizes;
    if (p.count == 0) return Tensor();
    if (p.count == 1) return kernels::to_dense(std::move(p.first.grad), sizes, p.meta->dtype);
    // Consumers run latest first, so contributions arrive in falling creation
    // order: laid out in reverse they are usually sorted already (sorting the
    // 50 of a recurrent input projection moved ~1200 of them).
    Contributions cs;
    cs.reserve(p.count);
    for (auto c = p.more.rbegin(); c != p.more.rend(); ++c) cs.push_back(std::move(*c));
    cs.push_back(std::move(p.first));
    p.more.clear();
    const auto earlier = [](const Contribution& a, const Contribution& b) {
      return a.seq != b.seq ? a.seq < b.seq : a.slot < b.slot;
    };
    if (!std::is_sorted(cs.begin(), cs.end(), earlier)) std::sort(cs.begin(), cs.end(), earlier);
    Tensor out;
    size_t i = 0;
    const Grad& g0 = cs[0].grad;
    if (g0.deferred && !g0.place) {
      out = Tensor::empty(sizes, p.meta->dtype);
      i = sum_product_run(out, cs, 0, 0.0);
    } else if (!g0.place && g0.value.sizes() == sizes) {
      // Sum into the first gradient itself when nothing else holds it.
      out = owned(g0.value) ? g0.value : kernels::contiguous_copy(g0.value);
      i = 1;
    } else {
      out = zeros(sizes, p.meta->dtype);
    }
    while (i < cs.size()) {
      Grad& g = cs[i].grad;
      if (g.deferred && !g.place) {
        i = sum_product_run(out, cs, i, 1.0);
        continue;
      }
      if (g.deferred) {
        kernels::add_placed_product(out, *g.deferred, *g.place);
      } else if (g.place) {
        kernels::add_placed(out, g.value, *g.place);
      } else {
        kernels::add_into(out, kernels::sum_to(g.value, sizes));
      }
      g = Grad();  // free the operands early
      ++i;
    }
    return out;
  }

  // out = beta out + the unplaced deferred products cs[i], cs[i + 1], ...
  // that kernels::joins lets one GEMM sum; returns the end of the run.
  static size_t sum_product_run(const Tensor& out, Contributions& cs, size_t i, double beta) {
    thread_local std::vector<const DeferredProduct*> run;
    run.assign(1, cs[i].grad.deferred.get());
    int64_t inner = run[0]->a.size(-1);
    size_t j = i + 1;
    for (; j < cs.size(); ++j) {
      const Grad& g = cs[j].grad;
      if (!g.deferred || g.place || !kernels::joins(*run[0], *g.deferred, inner)) break;
      run.push_back(g.deferred.get());
      inner += g.deferred->a.size(-1);
    }
    kernels::multiply_run_into(out, run, beta);
    run.clear();
    for (size_t r = i; r < j; ++r) cs[r].grad = Grad();  // free the operands early
    return j;
  }

  // A contiguous gradient no other tensor shares: safe to write into.
  static bool owned(const Tensor& g) {
    return g.impl_ptr().use_count() == 1 && g.impl().storage.use_count() == 1 && g.is_contiguous();
  }

  // Backward runs from several threads may reach one leaf (a model's
  // parameters): its .grad is read, set and added to under a lock, one of
  // kGradLocks chosen by the leaf's address (uncontended in one run).
  static void accumulate_grad(AutogradMeta& m, const Tensor& g) {
    if (!g.defined()) return;
    static std::mutex locks[kGradLocks];
    std::lock_guard<std::mutex> lock(locks[(reinterpret_cast<uintptr_t>(&m) >> 6) % kGradLocks]);
    if (!m.grad) {
      // Steal the buffer when nothing else holds it; otherwise copy so that a
      // later in-place accumulation cannot write into someone else's tensor.
      Tensor mine = owned(g) ? g.detach() : kernels::contiguous_copy(g);
      m.grad = mine.impl_ptr();
    } else {
      kernels::add_into(Tensor(m.grad), g);
    }
  }

  static constexpr size_t kGradLocks = 64;

  void run_serial(std::vector<Pending*> ready) {
    // Latest-created first, like PyTorch: frees activations early.
    auto later = [](Pending* a, Pending* b) { return seq_of(a) < seq_of(b); };
    std::make_heap(ready.begin(), ready.end(), later);
    const auto push = [&](Pending& q) {
      ready.push_back(&q);
      std::push_heap(ready.begin(), ready.end(), later);
    };
    while (!ready.empty()) {
      std::pop_heap(ready.begin(), ready.end(), later);
      Pending* p = ready.back();
      ready.pop_back();
      process(*p, push);
    }
  }

  // A task keeps running the chain it is on and spawns a task only where
  // the graph branches into work big enough to pay for a thread hand-off
  // (the two directions of a BiLSTM, not the four gates of one cell step).
  void run_parallel(const std::vector<Pending*>& ready) {
    tbb::task_group tg;
    tbb::this_task_arena::isolate([&] {
      for (Pending* p : ready) tg.run([this, &tg, p] { run_chain(tg, p); });
      tg.wait();
    });
  }
  void run_chain(tbb::task_group& tg, Pending* first) {
    BranchScope branch;
    std::vector<Pending*> local{first}, next;
    const auto collect = [&](Pending& q) { next.push_back(&q); };
    while (!local.empty()) {
      Pending* p = local.back();
      local.pop_back();
      next.clear();
      process(*p, collect);
      std::sort(next.begin(), next.end(), [](Pending* a, Pending* b) { return seq_of(a) < seq_of(b); });
      for (size_t i = 0; i + 1 < next.size(); ++i) {
        Pending* q = next[i];
        if (q->meta->sizes.numel() >= kSpawnMinElements) {
          tg.run([this, &tg, q] { run_chain(tg, q); });
        } else {
          local.push_back(q);
        }
      }
      if (!next.empty()) local.push_back(next.back());  // latest first, on this thread
    }
  }
  static constexpr int64_t kSpawnMinElements = 65536;

  static uint64_t seq_of(const Pending* p) { return p->meta->grad_fn ? p->meta->grad_fn->seq : p->meta->view_seq; }

  bool retain_;
  std::vector<AutogradMeta*> roots_;
  bool serial_ = false;
  std::unique_ptr<Scratch> own_;
  Scratch* scratch_ = nullptr;
  Pending* pending_ = nullptr;
  size_t size_ = 0;
  int64_t max_numel_ = 0;
};

}  // namespace

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain_graph) {
  SPOOL_CHECK(grads.empty() || grads.size() == roots.size(), "backward", "{} gradients given for {} tensors",
              grads.size(), roots.size());
  std::vector<Tensor> seeds;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    SPOOL_CHECK(r.requires_grad(), "backward",
                "tensor of shape {} does not require grad and has no grad_fn (did you call requires_grad_() on the "
                "inputs, or run under NoGradGuard?)",
                r.sizes());
    if (grads.empty() || !grads[i].defined()) {
      SPOOL_CHECK(r.numel() == 1, "backward",
                  "grad can be implicitly created only for scalar outputs; got shape {}, pass a gradient", r.sizes());
      seeds.push_back(ones(r.sizes(), r.dtype()));
    } else {
      SPOOL_CHECK(grads[i].sizes() == r.sizes() && grads[i].dtype() == r.dtype(), "backward",
                  "gradient of shape {} ({}) given for a tensor of shape {} ({})", grads[i].sizes(),
                  dtype_name(grads[i].dtype()), r.sizes(), dtype_name(r.dtype()));
      seeds.push_back(grads[i]);
    }
  }
  GraphTask(roots, seeds, retain_graph).run();
}

}  // namespace spool
