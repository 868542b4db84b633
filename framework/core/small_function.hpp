// A move-only std::function with room for the closure inside it. Every
// recorded op stores one backward closure; std::function keeps only 16 bytes
// inline, so most closures (two saved tensors and a scalar) cost a heap
// allocation. Here closures up to Capacity bytes live in the object; larger
// ones go to the small-object pool.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "small_object_pool.hpp"

namespace spool {

template <typename Signature, size_t Capacity = 64>
class SmallFunction;

template <typename R, typename... Args, size_t Capacity>
class SmallFunction<R(Args...), Capacity> {
 public:
  SmallFunction() = default;
  SmallFunction(std::nullptr_t) {}  // NOLINT: like std::function
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, SmallFunction> &&
                                                    std::is_invocable_r_v<R, std::decay_t<F>&, Args...>>>
  SmallFunction(F&& f) {  // NOLINT: implicit, like std::function
    using Fn = std::decay_t<F>;
    if constexpr (fits<Fn>()) {
      new (storage_) Fn(std::forward<F>(f));
    } else {
      void* p = detail::pooled_allocate(sizeof(Fn));
      try {
        new (p) Fn(std::forward<F>(f));
      } catch (...) {
        detail::pooled_deallocate(p, sizeof(Fn));
        throw;
      }
      *reinterpret_cast<void**>(storage_) = p;
    }
    ops_ = &ops_for<Fn>;
  }
  SmallFunction(SmallFunction&& other) noexcept { take(other); }
  SmallFunction& operator=(SmallFunction&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  SmallFunction& operator=(std::nullptr_t) {
    reset();
    return *this;
  }
  SmallFunction(const SmallFunction&) = delete;
  SmallFunction& operator=(const SmallFunction&) = delete;
  ~SmallFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(Args... args) const { return ops_->invoke(const_cast<unsigned char*>(storage_), std::forward<Args>(args)...); }

 private:
  template <typename Fn>
  static constexpr bool fits() {
    return sizeof(Fn) <= Capacity && alignof(Fn) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<Fn>;
  }
  template <typename Fn>
  static Fn* target(void* storage) {
    if constexpr (fits<Fn>()) return std::launder(reinterpret_cast<Fn*>(storage));
    else return static_cast<Fn*>(*reinterpret_cast<void**>(storage));
  }

  struct Ops {
    R (*invoke)(void* storage, Args&&... args);
    void (*destroy)(void* storage);
    void (*move)(void* to, void* from);  // leaves `from` destroyed
  };
  template <typename Fn>
  static constexpr Ops ops_for{
      [](void* s, Args&&... args) -> R { return (*target<Fn>(s))(std::forward<Args>(args)...); },
      [](void* s) {
        Fn* f = target<Fn>(s);
        f->~Fn();
        if constexpr (!fits<Fn>()) detail::pooled_deallocate(f, sizeof(Fn));
      },
      [](void* to, void* from) {
        if constexpr (fits<Fn>()) {
          Fn* f = target<Fn>(from);
          new (to) Fn(std::move(*f));
          f->~Fn();
        } else {
          *reinterpret_cast<void**>(to) = *reinterpret_cast<void**>(from);
        }
      }};

  void reset() {
    if (ops_) {
      const Ops* ops = ops_;
      ops_ = nullptr;
      ops->destroy(storage_);  // may release tensors whose destructors run arbitrary code
    }
  }
  void take(SmallFunction& other) {
    if (!other.ops_) return;
    other.ops_->move(storage_, other.storage_);
    ops_ = other.ops_;
    other.ops_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace spool
