#include "bridge.hpp"

namespace spool::nn {

Bridge::Bridge(const Seq2SeqOptions& o) : Module("Bridge"), options_(o) {
  if (!o.bidirectional() || o.bridge() != "linear") return;
  h_proj = register_module("h_proj", Linear(2 * o.hidden_size(), o.hidden_size()));
  if (o.cell() == "lstm") c_proj = register_module("c_proj", Linear(2 * o.hidden_size(), o.hidden_size()));
}

std::vector<CellState> Bridge::forward(const Tensor& h_n, const Tensor& c_n) {
  check_defined("Bridge");
  const int64_t L = options_.num_layers(), H = options_.hidden_size(), D = options_.bidirectional() ? 2 : 1;
  SPOOL_CHECK(h_n.dim() == 3 && h_n.size(0) == L * D && h_n.size(2) == H, "Bridge",
              "final states must be [{}, B, {}], got {}", L * D, H, h_n.sizes());
  auto join = [&](const Tensor& s, Linear& proj) {  // [L * D, B, H] -> [L, B, H]
    if (D == 1) return s;
    const Tensor per_layer = reshape(s, {L, 2, s.size(1), H});
    const Tensor fwd = select(per_layer, 1, 0), bwd = select(per_layer, 1, 1);
    return proj.defined() ? proj(cat({fwd, bwd}, -1)) : fwd + bwd;
  };
  const Tensor h = join(h_n, h_proj), c = c_n.defined() ? join(c_n, c_proj) : Tensor();
  std::vector<CellState> states(L);
  for (int64_t l = 0; l < L; ++l) states[l] = {select(h, 0, l), c.defined() ? select(c, 0, l) : Tensor()};
  return states;
}

}  // namespace spool::nn
