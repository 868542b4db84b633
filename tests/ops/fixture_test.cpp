// Every op against PyTorch: forward values and input gradients from
// tests/fixtures/ops.json, written by tools/make_fixtures.py.
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {

std::optional<double> opt_double(const json& kw, const char* key) {
  if (!kw.contains(key) || kw[key].is_null()) return std::nullopt;
  return kw[key].get<double>();
}

// A number as written by the generator: 3 stays an integer, 2.5 a double
// (with an integer tensor they give different result dtypes, as in PyTorch).
Scalar scalar_arg(const json& kw, const char* key) {
  const json& v = kw.at(key);
  return v.is_number_integer() ? Scalar(v.get<int64_t>()) : Scalar(v.get<double>());
}

Shape shape_arg(const json& kw, const char* key) { return Shape(kw.at(key).get<std::vector<int64_t>>()); }

using OpFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&, const json&)>;

// The fused pointwise expressions of tools/make_fixtures.py's pointwise().
using Ex = std::vector<Expr>;
const Pointwise& lstm_state() {
  static const Pointwise f("lstm_state", 2, [](const Ex& in) {
    return sigmoid(in[0].chunk(1, 4)) * in[1] + sigmoid(in[0].chunk(0, 4)) * tanh(in[0].chunk(2, 4));
  });
  return f;
}
const Pointwise& lstm_output() {
  static const Pointwise f("lstm_output", 2, [](const Ex& in) { return sigmoid(in[0].chunk(3, 4)) * tanh(in[1]); });
  return f;
}
const Pointwise& gru() {
  static const Pointwise f("gru", 3, [](const Ex& in) {
    const Expr r = sigmoid(in[0].chunk(0, 3) + in[1].chunk(0, 3));
    const Expr z = sigmoid(in[0].chunk(1, 3) + in[1].chunk(1, 3));
    const Expr n = tanh(in[0].chunk(2, 3) + r * in[1].chunk(2, 3));
    return n + z * (in[2] - n);
  });
  return f;
}
const Pointwise& mix() {
  static const Pointwise f("mix", 2, [](const Ex& in) {
    return exp(-in[0]) / (in[1] + 2) - relu(in[0]) * log(in[1]) + 3 - 0.5 * in[0];
  });
  return f;
}

// Both results of one call, as the LSTM layers' cell: stacked, then read as views.
const Pointwise& lstm_cell() {
  static const Pointwise f("lstm_cell", 2, [](const Ex& in) {
    const Expr c = sigmoid(in[0].chunk(1, 4)) * in[1] + sigmoid(in[0].chunk(0, 4)) * tanh(in[0].chunk(2, 4));
    return Ex{sigmoid(in[0].chunk(3, 4)) * tanh(c), c};
  });
  return f;
}

std::vector<Tensor> one(Tensor t) { return {std::move(t)}; }

