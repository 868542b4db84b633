#include "encoder.hpp"

namespace spool::nn {

Seq2SeqEncoder::Seq2SeqEncoder(const Seq2SeqOptions& o) : Module("Seq2SeqEncoder"), options_(o) {
  detail::check_seq2seq_options("Seq2SeqEncoder", o);
  embedding = register_module("embedding", Embedding(EmbeddingOptions(o.source_vocab(), o.embedding_dim()).padding_idx(o.pad_id())));
  dropout = register_module("dropout", Dropout(o.dropout()));
  if (o.cell() == "lstm") {
    rnn = register_module("rnn", LSTM(LSTMOptions(o.embedding_dim(), o.hidden_size())
                                          .num_layers(o.num_layers())
                                          .bidirectional(o.bidirectional())
                                          .dropout(o.dropout())
                                          .batch_first(true)));
  } else {
    rnn = register_module("rnn", GRU(GRUOptions(o.embedding_dim(), o.hidden_size())
                                         .num_layers(o.num_layers())
                                         .bidirectional(o.bidirectional())
                                         .dropout(o.dropout())
                                         .batch_first(true)));
  }
}

EncoderOutput Seq2SeqEncoder::forward(const Tensor& source, const Tensor& lengths) {
  check_defined("Seq2SeqEncoder");
  const char* op = "Seq2SeqEncoder";
  SPOOL_CHECK(source.dim() == 2 && source.dtype() == kInt64, op, "source must be int64 [B, S] token ids, got {} of shape {}",
              dtype_name(source.dtype()), source.sizes());
  const int64_t B = source.size(0), S = source.size(1);
  SPOOL_CHECK(lengths.defined() && lengths.dtype() == kInt64 && lengths.sizes() == Shape{B}, op,
              "lengths must be int64 [{}] for a source of shape {}, got {}", B, source.sizes(),
              lengths.defined() ? fmt::format("{} of shape {}", dtype_name(lengths.dtype()), lengths.sizes()) : "none");
  for (int64_t l : lengths.to_vector<int64_t>())
    SPOOL_CHECK(l >= 1 && l <= S, op, "length {} is outside [1, {}] (the source's length)", l, S);
  RecurrentOutput r = rnn(dropout(embedding(source)), {.lengths = lengths});
  note_output_shape(r.output.sizes());
  return {r.output, r.h_n, r.c_n, lengths};
}

}  // namespace spool::nn
