#include "recurrent.hpp"

#include "../../framework/core/threading.hpp"
#include "../../ops/ops.hpp"

namespace spool::nn {

const RecurrentOptionsBase& RecurrentStack::options() const {
  check_defined("options");
  return std::visit([](const auto& o) -> const RecurrentOptionsBase& { return o; }, options_);
}

RecurrentStack::RecurrentStack(const char* name, CellKind kind, AnyOptions any)
    : Module(name), options_(std::move(any)), kind_(kind) {
  const RecurrentOptionsBase& o = options();
  SPOOL_CHECK(o.input_size() > 0 && o.hidden_size() > 0, name,
              "input_size and hidden_size must be positive, got {} and {}", o.input_size(), o.hidden_size());
  SPOOL_CHECK(o.num_layers() >= 1, name, "num_layers must be at least 1, got {}", o.num_layers());
  SPOOL_CHECK(o.dropout() >= 0 && o.dropout() <= 1, name, "dropout must be in [0, 1], got {}", o.dropout());
  const int64_t H = o.hidden_size(), G = gate_count(kind) * H, D = o.bidirectional() ? 2 : 1;
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    for (int64_t dir = 0; dir < D; ++dir) {
      const std::string suffix = "_l" + std::to_string(layer) + (dir ? "_reverse" : "");
      const int64_t in = layer == 0 ? o.input_size() : D * H;
      Weights w;
      w.w_ih = register_parameter("weight_ih" + suffix, recurrent_init({G, in}, H));
      w.w_hh = register_parameter("weight_hh" + suffix, recurrent_init({G, H}, H));
      if (o.bias()) {
        w.b_ih = register_parameter("bias_ih" + suffix, recurrent_init({G}, H));
        w.b_hh = register_parameter("bias_hh" + suffix, recurrent_init({G}, H));
      }
      weights_.push_back(w);
    }
  }
}

namespace {
CellKind rnn_kind(const RNNOptions& o) {
  SPOOL_CHECK(o.nonlinearity() == "tanh" || o.nonlinearity() == "relu", "RNN",
              "nonlinearity must be \"tanh\" or \"relu\", got \"{}\"", o.nonlinearity());
  return o.nonlinearity() == "relu" ? CellKind::RnnRelu : CellKind::RnnTanh;
}
}  // namespace

RNN::RNN(const RNNOptions& o) : RecurrentStack("RNN", rnn_kind(o), o) {}
LSTM::LSTM(const LSTMOptions& o) : RecurrentStack("LSTM", CellKind::Lstm, o) {}
GRU::GRU(const GRUOptions& o) : RecurrentStack("GRU", CellKind::Gru, o) {}

std::vector<Tensor> RecurrentStack::run_steps(const Tensor& x_proj, bool reverse, const std::vector<Tensor>& masks,
                                              const Tensor& w_hh, const Tensor& b_hh, const PackedWeight& packed,
                                              CellState& state) const {
  const int64_t T = x_proj.size(0);
  std::vector<Tensor> outs(T);
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    CellState next = cell_step(kind_, select(x_proj, 0, t), state, w_hh, b_hh, packed);
    if (masks.empty()) {
      state = next;
      outs[t] = next.h;
    } else {
      // Steps past a sequence's length leave its state alone, output zeros,
      // and so receive no gradient; the reverse direction thereby starts at
      // each sequence's own last step.
      const Tensor& m = masks[t];
      state.h = where(m, next.h, state.h);
      if (next.c.defined()) state.c = where(m, next.c, state.c);
      outs[t] = masked_fill(next.h, logical_not(m), 0.0);
    }
  }
  return outs;
}

void RecurrentStack::run_direction(const Tensor& x, const Weights& w, bool reverse, const std::vector<Tensor>& masks,
                                   bool halves, CellState& state, Tensor& output) const {
  // The input projection of every step at once: one GEMM (README "Design" 7),
  // and W_hh packed once for the T products of the sequence.
  const Tensor x_proj = input_projection(kind_, x, w.w_ih, w.b_ih, w.b_hh);
  const PackedWeight packed(w.w_hh);
  if (!halves) {
    output = stack(run_steps(x_proj, reverse, masks, w.w_hh, w.b_hh, packed, state), 0);
    return;
  }
  // The rows of a batch are independent recurrences: its two halves run on
  // two threads with no hand-off per step, each on one core's cache.
  const int64_t B = x.size(1), first = B / 2;
  CellState part_state[2];
  Tensor part_output[2];
  auto run_half = [&](int i) {
    const int64_t b0 = i == 0 ? 0 : first, n = i == 0 ? first : B - first;
    std::vector<Tensor> part_masks;
    {
      NoGradGuard no_grad;
      for (const Tensor& m : masks) part_masks.push_back(narrow(m, 0, b0, n));
    }
    part_state[i] = {narrow(state.h, 0, b0, n), state.c.defined() ? narrow(state.c, 0, b0, n) : Tensor()};
    part_output[i] = stack(run_steps(narrow(x_proj, 1, b0, n), reverse, part_masks, w.w_hh, w.b_hh, packed,
                                     part_state[i]), 0);
  };
  parallel_invoke([&] { run_half(0); }, [&] { run_half(1); });
  output = cat({part_output[0], part_output[1]}, 1);
  state = {cat({part_state[0].h, part_state[1].h}, 0),
           state.c.defined() ? cat({part_state[0].c, part_state[1].c}, 0) : Tensor()};
}

