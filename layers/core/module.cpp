#include "module.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>

#include "../../framework/core/autograd.hpp"
#include "../../framework/core/error.hpp"
#include "../../framework/io/safetensors.hpp"

namespace spool::nn {

void StateDict::insert(const std::string& name, const Tensor& t) {
  SPOOL_CHECK(index_.emplace(name, items_.size()).second, "StateDict::insert",
              "\"{}\" is already in the dict (shape {}); use set() to replace it", name, at(name).sizes());
  items_.emplace_back(name, t);
}

void StateDict::set(const std::string& name, const Tensor& t) {
  auto [it, fresh] = index_.emplace(name, items_.size());
  if (fresh) {
    items_.emplace_back(name, t);
  } else {
    items_[it->second].second = t;
  }
}

const Tensor& StateDict::at(const std::string& name) const {
  auto it = index_.find(name);
  SPOOL_CHECK(it != index_.end(), "StateDict", "no entry named \"{}\"", name);
  return items_[it->second].second;
}

struct Module::State {
  std::string type_name;
  bool training = true;
  std::vector<std::pair<std::string, Tensor>> parameters, buffers;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children;
  // Written by every forward, from any thread running the model.
  std::mutex shape_mu;
  std::optional<Shape> last_output_shape;
};

Module::Module(std::string type_name) : state_(std::make_shared<State>()) { state_->type_name = std::move(type_name); }

Module::State& Module::state() const {
  SPOOL_CHECK(state_ != nullptr, "Module",
              "this module was default-constructed and never assigned a real module (e.g. nn::Linear(in, out))");
  return *state_;
}

void Module::check_defined(const char* what) const {
  SPOOL_CHECK(state_ != nullptr, what,
              "module used before it was constructed: assign it a real module (e.g. from register_module)");
}

const std::string& Module::type_name() const { return state().type_name; }

namespace {
void check_name(const std::string& name, const char* op) {
  SPOOL_CHECK(!name.empty() && name.find('.') == std::string::npos, op,
              "name \"{}\" must be non-empty and contain no dot", name);
}
}  // namespace

Tensor& Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_name(name, "register_parameter");
  auto& ps = state().parameters;
  SPOOL_CHECK(std::none_of(ps.begin(), ps.end(), [&](auto& p) { return p.first == name; }), "register_parameter",
              "parameter \"{}\" already exists", name);
  if (t.defined()) {
    t = t.detach();
    if (requires_grad) t.requires_grad_();
  }
  ps.emplace_back(name, t);
  return ps.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor t) {
  check_name(name, "register_buffer");
  auto& bs = state().buffers;
  bs.emplace_back(name, t.defined() ? t.detach() : t);
  return bs.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_name(name, "register_module");
  SPOOL_CHECK(child->defined(), "register_module", "module \"{}\" was never constructed", name);
  auto& cs = state().children;
  SPOOL_CHECK(std::none_of(cs.begin(), cs.end(), [&](auto& c) { return c.first == name; }), "register_module",
              "module \"{}\" already exists", name);
  cs.emplace_back(name, std::move(child));
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() const {
  // Pre-order walk with an explicit stack: no recursion over user-chosen depth.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> result, stack;
  const auto& own = state().children;
  for (auto it = own.rbegin(); it != own.rend(); ++it) stack.push_back(*it);
  while (!stack.empty()) {
    auto [name, m] = stack.back();
    stack.pop_back();
    result.emplace_back(name, m);
    const auto& cs = m->state().children;
    for (auto it = cs.rbegin(); it != cs.rend(); ++it) stack.emplace_back(name + "." + it->first, it->second);
  }
  return result;
}

namespace {
template <typename Get>
std::vector<std::pair<std::string, Tensor>> collect(const Module& root, bool recurse, Get get) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [n, t] : get(root))
    if (t.defined()) out.emplace_back(n, t);
  if (!recurse) return out;
  for (auto& [prefix, m] : root.named_modules())
    for (auto& [n, t] : get(*m))
      if (t.defined()) out.emplace_back(prefix + "." + n, t);
  return out;
}
}  // namespace

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  return collect(*this, recurse, [](const Module& m) -> auto& { return m.state().parameters; });
}
std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return collect(*this, recurse, [](const Module& m) -> auto& { return m.state().buffers; });
}
std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}
Tensor Module::parameter(const std::string& name) const {
  for (auto& [n, t] : named_parameters())
    if (n == name) return t;
  detail::fail("Module::parameter", "{} has no parameter named \"{}\"", type_name(), name);
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}
const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& Module::named_children() const {
  return state().children;
}
std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (auto& [n, m] : state().children) out.push_back(m);
  return out;
}

void Module::train(bool on) {
  state().training = on;
  for (auto& [n, m] : named_modules()) m->state().training = on;
}
namespace {
thread_local bool eval_mode_forced = false;
}  // namespace

EvalModeGuard::EvalModeGuard() : saved_(eval_mode_forced) { eval_mode_forced = true; }
EvalModeGuard::~EvalModeGuard() { eval_mode_forced = saved_; }
bool EvalModeGuard::active() { return eval_mode_forced; }

bool Module::is_training() const { return state().training && !eval_mode_forced; }

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.set_grad(Tensor());
}