const std::map<std::string, OpFn>& op_table() {
  using V = std::vector<Tensor>;
  static const std::map<std::string, OpFn> table = {
      {"add", [](const V& in, const json&) { return one(in[0] + in[1]); }},
      {"sub", [](const V& in, const json&) { return one(in[0] - in[1]); }},
      {"mul", [](const V& in, const json&) { return one(in[0] * in[1]); }},
      {"div", [](const V& in, const json&) { return one(in[0] / in[1]); }},
      {"add_scalar", [](const V& in, const json& k) { return one(in[0] + scalar_arg(k, "other")); }},
      {"sub_scalar", [](const V& in, const json& k) { return one(in[0] - scalar_arg(k, "other")); }},
      {"mul_scalar", [](const V& in, const json& k) { return one(in[0] * scalar_arg(k, "other")); }},
      {"div_scalar", [](const V& in, const json& k) { return one(in[0] / scalar_arg(k, "other")); }},
      {"rsub_scalar", [](const V& in, const json& k) { return one(scalar_arg(k, "other") - in[0]); }},
      {"rdiv_scalar", [](const V& in, const json& k) { return one(scalar_arg(k, "other") / in[0]); }},
      {"neg", [](const V& in, const json&) { return one(neg(in[0])); }},
      {"exp", [](const V& in, const json&) { return one(exp(in[0])); }},
      {"log", [](const V& in, const json&) { return one(log(in[0])); }},
      {"sqrt", [](const V& in, const json&) { return one(sqrt(in[0])); }},
      {"abs", [](const V& in, const json&) { return one(abs(in[0])); }},
      {"sigmoid", [](const V& in, const json&) { return one(sigmoid(in[0])); }},
      {"tanh", [](const V& in, const json&) { return one(tanh(in[0])); }},
      {"relu", [](const V& in, const json&) { return one(relu(in[0])); }},
      {"pow_scalar", [](const V& in, const json& k) { return one(pow(in[0], scalar_arg(k, "exponent"))); }},
      {"pow", [](const V& in, const json&) { return one(pow(in[0], in[1])); }},
      {"clamp",
       [](const V& in, const json& k) { return one(clamp(in[0], opt_double(k, "min"), opt_double(k, "max"))); }},
      {"leaky_relu",
       [](const V& in, const json& k) { return one(leaky_relu(in[0], k.at("negative_slope").get<double>())); }},
      {"gelu", [](const V& in, const json& k) { return one(gelu(in[0], k.at("approximate").get<std::string>())); }},
      {"softmax", [](const V& in, const json& k) { return one(softmax(in[0], k.at("dim").get<int64_t>())); }},
      {"log_softmax", [](const V& in, const json& k) { return one(log_softmax(in[0], k.at("dim").get<int64_t>())); }},
      {"where", [](const V& in, const json&) { return one(where(in[0], in[1], in[2])); }},
      {"lt", [](const V& in, const json&) { return one(lt(in[0], in[1])); }},
      {"pad_sequence",
       [](const V& in, const json& k) {
         return one(nn::pad_sequence(in, k.at("batch_first").get<bool>(), k.at("padding_value").get<double>()));
       }},
      {"pack_sequence",
       [](const V& in, const json& k) {
         auto p = nn::pack_sequence(in, k.at("enforce_sorted").get<bool>());
         return V{p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices};
       }},
      {"lt_scalar", [](const V& in, const json& k) { return one(lt(in[0], scalar_arg(k, "other"))); }},
      {"masked_fill",
       [](const V& in, const json& k) { return one(masked_fill(in[0], in[1], k.at("value").get<double>())); }},
      {"sum",
       [](const V& in, const json& k) {
         if (k.at("dim").is_null()) return one(sum(in[0]));
         return one(sum(in[0], k.at("dim").get<int64_t>(), k.value("keepdim", false)));
       }},
      {"mean",
       [](const V& in, const json& k) {
         if (k.at("dim").is_null()) return one(mean(in[0]));
         return one(mean(in[0], k.at("dim").get<int64_t>(), k.value("keepdim", false)));
       }},
      {"max",
       [](const V& in, const json& k) {
         if (k.at("dim").is_null()) return one(max(in[0]));
         return one(max(in[0], k.at("dim").get<int64_t>(), k.value("keepdim", false)).values);
       }},
      {"min",
       [](const V& in, const json& k) {
         if (k.at("dim").is_null()) return one(min(in[0]));
         return one(min(in[0], k.at("dim").get<int64_t>(), k.value("keepdim", false)).values);
       }},
      {"matmul", [](const V& in, const json&) { return one(matmul(in[0], in[1])); }},
      {"linear",
       [](const V& in, const json&) { return one(linear(in[0], in[1], in.size() > 2 ? in[2] : Tensor())); }},
      {"linear_packed",
       [](const V& in, const json&) {
         return one(linear(in[0], PackedWeight(in[1]), in.size() > 2 ? in[2] : Tensor()));
       }},
      {"addmm",
       [](const V& in, const json& k) {
         return one(addmm(in[0], in[1], in[2], k.at("beta").get<double>(), k.at("alpha").get<double>()));
       }},
      {"transpose",
       [](const V& in, const json& k) {
         return one(transpose(in[0], k.at("dim0").get<int64_t>(), k.at("dim1").get<int64_t>()));
       }},
      {"permute", [](const V& in, const json& k) { return one(permute(in[0], shape_arg(k, "dims"))); }},
      {"reshape", [](const V& in, const json& k) { return one(reshape(in[0], shape_arg(k, "shape"))); }},
      {"narrow",
       [](const V& in, const json& k) {
         return one(narrow(in[0], k.at("dim").get<int64_t>(), k.at("start").get<int64_t>(),
                           k.at("length").get<int64_t>()));
       }},
      {"slice",
       [](const V& in, const json& k) {
         return one(slice(in[0], k.at("dim").get<int64_t>(), k.at("start").get<int64_t>(),
                          k.at("end").get<int64_t>(), k.at("step").get<int64_t>()));
       }},
      {"select",
       [](const V& in, const json& k) {
         return one(select(in[0], k.at("dim").get<int64_t>(), k.at("index").get<int64_t>()));
       }},
      {"flip", [](const V& in, const json& k) { return one(flip(in[0], shape_arg(k, "dims"))); }},
      {"bmm", [](const V& in, const json&) { return one(bmm(in[0], in[1])); }},
      {"baddbmm",
       [](const V& in, const json& k) {
         return one(baddbmm(in[0], in[1], in[2], k.at("beta").get<double>(), k.at("alpha").get<double>()));
       }},
      {"index_select",
       [](const V& in, const json& k) { return one(index_select(in[0], k.at("dim").get<int64_t>(), in[1])); }},
      {"gather", [](const V& in, const json& k) { return one(gather(in[0], k.at("dim").get<int64_t>(), in[1])); }},
      {"cat", [](const V& in, const json& k) { return one(cat(in, k.at("dim").get<int64_t>())); }},
      {"stack", [](const V& in, const json& k) { return one(stack(in, k.at("dim").get<int64_t>())); }},
      {"split",
       [](const V& in, const json& k) {
         return split(in[0], k.at("split_size").get<int64_t>(), k.at("dim").get<int64_t>());
       }},
      {"chunk",
       [](const V& in, const json& k) { return chunk(in[0], k.at("chunks").get<int64_t>(), k.at("dim").get<int64_t>()); }},
      {"squeeze",
       [](const V& in, const json& k) {
         if (k.at("dim").is_null()) return one(squeeze(in[0]));
         return one(squeeze(in[0], k.at("dim").get<int64_t>()));
       }},
      {"unsqueeze", [](const V& in, const json& k) { return one(unsqueeze(in[0], k.at("dim").get<int64_t>())); }},
      {"expand", [](const V& in, const json& k) { return one(expand(in[0], shape_arg(k, "sizes"))); }},
      {"embedding",
       [](const V& in, const json& k) {
         std::optional<int64_t> pad;
         if (k.contains("padding_idx") && !k["padding_idx"].is_null()) pad = k["padding_idx"].get<int64_t>();
         return one(embedding(in[0], in[1], pad));
       }},
      {"layer_norm",
       [](const V& in, const json& k) {
         return one(layer_norm(in[0], shape_arg(k, "normalized_shape"), in.size() > 1 ? in[1] : Tensor(),
                               in.size() > 2 ? in[2] : Tensor(), k.at("eps").get<double>()));
       }},
      {"dropout",
       [](const V& in, const json& k) {
         return one(dropout(in[0], k.at("p").get<double>(), k.at("training").get<bool>()));
       }},
      {"mse_loss",
       [](const V& in, const json& k) {
         return one(mse_loss(in[0], in[1], reduction_from_string(k.at("reduction").get<std::string>())));
       }},
      {"l1_loss",
       [](const V& in, const json& k) {
         return one(l1_loss(in[0], in[1], reduction_from_string(k.at("reduction").get<std::string>())));
       }},
      {"cross_entropy",
       [](const V& in, const json& k) {
         CrossEntropyOptions o;
         o.reduction = reduction_from_string(k.at("reduction").get<std::string>());
         o.ignore_index = k.value("ignore_index", int64_t(-100));
         o.label_smoothing = k.value("label_smoothing", 0.0);
         return one(cross_entropy(in[0], in[1], o));
       }},
      {"nll_loss",
       [](const V& in, const json& k) {
         NllLossOptions o;
         o.reduction = reduction_from_string(k.at("reduction").get<std::string>());
         o.ignore_index = k.value("ignore_index", int64_t(-100));
         return one(nll_loss(in[0], in[1], o));
       }},
      {"pointwise_lstm_state", [](const V& in, const json&) { return one(lstm_state()(in)); }},
      {"pointwise_lstm_output", [](const V& in, const json&) { return one(lstm_output()(in)); }},
      {"pointwise_gru", [](const V& in, const json&) { return one(gru()(in)); }},
      {"pointwise_mix", [](const V& in, const json&) { return one(mix()(in)); }},
      {"pointwise_lstm_cell",
       [](const V& in, const json&) {
         const Tensor hc = lstm_cell()(in);
         return V{select(hc, 0, 0), select(hc, 0, 1)};
       }},
      {"pointwise_after_linear",
       [](const V& in, const json&) {
         const Tensor hc = lstm_cell()({in[3]}, {.linear = LinearInput(in[0], PackedWeight(in[1]), in[2])});
         return V{select(hc, 0, 0), select(hc, 0, 1)};
       }},
      {"view_chain",
       [](const V& in, const json&) {
         const Tensor a = slice(in[0], 0, 1, 4, 2);
         return V{matmul(select(a, 0, 1), in[1]), tanh(slice(a, 1, 1, 3, 1)), matmul(select(in[0], 1, 0), in[1])};
       }},
      {"binary_cross_entropy",
       [](const V& in, const json& k) {
         return one(binary_cross_entropy(in[0], in[1], reduction_from_string(k.at("reduction").get<std::string>())));
       }},
      {"binary_cross_entropy_with_logits",
       [](const V& in, const json& k) {
         BceWithLogitsOptions o;
         o.reduction = reduction_from_string(k.at("reduction").get<std::string>());
         if (k.contains("pos_weight") && !k["pos_weight"].is_null())
           o.pos_weight = tensor(k["pos_weight"].get<std::vector<double>>(), {}, in[0].dtype());
         return one(binary_cross_entropy_with_logits(in[0], in[1], o));
       }},
      // The tensor surface (ops_surface.json).
      {"sin", [](const V& in, const json&) { return one(sin(in[0])); }},
      {"cos", [](const V& in, const json&) { return one(cos(in[0])); }},
      {"reciprocal", [](const V& in, const json&) { return one(reciprocal(in[0])); }},
      {"rsqrt", [](const V& in, const json&) { return one(rsqrt(in[0])); }},
      {"log1p", [](const V& in, const json&) { return one(log1p(in[0])); }},
      {"expm1", [](const V& in, const json&) { return one(expm1(in[0])); }},
      {"floor", [](const V& in, const json&) { return one(floor(in[0])); }},
      {"ceil", [](const V& in, const json&) { return one(ceil(in[0])); }},
      {"sign", [](const V& in, const json&) { return one(sign(in[0])); }},
      {"round", [](const V& in, const json&) { return one(round(in[0])); }},
      {"softplus",
       [](const V& in, const json& k) {
         return one(softplus(in[0], k.at("beta").get<double>(), k.at("threshold").get<double>()));
       }},
      {"elu", [](const V& in, const json& k) { return one(elu(in[0], k.at("alpha").get<double>())); }},
      {"selu", [](const V& in, const json&) { return one(selu(in[0])); }},
      {"silu", [](const V& in, const json&) { return one(silu(in[0])); }},
      {"mish", [](const V& in, const json&) { return one(mish(in[0])); }},
      {"hardtanh",
       [](const V& in, const json& k) {
         return one(hardtanh(in[0], k.at("min_val").get<double>(), k.at("max_val").get<double>()));
       }},
      {"maximum", [](const V& in, const json&) { return one(maximum(in[0], in[1])); }},
      {"minimum", [](const V& in, const json&) { return one(minimum(in[0], in[1])); }},
      {"logical_and", [](const V& in, const json&) { return one(logical_and(in[0], in[1])); }},
      {"logical_or", [](const V& in, const json&) { return one(logical_or(in[0], in[1])); }},
      {"logical_xor", [](const V& in, const json&) { return one(logical_xor(in[0], in[1])); }},
      {"where_scalar_other",
       [](const V& in, const json& k) { return one(where(in[0], in[1], k.at("other").get<double>())); }},
      {"where_scalar_self",
       [](const V& in, const json& k) { return one(where(in[0], k.at("value").get<double>(), in[1])); }},
      {"linspace",
       [](const V&, const json& k) {
         return one(linspace(k.at("start").get<double>(), k.at("end").get<double>(), k.at("steps").get<int64_t>()));
       }},
      {"any", [](const V& in, const json& k) { return one(any(in[0], k.at("dim").get<int64_t>())); }},
      {"all", [](const V& in, const json& k) { return one(all(in[0], k.at("dim").get<int64_t>())); }},
      {"cumsum", [](const V& in, const json& k) { return one(cumsum(in[0], k.at("dim").get<int64_t>())); }},
      {"cumprod", [](const V& in, const json& k) { return one(cumprod(in[0], k.at("dim").get<int64_t>())); }},
      {"norm",
       [](const V& in, const json& k) {
         const double p = k.at("p").is_string() ? INFINITY : k.at("p").get<double>();
         if (k.at("dim").is_null()) return one(norm(in[0], p));
         return one(norm(in[0], p, k.at("dim").get<int64_t>(), k.at("keepdim").get<bool>()));
       }},
      {"normalize",
       [](const V& in, const json& k) {
         return one(nn::functional::normalize(in[0], k.at("p").get<double>(), k.at("dim").get<int64_t>()));
       }},
      {"tril", [](const V& in, const json& k) { return one(tril(in[0], k.at("diagonal").get<int64_t>())); }},
      {"triu", [](const V& in, const json& k) { return one(triu(in[0], k.at("diagonal").get<int64_t>())); }},
      {"repeat",
       [](const V& in, const json& k) { return one(repeat(in[0], Shape(k.at("repeats").get<std::vector<int64_t>>()))); }},
      {"repeat_interleave",
       [](const V& in, const json& k) {
         return one(repeat_interleave(in[0], k.at("repeats").get<int64_t>(), k.at("dim").get<int64_t>()));
       }},
      {"repeat_interleave_counts",
       [](const V& in, const json& k) { return one(repeat_interleave(in[0], in[1], k.at("dim").get<int64_t>())); }},
      {"one_hot", [](const V& in, const json& k) { return one(one_hot(in[0], k.at("num_classes").get<int64_t>())); }},
      {"unbind", [](const V& in, const json& k) { return unbind(in[0], k.at("dim").get<int64_t>()); }},
      {"sort",
       [](const V& in, const json& k) {
         auto r = sort(in[0], k.at("dim").get<int64_t>(), k.at("descending").get<bool>());
         return V{r.values, r.indices};
       }},
      {"argsort",
       [](const V& in, const json& k) {
         return one(argsort(in[0], k.at("dim").get<int64_t>(), k.at("descending").get<bool>()));
       }},
      {"topk",
       [](const V& in, const json& k) {
         auto r = topk(in[0], k.at("k").get<int64_t>(), k.at("dim").get<int64_t>(), k.at("largest").get<bool>());
         return V{r.values, r.indices};
       }},
      {"einsum", [](const V& in, const json& k) { return one(einsum(k.at("equation").get<std::string>(), in)); }},
      {"sum_dims",
       [](const V& in, const json& k) {
         return one(in[0].sum(Shape(k.at("dims").get<std::vector<int64_t>>()), k.at("keepdim").get<bool>()));
       }},
      {"mean_dims",
       [](const V& in, const json& k) {
         return one(in[0].mean(Shape(k.at("dims").get<std::vector<int64_t>>()), k.at("keepdim").get<bool>()));
       }},
      {"smooth_l1_loss",
       [](const V& in, const json& k) {
         return one(smooth_l1_loss(in[0], in[1], reduction_from_string(k.at("reduction").get<std::string>()),
                                   k.at("beta").get<double>()));
       }},
      {"huber_loss",
       [](const V& in, const json& k) {
         return one(huber_loss(in[0], in[1], reduction_from_string(k.at("reduction").get<std::string>()),
                               k.at("delta").get<double>()));
       }},
      {"kl_div",
       [](const V& in, const json& k) {
         return one(kl_div(in[0], in[1], k.at("reduction").get<std::string>(), k.at("log_target").get<bool>()));
       }},
      {"margin_ranking_loss",
       [](const V& in, const json& k) {
         return one(margin_ranking_loss(in[0], in[1], in[2], k.at("margin").get<double>(),
                                        reduction_from_string(k.at("reduction").get<std::string>())));
       }},
      {"cosine_embedding_loss",
       [](const V& in, const json& k) {
         return one(cosine_embedding_loss(in[0], in[1], in[2], k.at("margin").get<double>(),
                                          reduction_from_string(k.at("reduction").get<std::string>())));
       }},
      {"sdpa",
       [](const V& in, const json& k) {
         AttentionOptions o{.is_causal = k.at("is_causal").get<bool>()};
         if (!k.at("scale").is_null()) o.scale = k.at("scale").get<double>();
         auto r = scaled_dot_product_attention(in[0], in[1], in[2], o);
         return V{r.output, r.weights};
       }},
      {"sdpa_mask",
       [](const V& in, const json& k) {
         auto r = scaled_dot_product_attention(in[0], in[1], in[2], {.attn_mask = in[3]});
         return V{r.output, r.weights};
       }},
      {"ctc_loss",
       [](const V& in, const json& k) {
         return one(ctc_loss(log_softmax(in[0], 2), in[1], in[2], in[3],
                             {.blank = k.at("blank").get<int64_t>(),
                              .reduction = reduction_from_string(k.at("reduction").get<std::string>()),
                              .zero_infinity = k.at("zero_infinity").get<bool>()}));
       }},
      {"cross_entropy_weight",
       [](const V& in, const json& k) {
         return one(cross_entropy(in[0], in[1],
                                  {.reduction = reduction_from_string(k.at("reduction").get<std::string>()),
                                   .ignore_index = k.at("ignore_index").get<int64_t>(),
                                   .label_smoothing = k.at("label_smoothing").get<double>(),
                                   .weight = in[2]}));
       }},
  };
  return table;
}

}  // namespace

