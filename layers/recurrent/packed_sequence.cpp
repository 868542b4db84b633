#include "packed_sequence.hpp"

#include <algorithm>
#include <numeric>

#include "../../ops/ops.hpp"

namespace spool::nn {

PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first, bool enforce_sorted) {
  const char* op = "pack_padded_sequence";
  SPOOL_CHECK(input.dim() >= 2, op, "input must have time and batch dims, got shape {}", input.sizes());
  const Tensor x = batch_first ? transpose(input, 0, 1) : input;
  const int64_t T = x.size(0), B = x.size(1);
  SPOOL_CHECK(lengths.dtype() == kInt64 && lengths.dim() == 1 && lengths.size(0) == B, op,
              "lengths must be int64 [{}], got {} of shape {}", B, dtype_name(lengths.dtype()), lengths.sizes());
  const auto len = lengths.to_vector<int64_t>();
  for (size_t b = 0; b < len.size(); ++b)
    SPOOL_CHECK(len[b] >= 1 && len[b] <= T, op, "length {} of sequence {} is outside [1, {}]", len[b], b, T);
  std::vector<int64_t> order(B);
  std::iota(order.begin(), order.end(), 0);
  if (enforce_sorted) {
    for (int64_t b = 1; b < B; ++b)
      SPOOL_CHECK(len[b] <= len[b - 1], op,
                  "lengths must be sorted in decreasing order with enforce_sorted=true, got {} after {}", len[b],
                  len[b - 1]);
  } else {
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return len[a] > len[b]; });
  }
  std::vector<int64_t> rows, batch_sizes, inverse(B);
  for (int64_t t = 0; t < T; ++t) {
    int64_t n = 0;
    for (int64_t i = 0; i < B && len[order[i]] > t; ++i, ++n) rows.push_back(t * B + order[i]);
    if (n == 0) break;
    batch_sizes.push_back(n);
  }
  for (int64_t i = 0; i < B; ++i) inverse[order[i]] = i;
  Shape flat_shape = x.sizes();
  flat_shape.erase(0);
  flat_shape[0] = T * B;
  const Tensor flat = reshape(x, flat_shape);
  return {index_select(flat, 0, tensor(rows)), tensor(batch_sizes), tensor(order), tensor(inverse)};
}

PaddedSequence pad_packed_sequence(const PackedSequence& seq, bool batch_first, double padding_value,
                                   std::optional<int64_t> total_length) {
  const char* op = "pad_packed_sequence";
  SPOOL_CHECK(seq.data.defined() && seq.batch_sizes.defined() && seq.sorted_indices.defined(), op,
              "incomplete PackedSequence");
  SPOOL_CHECK(seq.data.dim() >= 1 && seq.batch_sizes.dtype() == kInt64 && seq.batch_sizes.dim() == 1 &&
                  seq.sorted_indices.dtype() == kInt64 && seq.sorted_indices.dim() == 1,
              op, "a PackedSequence needs data [N, *] and int64 1-D batch_sizes and sorted_indices, got {}, {} {} and "
              "{} {}", seq.data.sizes(), dtype_name(seq.batch_sizes.dtype()), seq.batch_sizes.sizes(),
              dtype_name(seq.sorted_indices.dtype()), seq.sorted_indices.sizes());
  const auto sizes = seq.batch_sizes.to_vector<int64_t>();
  const auto order = seq.sorted_indices.to_vector<int64_t>();
  const int64_t T_max = static_cast<int64_t>(sizes.size()), B = static_cast<int64_t>(order.size());
  // sorted_indices must be a permutation of the batch: it places every row.
  std::vector<bool> seen(static_cast<size_t>(B), false);
  for (int64_t i = 0; i < B; ++i) {
    SPOOL_CHECK(order[i] >= 0 && order[i] < B && !seen[static_cast<size_t>(order[i])], op,
                "sorted_indices is not a permutation of 0..{}: entry {} is {}", B - 1, i, order[i]);
    seen[static_cast<size_t>(order[i])] = true;
  }
  SPOOL_CHECK(T_max == 0 || sizes[0] == B, op, "batch_sizes[0] is {}, but sorted_indices has {} entries",
              T_max ? sizes[0] : 0, B);
  const int64_t T = total_length.value_or(T_max);
  SPOOL_CHECK(T >= T_max, op, "total_length {} is shorter than the longest sequence ({})", T, T_max);
  int64_t total = 0;
  for (int64_t t = 0; t < T_max; ++t) {
    SPOOL_CHECK(sizes[t] >= 1 && sizes[t] <= B && (t == 0 || sizes[t] <= sizes[t - 1]), op,
                "invalid batch_sizes at step {}", t);
    total += sizes[t];
  }
  SPOOL_CHECK(seq.data.size(0) == total, op, "data has {} rows, batch_sizes sum to {}", seq.data.size(0), total);
  // Row of data for every (t, b) of the padded result; `total` names an extra padding row.
  std::vector<int64_t> pick(T * B, total), lengths(B, 0);
  int64_t row = 0;
  for (int64_t t = 0; t < T_max; ++t)
    for (int64_t i = 0; i < sizes[t]; ++i, ++row) {
      pick[t * B + order[i]] = row;
      lengths[order[i]] = t + 1;
    }
  Shape pad_shape = seq.data.sizes();
  pad_shape[0] = 1;
  const Tensor source = cat({seq.data, full(pad_shape, padding_value, seq.data.dtype())}, 0);
  Shape out_shape = seq.data.sizes();
  out_shape[0] = B;
  out_shape.insert(0, T);
  Tensor padded = reshape(index_select(source, 0, tensor(pick)), out_shape);
  if (batch_first) padded = transpose(padded, 0, 1);
  return {padded, tensor(lengths)};
}

Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first, double padding_value) {
  const char* op = "pad_sequence";
  SPOOL_CHECK(!sequences.empty(), op, "needs at least one sequence");
  const Tensor& first = sequences.front();
  SPOOL_CHECK(first.defined() && first.dim() >= 1, op, "sequence 0 must have a time dim, got shape {}",
              first.defined() ? first.sizes() : Shape{});
  Shape rest = first.sizes();
  rest.erase(0);
  int64_t longest = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const Tensor& s = sequences[i];
    SPOOL_CHECK(s.defined() && s.dim() >= 1, op, "sequence {} must have a time dim, got shape {}", i,
                s.defined() ? s.sizes() : Shape{});
    Shape r = s.sizes();
    r.erase(0);
    SPOOL_CHECK(r == rest && s.dtype() == first.dtype(), op,
                "sequence {} is {} of shape {}, sequence 0 is {} of shape {}: the shapes after the time dim and "
                "the dtypes must match", i, dtype_name(s.dtype()), s.sizes(), dtype_name(first.dtype()),
                first.sizes());
    longest = std::max(longest, s.size(0));
  }
  std::vector<Tensor> padded;
  padded.reserve(sequences.size());
  for (const Tensor& s : sequences) {
    if (s.size(0) == longest) {
      padded.push_back(s);
      continue;
    }
    Shape fill_shape = rest;
    fill_shape.insert(0, longest - s.size(0));
    padded.push_back(cat({s, full(fill_shape, padding_value, s.dtype())}, 0));
  }
  return stack(padded, batch_first ? 0 : 1);
}