Module& Module::to(ScalarType dtype) {
  SPOOL_CHECK(is_floating(dtype), "Module::to", "modules convert to a floating dtype, got {}", dtype_name(dtype));
  NoGradGuard no_grad;
  auto convert = [dtype](Tensor t) {
    if (t.defined() && t.is_floating_point() && t.dtype() != dtype) t.set_data(t.detach().to(dtype));
  };
  for (const Tensor& p : parameters()) convert(p);
  for (const Tensor& b : buffers()) convert(b);
  return *this;
}

StateDict Module::state_dict() const {
  StateDict d;
  for (auto& [n, t] : named_parameters()) d.insert(n, t.detach());
  for (auto& [n, t] : named_buffers()) d.insert(n, t.detach());
  return d;
}

LoadResult Module::load_state_dict(const StateDict& dict, bool strict) {
  LoadResult result;
  auto own = named_parameters();
  for (auto& b : named_buffers()) own.push_back(b);
  std::unordered_map<std::string, bool> known;
  for (auto& [name, t] : own) {
    known[name] = true;
    if (!dict.contains(name)) {
      result.missing_keys.push_back(name);
      continue;
    }
    const Tensor& src = dict.at(name);
    SPOOL_CHECK(src.sizes() == t.sizes(), "load_state_dict", "size mismatch for {}: checkpoint has {}, model has {}",
                name, src.sizes(), t.sizes());
    SPOOL_CHECK(src.dtype() == t.dtype() || (src.is_floating_point() && t.is_floating_point()), "load_state_dict",
                "dtype mismatch for {}: checkpoint has {}, model has {}", name, dtype_name(src.dtype()),
                dtype_name(t.dtype()));
  }
  for (auto& [name, t] : dict)
    if (!known.count(name)) result.unexpected_keys.push_back(name);
  if (strict) {
    SPOOL_CHECK(result.missing_keys.empty() && result.unexpected_keys.empty(), "load_state_dict",
                "missing keys [{}], unexpected keys [{}]", fmt::join(result.missing_keys, ", "),
                fmt::join(result.unexpected_keys, ", "));
  }
  // Only now, with everything validated, touch the model.
  NoGradGuard no_grad;
  for (auto& [name, t] : own)
    if (dict.contains(name)) t.copy_(dict.at(name));
  return result;
}

void Module::save(const std::string& path) const {
  NamedTensors items;
  for (auto& [name, t] : state_dict()) items.emplace_back(name, t);
  save_safetensors(path, items, {{"format", "pt"}, {"saved_by", "spool"}});
}

LoadResult Module::load(const std::string& path, bool strict) {
  StateDict dict;
  for (auto& [name, t] : load_safetensors(path)) dict.insert(name, t);
  return load_state_dict(dict, strict);
}

std::string Module::repr() const {
  const auto& cs = state().children;
  if (cs.empty()) return fmt::format("{}({})", type_name(), extra_repr());
  std::string out = type_name() + "(";
  if (!extra_repr().empty()) out += "\n  " + extra_repr();
  for (auto& [name, m] : cs) {
    std::string child = m->repr();
    std::string indented;
    for (char ch : child) {
      indented += ch;
      if (ch == '\n') indented += "  ";
    }
    out += fmt::format("\n  ({}): {}", name, indented);
  }
  return out + "\n)";
}

int64_t Module::num_parameters(bool trainable_only) const {
  int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

void Module::note_output_shape(const Shape& shape) const {
  if (!state_) return;
  std::lock_guard<std::mutex> lock(state_->shape_mu);
  state_->last_output_shape = shape;
}

std::string Module::summary() const {
  std::vector<std::array<std::string, 3>> rows;
  auto shape_of = [](const Module& m) {
    State& s = m.state();
    std::lock_guard<std::mutex> lock(s.shape_mu);
    return s.last_output_shape ? fmt::format("{}", *s.last_output_shape) : std::string("?");
  };
  for (auto& [name, m] : named_modules()) {
    int64_t own = 0;
    for (auto& [n, t] : m->state().parameters)
      if (t.defined()) own += t.numel();
    rows.push_back({fmt::format("{} ({})", name, m->type_name()), shape_of(*m), std::to_string(own)});
  }
  size_t w0 = 12, w1 = 12;
  for (auto& r : rows) {
    w0 = std::max(w0, r[0].size());
    w1 = std::max(w1, r[1].size());
  }
  const std::string rule(w0 + w1 + 16, '=');
  std::string out = fmt::format("Model: \"{}\"\n{}\n{:<{}}  {:<{}}  {:>10}\n{}\n", type_name(), rule, "Layer (type)", w0,
                                "Output shape", w1, "Param #", std::string(w0 + w1 + 16, '-'));
  for (auto& r : rows) out += fmt::format("{:<{}}  {:<{}}  {:>10}\n", r[0], w0, r[1], w1, r[2]);
  const int64_t total = num_parameters(), trainable = num_parameters(true);
  out += fmt::format("{}\nTotal params: {}\nTrainable params: {}\nNon-trainable params: {}\n", rule, total, trainable,
                     total - trainable);
  return out;
}

Tensor Module::forward_tensor(const Tensor&) {
  detail::fail("Sequential", "module {} has no single-tensor forward", type_name());
}

}  // namespace spool::nn
