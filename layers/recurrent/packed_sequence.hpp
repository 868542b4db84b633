// Packed variable-length batches and lists of sequences, as torch.nn.utils.rnn:
//
//   auto packed = nn::pack_padded_sequence(x, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
//   auto r = lstm(packed);                       // r.output is packed too
//   auto [padded, lens] = nn::pad_packed_sequence(r.output, /*batch_first=*/true);
//
// data holds the steps of all sequences, time step by time step, longest
// sequences first within each step; batch_sizes[t] is how many sequences
// have a step t.
#pragma once

#include <optional>

#include "recurrent.hpp"

namespace spool::nn {

struct PackedSequence {
  Tensor data;              // [sum(lengths), *]
  Tensor batch_sizes;       // int64 [T]
  Tensor sorted_indices;    // int64 [B]: batch index of the i-th longest sequence
  Tensor unsorted_indices;  // int64 [B]: inverse of sorted_indices
};

// input [T, B, *] ([B, T, *] with batch_first) and lengths (int64 [B], each
// in [1, T]). With enforce_sorted, lengths must be non-increasing.
PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first = false,
                                    bool enforce_sorted = true);

struct PaddedSequence {
  Tensor padded, lengths;  // auto [padded, lengths] = pad_packed_sequence(p);
};
// total_length pads to more steps than the longest sequence.
PaddedSequence pad_packed_sequence(const PackedSequence& sequence, bool batch_first = false,
                                   double padding_value = 0.0, std::optional<int64_t> total_length = std::nullopt);

// PyTorch's torch.nn.utils.rnn.pad_sequence (not Keras' pad_sequences,
// spool::keras::pad_sequences in framework/data/tokenizer.hpp, which pads
// index lists at the front): a list of tensors [L_i, *] (same trailing shape
// and dtype, L_i >= 0) padded at the END to the longest, [max L, B, *]
// (time-major), or [B, max L, *] with batch_first. End padding is what
// recurrent `lengths` expect: pass the L_i as lengths. Recorded: each
// sequence gets its gradient back.
Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first = false, double padding_value = 0.0);
// The inverse: sequence b of a padded batch as a [lengths[b], *] view.
std::vector<Tensor> unpad_sequence(const Tensor& padded, const Tensor& lengths, bool batch_first = false);
// pack_padded_sequence of a list of sequences (each L_i >= 1); with
// enforce_sorted, longest first.
PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted = true);
// The sequences of a packed batch, in their original order.
std::vector<Tensor> unpack_sequence(const PackedSequence& sequence);

struct PackedRecurrentOutput {
  PackedSequence output;
  Tensor h_n, c_n;  // in the batch's original order
};
// rnn(packed, extra), declared in recurrent.hpp, returns this (h0 / c0 in the original order).

}  // namespace spool::nn
