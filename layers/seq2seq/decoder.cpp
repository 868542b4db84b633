#include "decoder.hpp"

namespace spool::nn {

namespace {
constexpr const char* kOp = "Seq2SeqDecoder";
Tensor rows(const Tensor& t, const Tensor& index) { return t.defined() ? index_select(t, 0, index) : t; }
}  // namespace

Seq2SeqMemory Seq2SeqMemory::index_select(const Tensor& index) const {
  return {attention.index_select(index), rows(context, index), rows(lengths, index), step_weights};
}

DecoderState DecoderState::index_select(const Tensor& index) const {
  DecoderState s{{}, rows(feed, index)};
  for (const CellState& l : layers) s.layers.push_back({rows(l.h, index), rows(l.c, index)});
  return s;
}

Seq2SeqDecoder::Seq2SeqDecoder(const Seq2SeqOptions& o) : Module(kOp), options_(o) {
  detail::check_seq2seq_options(kOp, o);
  const int64_t E = o.embedding_dim(), H = o.hidden_size(), C = H * (o.bidirectional() ? 2 : 1), O = output_size();
  const bool attention = o.attention() != "none";
  embedding = register_module("embedding", Embedding(EmbeddingOptions(o.target_vocab(), E).padding_idx(o.pad_id())));
  dropout = register_module("dropout", Dropout(o.dropout()));
  const int64_t input_size = E + (o.input_feeding() ? O : 0) + (attention ? 0 : C);
  kind_ = o.cell() == "lstm" ? CellKind::Lstm : CellKind::Gru;
  if (kind_ == CellKind::Lstm) {
    rnn = register_module("rnn", LSTM(LSTMOptions(input_size, H).num_layers(o.num_layers()).dropout(o.dropout()).batch_first(true)));
  } else {
    rnn = register_module("rnn", GRU(GRUOptions(input_size, H).num_layers(o.num_layers()).dropout(o.dropout()).batch_first(true)));
  }
  for (int64_t l = 0; l < o.num_layers(); ++l) {
    auto p = [&](const char* name) { return rnn.parameter(fmt::format("{}_l{}", name, l)); };
    weights_.push_back({p("weight_ih"), p("weight_hh"), p("bias_ih"), p("bias_hh")});
  }
  if (o.attention() == "additive") additive = register_module("attention", AdditiveAttention(H, C, H));
  if (attention && o.attention() != "additive") luong = register_module("attention", LuongAttention(H, C, o.attention(), H));
  combine = register_module("combine", Linear(H + C, O, false));
  if (o.tie_weights()) {
    output_bias = register_parameter("output_bias", zeros({o.target_vocab()}));
  } else {
    generator = register_module("generator", Linear(O, o.target_vocab()));
  }
}

void Seq2SeqDecoder::check_memory(const Seq2SeqMemory& memory) const {
  check_defined(kOp);
  SPOOL_CHECK(memory.step_weights != nullptr && memory.step_weights->owner.is_same(weights_[0].w_ih), kOp,
              "the memory was not made by this decoder's memory() (another model's, or default-constructed)");
}

int64_t Seq2SeqDecoder::output_size() const { return options_.tie_weights() ? options_.embedding_dim() : options_.hidden_size(); }

Seq2SeqMemory Seq2SeqDecoder::memory(const EncoderOutput& enc) {
  check_defined(kOp);
  Seq2SeqMemory m;
  m.lengths = enc.lengths;
  auto w = std::make_shared<Seq2SeqMemory::StepWeights>();
  const int64_t E = options_.embedding_dim(), rest = weights_[0].w_ih.size(1) - E;
  w->w_embed = PackedWeight(narrow(weights_[0].w_ih, 1, 0, E));
  if (rest > 0) w->w_rest = PackedWeight(narrow(weights_[0].w_ih, 1, E, rest));
  for (size_t l = 0; l < weights_.size(); ++l) {
    const LayerWeights& lw = weights_[l];
    w->w_ih.push_back(l == 0 ? PackedWeight() : PackedWeight(lw.w_ih));
    w->w_hh.emplace_back(lw.w_hh);
    w->bias.push_back(kind_ != CellKind::Gru && lw.b_hh.defined() ? lw.b_ih + lw.b_hh : lw.b_ih);
  }
  w->combine = PackedWeight(combine.weight);
  w->owner = weights_[0].w_ih;
  m.step_weights = std::move(w);
  if (additive.defined()) m.attention = additive.memory(enc.outputs, {.lengths = enc.lengths});
  if (luong.defined()) m.attention = luong.memory(enc.outputs, {.lengths = enc.lengths});
  if (options_.attention() == "none") {
    // The top layer's final states, directions side by side: [B, D * H].
    const int64_t D = options_.bidirectional() ? 2 : 1, L = options_.num_layers();
    m.context = reshape(transpose(narrow(enc.h_n, 0, (L - 1) * D, D), 0, 1), {enc.h_n.size(1), D * options_.hidden_size()});
  }
  return m;
}

DecoderState Seq2SeqDecoder::initial_state(std::vector<CellState> layers) const {
  SPOOL_CHECK(static_cast<int64_t>(layers.size()) == options_.num_layers() && !layers.empty() && layers[0].h.defined(),
              kOp, "needs one initial state per layer ({}), got {}", options_.num_layers(), layers.size());
  DecoderState s{std::move(layers), Tensor()};
  if (options_.input_feeding()) s.feed = zeros({s.layers[0].h.size(0), output_size()}, s.layers[0].h.dtype());
  return s;
}

AttentionOutput Seq2SeqDecoder::attend(const Tensor& h, const Seq2SeqMemory& memory) {
  if (additive.defined()) return additive.attend(h, memory.attention);
  if (luong.defined()) return luong.attend(h, memory.attention);
  if (h.dim() == 2) return {memory.context, Tensor()};
  return {expand(unsqueeze(memory.context, 1), {h.size(0), h.size(1), memory.context.size(1)}), Tensor()};
}

DecoderStep Seq2SeqDecoder::step(const Tensor& tokens, const DecoderState& state, const Seq2SeqMemory& memory) {
  check_defined(kOp);
  SPOOL_CHECK(tokens.dim() == 1 && tokens.dtype() == kInt64, kOp, "a step takes int64 tokens [B], got {} of shape {}",
              dtype_name(tokens.dtype()), tokens.sizes());
  return step_projected(embed_projection(tokens, memory), state, memory);
}

Tensor Seq2SeqDecoder::embed_projection(const Tensor& tokens, const Seq2SeqMemory& memory) {
  check_memory(memory);
  return linear(dropout(embedding(tokens)), memory.step_weights->w_embed, memory.step_weights->bias[0]);
}

DecoderStep Seq2SeqDecoder::step_projected(const Tensor& embedded, const DecoderState& state,
                                           const Seq2SeqMemory& memory) {
  check_memory(memory);
  const Seq2SeqMemory::StepWeights& packed = *memory.step_weights;
  const int64_t L = options_.num_layers();
  SPOOL_CHECK(static_cast<int64_t>(state.layers.size()) == L && state.layers[0].h.size(0) == embedded.size(0), kOp,
              "the state ({} layers) does not fit a batch of {}", state.layers.size(), embedded.size(0));
  // Layer 0's input projection: the embedding's part given, the fed vector's and the context's added.
  std::vector<Tensor> rest;
  if (options_.input_feeding()) rest.push_back(state.feed);
  if (memory.context.defined()) rest.push_back(memory.context);
  Tensor x_proj = rest.empty() ? embedded : linear(rest.size() == 1 ? rest[0] : cat(rest, 1), packed.w_rest, embedded);
  DecoderStep out;
  Tensor x;
  for (int64_t l = 0; l < L; ++l) {
    const LayerWeights& w = weights_[l];
    if (l > 0) x_proj = linear(x, packed.w_ih[l], packed.bias[l]);
    const CellState s = cell_step(kind_, x_proj, state.layers[l], w.w_hh, w.b_hh, packed.w_hh[l]);
    out.state.layers.push_back(s);
    x = s.h;
    if (l + 1 < L && options_.dropout() > 0) x = spool::dropout(x, options_.dropout(), is_training());
  }
  const AttentionOutput a = attend(x, memory);
  out.output = tanh(linear(cat({x, a.output}, 1), packed.combine));
  out.weights = a.weights;
  if (options_.input_feeding()) out.state.feed = out.output;
  return out;
}

Tensor Seq2SeqDecoder::forward_sequence(const Tensor& tokens, const DecoderState& state, const Seq2SeqMemory& memory,
                                        Tensor* weights) {
  check_defined(kOp);
  SPOOL_CHECK(!options_.input_feeding(), kOp,
              "forward_sequence needs input_feeding off (each step's input then depends on the previous step's output)");
  SPOOL_CHECK(tokens.dim() == 2 && tokens.dtype() == kInt64, kOp, "tokens must be int64 [B, T], got {} of shape {}",
              dtype_name(tokens.dtype()), tokens.sizes());
  Tensor x = dropout(embedding(tokens));  // [B, T, E]
  if (memory.context.defined())
    x = cat({x, expand(unsqueeze(memory.context, 1), {x.size(0), x.size(1), memory.context.size(1)})}, 2);
  std::vector<Tensor> h0, c0;
  for (const CellState& s : state.layers) {
    h0.push_back(s.h);
    if (s.c.defined()) c0.push_back(s.c);
  }
  const RecurrentOutput r = rnn(x, {.h0 = stack(h0), .c0 = c0.empty() ? Tensor() : stack(c0)});
  const AttentionOutput a = attend(r.output, memory);  // queries [B, T, H]
  if (weights != nullptr) *weights = a.weights;
  return tanh(combine(cat({r.output, a.output}, 2)));
}

Tensor Seq2SeqDecoder::logits(const Tensor& output) {
  check_defined(kOp);
  const Tensor x = dropout(output);
  return generator.defined() ? generator(x) : linear(x, embedding.weight, output_bias);
}

}  // namespace spool::nn