void RecurrentStack::run_directions_batched(const Tensor& x, const Weights& fw, const Weights& rw,
                                            const std::vector<Tensor>& masks, std::vector<CellState>& states,
                                            std::vector<Tensor>& outputs) const {
  // Each step is then one batched product and one set of cell ops over
  // [2, B, ...]: a small bidirectional step costs little more than a one-way
  // one, where the ops' fixed costs outweigh their arithmetic. The reverse
  // direction runs on time-flipped projections, so step s of both is one
  // select, and its outputs are flipped back.
  const int64_t T = x.size(0);
  const Tensor x_proj = stack({input_projection(kind_, x, fw.w_ih, fw.b_ih, fw.b_hh),
                               flip(input_projection(kind_, x, rw.w_ih, rw.b_ih, rw.b_hh), {0})},
                              1);                                       // [T, 2, B, G]
  const Tensor w_hh = transpose(stack({fw.w_hh, rw.w_hh}), 1, 2);     // [2, H, G]
  const Tensor b_hh = kind_ == CellKind::Gru && fw.b_hh.defined() ? unsqueeze(stack({fw.b_hh, rw.b_hh}), 1)
                                                                  : Tensor();  // [2, 1, G], read by GRU only
  const bool lstm = kind_ == CellKind::Lstm;
  CellState state{stack({states[0].h, states[1].h}), lstm ? stack({states[0].c, states[1].c}) : Tensor()};
  std::vector<Tensor> step_masks;
  {
    NoGradGuard no_grad;
    for (int64_t s = 0; s < static_cast<int64_t>(masks.size()); ++s)
      step_masks.push_back(stack({masks[s], masks[T - 1 - s]}));
  }
  const Tensor y = stack(run_steps(x_proj, false, step_masks, w_hh, b_hh, PackedWeight(), state), 0);  // [T, 2, B, H]
  outputs = {select(y, 1, 0), flip(select(y, 1, 1), {0})};
  for (int64_t dir = 0; dir < 2; ++dir)
    states[dir] = {select(state.h, 0, dir), lstm ? select(state.c, 0, dir) : Tensor()};
}

