// Chainable named arguments for option types, as LibTorch's TORCH_ARG:
// each SPOOL_ARG declares a private field `name_`, a getter `name()` and a
// setter `name(value)` that returns the options object for chaining.
//
//   class LinearOptions {
//    public:
//     using Self = LinearOptions;  // what setters return
//     LinearOptions(int64_t in, int64_t out) : in_features_(in), out_features_(out) {}
//     SPOOL_ARG(int64_t, in_features);
//     SPOOL_ARG(bool, bias) = true;
//   };
//   auto o = LinearOptions(4, 2).bias(false);  // o.bias() == false
//
// In a base shared by several option types, make Self the derived type
// (template <typename Self> class Base), so a chain of shared setters keeps
// its type: AdamWOptions(1e-3).weight_decay(0.1) is an AdamWOptions&.
#pragma once

#include <utility>

// The access level after SPOOL_ARG is private: list the args last, or say
// `public:` again.
#define SPOOL_ARG(T, name)                               \
 public:                                                 \
  Self& name(T value) {                                  \
    this->name##_ = std::move(value);                    \
    return static_cast<Self&>(*this);                    \
  }                                                      \
  const T& name() const noexcept { return this->name##_; } \
                                                         \
 private:                                                \
  T name##_