TEST_CASE("fixtures: every op matches PyTorch, forward and backward") {
  json cases = load_fixture("ops.json").at("cases");
  REQUIRE(cases.size() > 100);
  const json surface = load_fixture("ops_surface.json");
  for (const json& c : surface.at("cases")) cases.push_back(c);
  std::set<std::string> ops_seen;
  for (const json& c : cases) {
    const std::string name = c.at("name");
    const std::string op = c.at("op");
    SUBCASE(name.c_str()) {
      auto it = op_table().find(op);
      INFO("case " << name << " op " << op);
      REQUIRE(it != op_table().end());
      std::vector<Tensor> inputs;
      for (size_t i = 0; i < c.at("inputs").size(); ++i) {
        Tensor t = tensor_from(c["inputs"][i]);
        if (c.at("requires_grad")[i].get<bool>()) t.requires_grad_();
        inputs.push_back(t);
      }
      std::vector<Tensor> outputs = it->second(inputs, c.at("kwargs"));
      REQUIRE(outputs.size() == c.at("outputs").size());
      for (size_t i = 0; i < outputs.size(); ++i) check_tensor(outputs[i], c["outputs"][i], name + " output");
      std::vector<Tensor> roots, upstream;
      for (size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].requires_grad()) {
          roots.push_back(outputs[i]);
          upstream.push_back(tensor_from(c.at("upstream")[i]));
        }
      if (!roots.empty()) spool::backward(roots, upstream);
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (c.at("grads")[i].is_null()) continue;
        REQUIRE(inputs[i].grad().defined());
        check_tensor(inputs[i].grad(), c["grads"][i], name + " grad " + std::to_string(i));
      }
    }
    ops_seen.insert(op);
  }
  // Every op in the table has at least one PyTorch case.
  for (const auto& [op, fn] : op_table()) {
    INFO("no fixture for op " << op);
    CHECK(ops_seen.count(op) == 1);
  }
}
