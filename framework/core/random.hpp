// The random generator behind rand, randn, dropout and initializers. One
// global generator guarded by a lock, so two threads running one model's
// forward do not race; manual_seed makes every random op reproducible.
#pragma once

#include <cstdint>

#include "tensor.hpp"

namespace spool {

void manual_seed(uint64_t seed);

// Uniform in [low, high).
Tensor rand(const Shape& sizes, ScalarType dtype = kFloat32);
Tensor uniform(const Shape& sizes, double low, double high, ScalarType dtype = kFloat32);
// Standard normal.
Tensor randn(const Shape& sizes, ScalarType dtype = kFloat32);
Tensor normal(const Shape& sizes, double mean, double stddev, ScalarType dtype = kFloat32);
// rand / randn of t's shape and dtype.
Tensor rand_like(const Tensor& t);
Tensor randn_like(const Tensor& t);
// Integers uniform in [low, high).
Tensor randint(int64_t low, int64_t high, const Shape& sizes);
// Bernoulli(p) as 0/1 of the given dtype.
Tensor bernoulli(const Shape& sizes, double p, ScalarType dtype = kFloat32);
// A random permutation of 0..n-1 (int64).
Tensor randperm(int64_t n);
// Indices drawn from the categories of each row of `weights` ([C] or [N, C],
// non-negative, finite, not all zero; need not sum to 1), as torch.multinomial:
// int64 [num_samples] or [N, num_samples]. Without replacement a category is
// drawn at most once per row, so a row needs num_samples non-zero weights.
Tensor multinomial(const Tensor& weights, int64_t num_samples, bool replacement = false);

// In-place fills (under the hood of initializers): not recorded.
void uniform_(Tensor& t, double low, double high);
void normal_(Tensor& t, double mean, double stddev);

}  // namespace spool
