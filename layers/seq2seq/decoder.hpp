// The decoder of nn::Seq2Seq, one step at a time (for decoding and for
// training with predicted inputs) or over a whole teacher-forced target:
//   embedding of the previous token (+ the previous attentional vector when
//   input feeding) -> LSTM / GRU cells -> attention over the encoder outputs
//   with the source padding masked -> attentional = tanh(combine([h; context]))
//   -> logits = generator(attentional)   (tied: the target embedding's weights)
// Without attention the context of every step is the encoder's final state,
// which also joins each step's input.
#pragma once

#include "../attention/additive_attention.hpp"
#include "../attention/luong_attention.hpp"
#include "../basic/dropout.hpp"
#include "../basic/embedding.hpp"
#include "../basic/linear.hpp"
#include "../recurrent/recurrent.hpp"
#include "encoder.hpp"

namespace spool::nn {

// What the decoder reads from the encoder, fixed for a batch: the outputs
// prepared for the attention, or (attention "none") the context of every step.
struct Seq2SeqMemory {
  AttentionMemory attention;
  Tensor context;  // [B, D * H] without attention
  Tensor lengths;  // int64 [B], the source lengths
  // The decoder's per-step weights packed once for this batch's steps (a
  // product at every step would pack them again), and the folded biases:
  // the values at memory() time, so make a new memory after the weights change.
  // Layer 0's input is [embedding; feed; context]: its W_ih splits into the
  // embedding's columns (w_embed, whose product for a teacher-forced target
  // runs for all steps at once) and the rest (w_rest).
  struct StepWeights {
    PackedWeight w_embed, w_rest;
    std::vector<PackedWeight> w_ih, w_hh;  // w_ih for layers 1...
    std::vector<Tensor> bias;              // what each layer's input projection adds: b_ih (+ b_hh for LSTM)
    PackedWeight combine;
    Tensor owner;  // the decoder's first W_ih: a step checks the memory is its own
  };
  std::shared_ptr<const StepWeights> step_weights;
  // The memory of batch rows `index` (beam search keeps several rows per input).
  Seq2SeqMemory index_select(const Tensor& index) const;
};

struct DecoderState {
  std::vector<CellState> layers;  // one per decoder layer, [B, H]
  Tensor feed;                    // [B, O]: the last attentional vector (input feeding)
  DecoderState index_select(const Tensor& index) const;
};

struct DecoderStep {
  Tensor output;   // [B, O]: the attentional vector, the generator's input
  Tensor weights;  // [B, S]: attention weights (undefined without attention)
  DecoderState state;
};

class Seq2SeqDecoder : public Module {
 public:
  Seq2SeqDecoder() = default;
  explicit Seq2SeqDecoder(const Seq2SeqOptions& options);

  Seq2SeqMemory memory(const EncoderOutput& encoded);
  // The state before the first step: `layers` from the bridge, a zero feed.
  DecoderState initial_state(std::vector<CellState> layers) const;
  // One step from the previous tokens int64 [B].
  DecoderStep step(const Tensor& tokens, const DecoderState& state, const Seq2SeqMemory& memory);
  // The embedding's part of layer 0's input projection (with its bias) for
  // tokens int64 [B] or [B, T]: [..., G * H]. A teacher-forced target's
  // tokens are known up front, so this runs once for all steps.
  Tensor embed_projection(const Tensor& tokens, const Seq2SeqMemory& memory);
  // One step from embed_projection of its tokens [B, G * H].
  DecoderStep step_projected(const Tensor& embedded, const DecoderState& state, const Seq2SeqMemory& memory);
  // Every step of a teacher-forced target int64 [B, T] at once (the cells as
  // one recurrent stack, attention for all steps in one product); needs
  // input_feeding off. Returns the attentional vectors [B, T, O] (weights
  // [B, T, S] in `weights` when asked).
  Tensor forward_sequence(const Tensor& tokens, const DecoderState& state, const Seq2SeqMemory& memory,
                          Tensor* weights = nullptr);
  // Logits over the target vocabulary from attentional vectors [..., O].
  Tensor logits(const Tensor& output);
  // Width of the attentional vector: embedding_dim when tied, else hidden_size.
  int64_t output_size() const;

  Embedding embedding;
  Dropout dropout;
  RecurrentStack rnn;           // one direction, batch-first; its weights also run the steps
  AdditiveAttention additive;   // attention "additive"
  LuongAttention luong;         // "dot", "general", "concat"
  Linear combine;               // [h; context] -> attentional, no bias
  Linear generator;             // attentional -> logits (undefined when tied)
  Tensor output_bias;           // the tied generator's bias [V]

 private:
  AttentionOutput attend(const Tensor& h, const Seq2SeqMemory& memory);
  void check_memory(const Seq2SeqMemory& memory) const;
  Seq2SeqOptions options_{1, 1};
  CellKind kind_ = CellKind::Lstm;
  struct LayerWeights {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  std::vector<LayerWeights> weights_;  // rnn's, per layer (the same tensors)
};

}  // namespace spool::nn