std::vector<Tensor> unpad_sequence(const Tensor& padded, const Tensor& lengths, bool batch_first) {
  const char* op = "unpad_sequence";
  SPOOL_CHECK(padded.dim() >= 2, op, "padded must have time and batch dims, got shape {}", padded.sizes());
  const Tensor x = batch_first ? padded : transpose(padded, 0, 1);  // [B, T, *]
  const int64_t B = x.size(0), T = x.size(1);
  SPOOL_CHECK(lengths.dtype() == kInt64 && lengths.dim() == 1 && lengths.size(0) == B, op,
              "lengths must be int64 [{}], got {} of shape {}", B, dtype_name(lengths.dtype()), lengths.sizes());
  std::vector<Tensor> out;
  const auto len = lengths.to_vector<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    SPOOL_CHECK(len[b] >= 0 && len[b] <= T, op, "length {} of sequence {} is outside [0, {}]", len[b], b, T);
    out.push_back(narrow(select(x, 0, b), 0, 0, len[b]));
  }
  return out;
}

PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted) {
  const Tensor padded = pad_sequence(sequences);  // checks shapes and dtypes
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < sequences.size(); ++i) {
    SPOOL_CHECK(sequences[i].size(0) >= 1, "pack_sequence", "sequence {} is empty; packed sequences need a step", i);
    lengths.push_back(sequences[i].size(0));
  }
  return pack_padded_sequence(padded, tensor(lengths), false, enforce_sorted);
}

std::vector<Tensor> unpack_sequence(const PackedSequence& sequence) {
  auto [padded, lengths] = pad_packed_sequence(sequence, true);
  return unpad_sequence(padded, lengths, true);
}

PackedRecurrentOutput RecurrentStack::forward(const PackedSequence& input, const RecurrentInput& extra) {
  SPOOL_CHECK(!extra.lengths.defined(), type_name().c_str(),
              "a packed input carries its own lengths; pass them only with a padded input");
  SPOOL_CHECK(input.data.defined() && input.data.dim() == 2, type_name().c_str(),
              "packed input data must be [N, input_size], got shape {}",
              input.data.defined() ? input.data.sizes() : Shape{});
  const bool batch_first = options().batch_first();
  auto [padded, lengths] = pad_packed_sequence(input, batch_first);
  RecurrentInput with_lengths = extra;
  with_lengths.lengths = lengths;
  RecurrentOutput out = forward(padded, with_lengths);
  return {pack_padded_sequence(out.output, lengths, batch_first, false), out.h_n, out.c_n};
}

PackedRecurrentOutput RecurrentStack::operator()(const PackedSequence& input, const RecurrentInput& extra) {
  return forward(input, extra);
}

}  // namespace spool::nn
