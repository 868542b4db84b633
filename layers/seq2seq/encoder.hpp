// The encoder of nn::Seq2Seq: token embedding and a (bidirectional) LSTM or
// GRU stack over a padded batch with lengths.
//   nn::Seq2SeqEncoder encoder(options);
//   auto enc = encoder(source, lengths);  // enc.outputs [B, S, D * H]
#pragma once

#include "../basic/dropout.hpp"
#include "../basic/embedding.hpp"
#include "../recurrent/recurrent.hpp"
#include "seq2seq_options.hpp"

namespace spool::nn {

struct EncoderOutput {
  Tensor outputs;  // [B, S, D * H], zeros past each length
  Tensor h_n, c_n;  // [num_layers * D, B, H]; c_n for LSTM only
  Tensor lengths;   // int64 [B]
};

class Seq2SeqEncoder : public Module {
 public:
  Seq2SeqEncoder() = default;
  explicit Seq2SeqEncoder(const Seq2SeqOptions& options);
  // source int64 [B, S] (padded at the end), lengths int64 [B], each in [1, S].
  EncoderOutput forward(const Tensor& source, const Tensor& lengths);
  EncoderOutput operator()(const Tensor& source, const Tensor& lengths) { return forward(source, lengths); }
  // Size of each output step: hidden_size times the directions.
  int64_t output_size() const { return options_.hidden_size() * (options_.bidirectional() ? 2 : 1); }

  Embedding embedding;
  Dropout dropout;
  RecurrentStack rnn;  // LSTM or GRU, batch-first

 private:
  Seq2SeqOptions options_{1, 1};
};

}  // namespace spool::nn