RecurrentOutput RecurrentStack::forward(const Tensor& input, const RecurrentInput& extra) {
  check_defined("RecurrentStack");
  const char* name = type_name().c_str();
  const RecurrentOptionsBase& o = options();
  const int64_t H = o.hidden_size(), D = o.bidirectional() ? 2 : 1, L = o.num_layers();
  SPOOL_CHECK(input.dim() == 2 || input.dim() == 3, name,
              "input must be 3-D [{}] or unbatched 2-D [T, I], got shape {}", o.batch_first() ? "B, T, I" : "T, B, I",
              input.sizes());
  SPOOL_CHECK(input.size(-1) == o.input_size(), name, "input has {} features, expected input_size {} (shape {})",
              input.size(-1), o.input_size(), input.sizes());
  SPOOL_CHECK(input.is_floating_point(), name, "input must be floating, got {}", dtype_name(input.dtype()));
  const bool unbatched = input.dim() == 2;
  Tensor x = unbatched ? unsqueeze(input, 1) : (o.batch_first() ? transpose(input, 0, 1) : input);
  const int64_t T = x.size(0), B = x.size(1);
  SPOOL_CHECK(T > 0, name, "input has no time steps (shape {})", input.sizes());

  auto initial = [&](const Tensor& s, const char* what) {
    const Shape want = unbatched ? Shape{L * D, H} : Shape{L * D, B, H};
    if (!s.defined()) return zeros({L * D, B, H}, x.dtype());
    SPOOL_CHECK(s.sizes() == want, name, "{} must have shape {} (num_layers * num_directions, batch, hidden), got {}",
                what, want, s.sizes());
    SPOOL_CHECK(s.dtype() == x.dtype(), name, "{} is {}, input is {}", what, dtype_name(s.dtype()),
                dtype_name(x.dtype()));
    return unbatched ? unsqueeze(s, 1) : s;
  };
  const bool lstm = kind_ == CellKind::Lstm;
  SPOOL_CHECK(lstm || !extra.c0.defined(), name, "c0 is only for LSTM");
  const Tensor h0 = initial(extra.h0, "h0");
  const Tensor c0 = lstm ? initial(extra.c0, "c0") : Tensor();
  // A missing c0 beside a given h0 would silently start the cell from zeros.
  SPOOL_CHECK(!lstm || extra.h0.defined() == extra.c0.defined(), name,
              "an LSTM takes h0 and c0 together (as PyTorch's (h_0, c_0)); got only {}",
              extra.h0.defined() ? "h0" : "c0");

  std::vector<Tensor> masks;  // masks[t]: [B, 1] bool, true where step t is inside the sequence
  if (extra.lengths.defined()) {
    const Tensor& len = extra.lengths;
    SPOOL_CHECK(len.dtype() == kInt64 && len.dim() == 1, name, "lengths must be a 1-D int64 tensor, got {} of shape {}",
                dtype_name(len.dtype()), len.sizes());
    SPOOL_CHECK(len.size(0) == B, name, "{} lengths given for a batch of {}", len.size(0), B);
    const auto lv = len.to_vector<int64_t>();
    for (size_t b = 0; b < lv.size(); ++b)
      SPOOL_CHECK(lv[b] >= 1 && lv[b] <= T, name, "length {} of sequence {} is outside [1, {}] (T = {})", lv[b], b,
                  T, T);
    const Tensor steps = reshape(len, {B, 1});
    for (int64_t t = 0; t < T; ++t) masks.push_back(gt(steps, t));  // int64 throughout
  }

  std::vector<Tensor> h_n, c_n;
  Tensor layer_input = x;
  for (int64_t layer = 0; layer < L; ++layer) {
    std::vector<Tensor> outputs(D);
    std::vector<CellState> states(D);
    for (int64_t dir = 0; dir < D; ++dir)
      states[dir] = {select(h0, 0, layer * D + dir), lstm ? select(c0, 0, layer * D + dir) : Tensor()};
    auto run = [&](int64_t dir, bool halves) {
      run_direction(layer_input, weights_[layer * D + dir], dir == 1, masks, halves, states[dir], outputs[dir]);
    };
    // Independent recurrences run one per thread (two directions, or the two
    // halves of a batch), unless a step is too small to pay for objects made
    // on one core and freed on the other. The split depends on the shapes
    // alone, so results do not depend on the thread count.
    const int64_t gates = gate_count(kind_) * H;
    if (D == 1) {
      run(0, (B / 2) * gates >= kConcurrentGateElements);
    } else if (B * gates >= kConcurrentGateElements) {
      parallel_invoke([&] { run(0, false); }, [&] { run(1, false); });
    } else {
      run_directions_batched(layer_input, weights_[layer * D], weights_[layer * D + 1], masks, states, outputs);
    }
    for (int64_t dir = 0; dir < D; ++dir) {
      h_n.push_back(states[dir].h);
      if (lstm) c_n.push_back(states[dir].c);
    }
    layer_input = D == 2 ? cat(outputs, 2) : outputs[0];
    if (layer + 1 < L && o.dropout() > 0) layer_input = dropout(layer_input, o.dropout(), is_training());
  }

  RecurrentOutput out{layer_input, stack(h_n, 0), lstm ? stack(c_n, 0) : Tensor()};
  if (unbatched) {
    out.output = squeeze(out.output, 1);
    out.h_n = squeeze(out.h_n, 1);
    if (lstm) out.c_n = squeeze(out.c_n, 1);
  } else if (o.batch_first()) {
    out.output = transpose(out.output, 0, 1);
  }
  note_output_shape(out.output.sizes());
  return out;
}

std::string RecurrentStack::extra_repr() const {
  const RecurrentOptionsBase& o = options();
  std::string s = fmt::format("{}, {}", o.input_size(), o.hidden_size());
  if (o.num_layers() != 1) s += fmt::format(", num_layers={}", o.num_layers());
  if (kind_ == CellKind::RnnRelu) s += ", nonlinearity=relu";
  if (!o.bias()) s += ", bias=False";
  if (o.batch_first()) s += ", batch_first=True";
  if (o.dropout() > 0) s += fmt::format(", dropout={}", o.dropout());
  if (o.bidirectional()) s += ", bidirectional=True";
  return s;
}

}  // namespace spool::nn
