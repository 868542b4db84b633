// Optimizers against torch.optim: parameters after each of 6 steps on a
// fixed float64 problem (tests/fixtures/optim.json, tools/make_optim_fixtures.py).
#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& kind, const json& groups,
                                                 const std::map<std::string, Tensor>& params) {
  auto params_of = [&](const json& g) {
    std::vector<Tensor> ps;
    for (auto& n : g.at("params")) ps.push_back(params.at(n.get<std::string>()));
    return ps;
  };
  auto get = [](const json& o, const char* k, double d) { return o.contains(k) ? o[k].get<double>() : d; };
  auto flag = [](const json& o, const char* k) { return o.contains(k) && o[k].get<bool>(); };
  if (kind == "SGD") {
    std::vector<std::pair<std::vector<Tensor>, optim::SGDOptions>> gs;
    for (auto& g : groups) {
      const json& o = g.at("options");
      gs.emplace_back(params_of(g), optim::SGDOptions(o.at("lr"))
                                        .momentum(get(o, "momentum", 0))
                                        .dampening(get(o, "dampening", 0))
                                        .weight_decay(get(o, "weight_decay", 0))
                                        .nesterov(flag(o, "nesterov")));
    }
    return std::make_unique<optim::SGD>(gs);
  }
  // Adam and AdamW alike, each with its own options type (and default weight_decay).
  auto adam = [&]<typename Optim, typename Options>() -> std::unique_ptr<optim::Optimizer> {
    std::vector<std::pair<std::vector<Tensor>, Options>> gs;
    for (auto& g : groups) {
      const json& o = g.at("options");
      Options opts(o.at("lr"));
      if (o.contains("betas")) opts.betas(o["betas"][0], o["betas"][1]);
      opts.weight_decay(get(o, "weight_decay", opts.weight_decay())).amsgrad(flag(o, "amsgrad"));
      gs.emplace_back(params_of(g), opts);
    }
    return std::make_unique<Optim>(gs);
  };
  if (kind == "Adam") return adam.template operator()<optim::Adam, optim::AdamOptions>();
  if (kind == "AdamW") return adam.template operator()<optim::AdamW, optim::AdamWOptions>();
  if (kind == "RMSprop") {
    std::vector<std::pair<std::vector<Tensor>, optim::RMSpropOptions>> gs;
    for (auto& g : groups) {
      const json& o = g.at("options");
      gs.emplace_back(params_of(g), optim::RMSpropOptions(o.at("lr"))
                                        .alpha(get(o, "alpha", 0.99))
                                        .momentum(get(o, "momentum", 0))
                                        .weight_decay(get(o, "weight_decay", 0))
                                        .centered(flag(o, "centered")));
    }
    return std::make_unique<optim::RMSprop>(gs);
  }
  std::vector<std::pair<std::vector<Tensor>, optim::AdagradOptions>> gs;
  for (auto& g : groups) {
    const json& o = g.at("options");
    gs.emplace_back(params_of(g), optim::AdagradOptions(o.at("lr"))
                                      .lr_decay(get(o, "lr_decay", 0))
                                      .weight_decay(get(o, "weight_decay", 0))
                                      .initial_accumulator_value(get(o, "initial_accumulator_value", 0)));
  }
  return std::make_unique<optim::Adagrad>(gs);
}

void check_rtol(const Tensor& got, const json& want, const std::string& what) {
  auto g = got.to_vector<double>();
  auto e = tensor_from(want).to_vector<double>();
  REQUIRE(g.size() == e.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO(what << " element " << i << ": got " << g[i] << ", want " << e[i]);
    CHECK(std::fabs(g[i] - e[i]) <= 1e-12 + 1e-6 * std::fabs(e[i]));
  }
}

}  // namespace

TEST_CASE("optimizers: N steps give PyTorch's parameters") {
  const json fixture = load_fixture("optim.json");
  const json& problem = fixture.at("problem");
  const Tensor x = tensor_from(problem.at("x")), y = tensor_from(problem.at("y")), w = tensor_from(problem.at("w"));
  for (const json& c : fixture.at("cases")) {
    const std::string name = c.at("name");
    SUBCASE(name.c_str()) {
      Tensor p1 = tensor_from(problem.at("p1")).requires_grad_(), p2 = tensor_from(problem.at("p2")).requires_grad_();
      auto opt = make_optimizer(c.at("optimizer"), c.at("groups"), {{"p1", p1}, {"p2", p2}});
      int step = 0;
      for (const json& expected : c.at("trace")) {
        opt->zero_grad();
        Tensor loss = mean(square(matmul(p1, x) - y)) + sum(square(p2 - 0.5) * w);
        loss.backward();
        opt->step();
        ++step;
        check_rtol(p1, expected.at("p1"), name + " p1 after step " + std::to_string(step));
        check_rtol(p2, expected.at("p2"), name + " p2 after step " + std::to_string(step));
      }
    }
  }
}

TEST_CASE("optimizers: state_dict resumes exactly, learning rates per group") {
  manual_seed(3);
  auto run = [](int steps, optim::Adam& opt, Tensor& p) {
    for (int i = 0; i < steps; ++i) {
      opt.zero_grad();
      sum(square(p - 1.0)).backward();
      opt.step();
    }
  };
  Tensor a = randn({4}).requires_grad_(), b = a.detach().clone().requires_grad_();
  optim::Adam straight({a}, optim::AdamOptions(0.1).amsgrad(true));
  run(10, straight, a);
  optim::Adam first({b}, optim::AdamOptions(0.1).amsgrad(true));
  run(4, first, b);
  NamedTensors saved = first.state_dict();
  optim::Adam resumed({b}, optim::AdamOptions(0.5).amsgrad(true));  // lr comes back from the state
  resumed.load_state_dict(saved);
  CHECK(resumed.lr() == doctest::Approx(0.1));
  run(6, resumed, b);
  CHECK(a.to_vector<float>() == b.to_vector<float>());

  optim::SGD sgd({{{a}, optim::SGDOptions(0.1)}, {{b}, optim::SGDOptions(0.2)}});
  CHECK(sgd.num_groups() == 2);
  CHECK(sgd.lr(1) == 0.2);
  sgd.set_lr(0.05);
  CHECK(sgd.lr(0) == 0.05);
  CHECK(sgd.lr(1) == 0.05);
}

TEST_CASE("optimizers: bad options and bad state are clear errors") {
  Tensor p = zeros({2}).requires_grad_();
  CHECK_THROWS_WITH_AS(optim::SGD({p}, optim::SGDOptions(-1)), doctest::Contains("lr must be >= 0"), Error);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)), doctest::Contains("nesterov"), Error);
  CHECK_THROWS_WITH_AS(optim::Adam({p}, optim::AdamOptions().betas(1.0, 0.9)), doctest::Contains("betas"), Error);
  CHECK_THROWS_WITH_AS(optim::Adam({zeros({2})}), doctest::Contains("requires grad"), Error);
  optim::Adam opt({p});
  CHECK_THROWS_WITH_AS(opt.load_state_dict({{"state.0.0.exp_avg", zeros({3})}}), doctest::Contains("shape [3]"), Error);
  CHECK_THROWS_WITH_AS(opt.load_state_dict({{"state.1.0.exp_avg", zeros({2})}}),
                       doctest::Contains("does not have"), Error);
  CHECK_THROWS_WITH_AS(opt.load_state_dict({{"bogus", zeros({2})}}), doctest::Contains("unexpected entry"), Error);
}
