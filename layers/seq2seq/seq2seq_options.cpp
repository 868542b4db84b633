#include "seq2seq_options.hpp"

#include <set>

#include "../../framework/core/error.hpp"

namespace spool::nn::detail {

void check_seq2seq_options(const char* op, const Seq2SeqOptions& o) {
  SPOOL_CHECK(o.source_vocab() > 0 && o.target_vocab() > 0, op, "vocabularies must be non-empty, got {} and {}",
              o.source_vocab(), o.target_vocab());
  SPOOL_CHECK(o.embedding_dim() > 0 && o.hidden_size() > 0 && o.num_layers() > 0, op,
              "embedding_dim, hidden_size and num_layers must be positive, got {}, {} and {}", o.embedding_dim(),
              o.hidden_size(), o.num_layers());
  SPOOL_CHECK(o.cell() == "lstm" || o.cell() == "gru", op, "cell must be \"lstm\" or \"gru\", got \"{}\"", o.cell());
  const std::string& a = o.attention();
  SPOOL_CHECK(a == "additive" || a == "dot" || a == "general" || a == "concat" || a == "none", op,
              "attention must be \"additive\", \"dot\", \"general\", \"concat\" or \"none\", got \"{}\"", a);
  const int64_t key_size = o.hidden_size() * (o.bidirectional() ? 2 : 1);
  SPOOL_CHECK(a != "dot" || key_size == o.hidden_size(), op,
              "the \"dot\" score needs the encoder's outputs ({}) as wide as the decoder's state ({}): use \"general\""
              " with a bidirectional encoder",
              key_size, o.hidden_size());
  SPOOL_CHECK(o.bridge() == "linear" || o.bridge() == "sum", op, "bridge must be \"linear\" or \"sum\", got \"{}\"",
              o.bridge());
  SPOOL_CHECK(o.dropout() >= 0 && o.dropout() < 1, op, "dropout must be in [0, 1), got {}", o.dropout());
  for (auto [name, id] : {std::pair{"pad_id", o.pad_id()}, {"bos_id", o.bos_id()}, {"eos_id", o.eos_id()}})
    SPOOL_CHECK(id >= 0 && id < o.target_vocab(), op, "{} {} is outside the target vocabulary [0, {})", name, id,
                o.target_vocab());
  const std::set<int64_t> special{o.pad_id(), o.bos_id(), o.eos_id()};
  SPOOL_CHECK(o.target_vocab() > static_cast<int64_t>(special.size()), op,
              "the target vocabulary ({}) has no token besides pad_id, bos_id and eos_id", o.target_vocab());
  SPOOL_CHECK(o.pad_id() < o.source_vocab(), op, "pad_id {} is outside the source vocabulary [0, {})", o.pad_id(),
              o.source_vocab());
}

}  // namespace spool::nn::detail
