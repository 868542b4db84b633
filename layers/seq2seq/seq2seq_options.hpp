// Options of an RNN encoder-decoder (nn::Seq2Seq and its parts), with the
// choices sequence-to-sequence papers vary: the cell, a bidirectional
// encoder, the attention score (or none), how the encoder's final states
// start the decoder, input feeding, tied output weights.
//   auto o = nn::Seq2SeqOptions(/*source_vocab=*/8000, /*target_vocab=*/8000)
//                .embedding_dim(256).hidden_size(512).attention("general").tie_weights(true);
#pragma once

#include <string>

#include "../../framework/core/options.hpp"

namespace spool::nn {

class Seq2SeqOptions {
 public:
  using Self = Seq2SeqOptions;
  Seq2SeqOptions(int64_t source_vocab, int64_t target_vocab) : source_vocab_(source_vocab), target_vocab_(target_vocab) {}
  SPOOL_ARG(int64_t, source_vocab);
  SPOOL_ARG(int64_t, target_vocab);
  SPOOL_ARG(int64_t, embedding_dim) = 128;
  // Per direction in the encoder; the decoder's state size.
  SPOOL_ARG(int64_t, hidden_size) = 256;
  // Layers of the encoder and of the decoder.
  SPOOL_ARG(int64_t, num_layers) = 1;
  SPOOL_ARG(std::string, cell) = "lstm";  // or "gru"
  SPOOL_ARG(bool, bidirectional) = true;  // the encoder
  // "additive" (Bahdanau), Luong's "dot", "general" or "concat", or "none":
  // then the encoder's final state (top layer, directions concatenated) is
  // the context of every step, as in a Keras encoder-decoder that repeats it
  // over the target length (Cho et al. 2014).
  SPOOL_ARG(std::string, attention) = "additive";
  // The decoder's initial state from a bidirectional encoder's final states:
  // "linear" (both directions concatenated, then a Linear per layer) or
  // "sum" (the directions added; a unidirectional encoder's pass unchanged).
  SPOOL_ARG(std::string, bridge) = "linear";
  // The previous step's attentional vector joins the next step's input (Luong et al. 2015).
  SPOOL_ARG(bool, input_feeding) = true;
  // The output projection reuses the target embedding's weights (Press & Wolf 2017).
  SPOOL_ARG(bool, tie_weights) = false;
  // On the embeddings, between recurrent layers and before the output projection, in training.
  SPOOL_ARG(double, dropout) = 0.0;
  SPOOL_ARG(int64_t, pad_id) = 0;
  SPOOL_ARG(int64_t, bos_id) = 1;
  SPOOL_ARG(int64_t, eos_id) = 2;
};

namespace detail {
// Checks every option for `op`.
void check_seq2seq_options(const char* op, const Seq2SeqOptions& o);
}  // namespace detail

}  // namespace spool::nn
