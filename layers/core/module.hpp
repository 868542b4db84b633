// Module: the base of every layer. A module is a handle: copies share the
// same parameters, children and train/eval flag, so a member initialized
// from register_module(...) is the registered module itself. A layer keeps
// its other state so too: options fixed at construction (read through
// options()), and fields users change (Dropout's p) in a SharedValue.
//
//   struct Tagger : nn::Module {
//     Tagger(int64_t vocab, int64_t hidden, int64_t tags)
//         : Module("Tagger"),
//           emb(register_module("emb", nn::Embedding(vocab, hidden))),
//           out(register_module("out", nn::Linear(hidden, tags))) {}
//     Tensor forward(const Tensor& tokens) { return out(emb(tokens)); }
//     nn::Embedding emb;
//     nn::Linear out;
//   };
//
// Only what is registered (register_module, register_parameter,
// register_buffer) is part of the model: a member module or tensor that is
// not is missing from parameters(), state_dict(), save() and train()/eval(),
// and so is not trained or saved. LibTorch behaves the same (Python's
// torch.nn registers on attribute assignment; C++ cannot see members).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../../framework/core/tensor.hpp"

namespace spool::nn {

// Name -> tensor in insertion order, like PyTorch's OrderedDict state_dict.
class StateDict {
 public:
  // Adds an entry; a name already present is an error (as torch::OrderedDict::insert).
  void insert(const std::string& name, const Tensor& t);
  // Adds or replaces (as sd[name] = t in Python).
  void set(const std::string& name, const Tensor& t);
  bool contains(const std::string& name) const { return index_.count(name) > 0; }
  const Tensor& at(const std::string& name) const;
  size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::pair<std::string, Tensor>> items_;
  std::unordered_map<std::string, size_t> index_;
};

// What a non-strict load_state_dict skipped.
struct LoadResult {
  std::vector<std::string> missing_keys, unexpected_keys;
};

// Every module behaves as in eval() (no dropout) on this thread while the
// guard lives, without touching any module's own flag: a decoding call can
// run in eval mode while another thread trains the same model.
class EvalModeGuard {
 public:
  EvalModeGuard();
  ~EvalModeGuard();
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;
  static bool active();

 private:
  bool saved_;
};

class Module {
 public:
  // A module that has not been constructed: using it is an error.
  Module() = default;
  explicit Module(std::string type_name);
  virtual ~Module() = default;

  bool defined() const { return state_ != nullptr; }
  const std::string& type_name() const;

  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  // One parameter by dotted name ("lstm.weight_ih_l0"); throws if absent.
  Tensor parameter(const std::string& name) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  // Direct children in registration order (a reference into the shared state).
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const;
  // This module and every descendant, with dotted names ("" for this one).
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules() const;

  // train(false) == eval(); applies to every descendant.
  void train(bool on = true);
  void eval() { train(false); }
  // False in eval mode, and on a thread inside an EvalModeGuard.
  bool is_training() const;
  // Drops every parameter's gradient.
  void zero_grad();
  // Converts every floating parameter and buffer of this module and its
  // children to `dtype` in place (they stay the same leaves, with
  // requires_grad; gradients are dropped), as LibTorch's module->to(kDouble):
  // a model converted to float64 runs forward and backward in float64.
  Module& to(ScalarType dtype);

  // Parameters and buffers with dotted names, in registration order.
  StateDict state_dict() const;
  // Copies values into the existing tensors. Strict: every key must match
  // both ways; shapes and dtypes must always match.
  LoadResult load_state_dict(const StateDict& dict, bool strict = true);

  // state_dict to a safetensors file (atomic write), and back; files written
  // by tools/export_torch.py from a PyTorch model load unchanged.
  void save(const std::string& path) const;
  LoadResult load(const std::string& path, bool strict = true);

  // PyTorch-style repr: "Linear(in_features=4, out_features=2, bias=True)".
  std::string repr() const;
  // Keras-style table: layers, output shapes seen in the last forward, parameter counts.
  std::string summary() const;
  int64_t num_parameters(bool trainable_only = false) const;

  // Text inside the parentheses of repr() for leaf modules.
  virtual std::string extra_repr() const { return ""; }
  // Single-tensor forward used by Sequential; modules with richer results
  // (recurrent layers) return their main output here.
  virtual Tensor forward_tensor(const Tensor& input);

 protected:
  Tensor& register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor& register_buffer(const std::string& name, Tensor t);
  template <typename M>
  M& register_module(const std::string& name, M module) {
    auto held = std::make_shared<M>(std::move(module));
    add_child(name, held);
    return *held;
  }
  // Layers call this in forward so summary() can show output shapes.
  void note_output_shape(const Shape& shape) const;
  // Throws a clear error when the module was default-constructed.
  void check_defined(const char* what) const;

 private:
  struct State;
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  State& state() const;
  std::shared_ptr<State> state_;
};

}  // namespace spool::nn
