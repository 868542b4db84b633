// A module field that every handle of the module shares. A Module is a
// handle (copies share one state), so a plain field such as Dropout's p
// would be copied per handle: setting it on a member would leave the
// registered module unchanged. A SharedValue keeps the field's value in one
// place that copies share, with the syntax of a plain field:
//
//   net.drop.p = 0.0;         // the registered Dropout sees 0 too
//   double p = net.drop.p;
//
// Assigning a value writes through; assigning another SharedValue (as a
// module's copy assignment does) rebinds to its value, as a Tensor does.
#pragma once

#include <memory>
#include <utility>

namespace spool::nn {

template <typename T>
class SharedValue {
 public:
  SharedValue() : value_(std::make_shared<T>()) {}
  SharedValue(T value) : value_(std::make_shared<T>(std::move(value))) {}  // NOLINT: implicit, as a plain field
  // Copies share; no move, so a moved-from module's field still reads.
  SharedValue(const SharedValue&) = default;
  SharedValue& operator=(const SharedValue&) = default;
  SharedValue& operator=(T value) {
    *value_ = std::move(value);
    return *this;
  }
  operator const T&() const { return *value_; }  // NOLINT: reads as the plain value
  const T& get() const { return *value_; }

 private:
  std::shared_ptr<T> value_;
};

}  // namespace spool::nn
