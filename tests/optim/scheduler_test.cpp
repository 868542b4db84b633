// Schedulers and gradient clipping against PyTorch (tests/fixtures/optim.json),
// and the initializers' statistics.
#include <limits>

#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {
std::unique_ptr<optim::LRScheduler> make_scheduler(optim::Optimizer& opt, const json& s) {
  const std::string kind = s.at("kind");
  const json& k = s.at("kwargs");
  auto get = [&](const char* key, double d) { return k.contains(key) ? k[key].get<double>() : d; };
  if (kind == "StepLR") return std::make_unique<optim::StepLR>(opt, k.at("step_size"), get("gamma", 0.1));
  if (kind == "MultiStepLR")
    return std::make_unique<optim::MultiStepLR>(opt, k.at("milestones").get<std::vector<int64_t>>(),
                                                get("gamma", 0.1));
  if (kind == "ExponentialLR") return std::make_unique<optim::ExponentialLR>(opt, k.at("gamma"));
  if (kind == "LinearLR")
    return std::make_unique<optim::LinearLR>(opt, get("start_factor", 1.0 / 3), get("end_factor", 1.0),
                                             static_cast<int64_t>(get("total_iters", 5)));
  if (kind == "CosineAnnealingLR")
    return std::make_unique<optim::CosineAnnealingLR>(opt, k.at("T_max"), get("eta_min", 0));
  if (kind == "OneCycleLR")
    return std::make_unique<optim::OneCycleLR>(opt, k.at("max_lr"), k.at("total_steps"), get("pct_start", 0.3),
                                               k.value("anneal_strategy", std::string("cos")), 25.0, 1e4,
                                               k.value("three_phase", false), k.value("cycle_momentum", true));
  return std::make_unique<optim::CyclicLR>(opt, k.at("base_lr"), k.at("max_lr"), k.at("step_size_up"),
                                           k.value("step_size_down", int64_t(-1)),
                                           k.value("mode", std::string("triangular")), get("gamma", 1.0),
                                           k.value("cycle_momentum", true));
}
}  // namespace

TEST_CASE("schedulers: learning rates as PyTorch's, chained too") {
  const json fixture = load_fixture("optim.json");
  for (const json& c : fixture.at("schedulers")) {
    const std::string name = c.at("name");
    SUBCASE(name.c_str()) {
      Tensor p = zeros({2}).requires_grad_();
      std::unique_ptr<optim::Optimizer> owned;
      if (c.value("optimizer", std::string("SGD")) == "Adam") {
        owned = std::make_unique<optim::Adam>(std::vector<Tensor>{p}, optim::AdamOptions(0.1));
      } else {
        owned = std::make_unique<optim::SGD>(std::vector<Tensor>{p}, optim::SGDOptions(0.1).momentum(0.9));
      }
      optim::Optimizer& opt = *owned;
      std::vector<double> got, moms;
      const auto& chain = c.at("chain");
      if (chain[0].at("kind") == "ReduceLROnPlateau") {
        const json& k = chain[0].at("kwargs");
        optim::ReduceLROnPlateau::Options o;
        o.mode = k.value("mode", std::string("min"));
        o.factor = k.value("factor", 0.1);
        o.patience = k.value("patience", int64_t(10));
        o.threshold = k.value("threshold", 1e-4);
        o.threshold_mode = k.value("threshold_mode", std::string("rel"));
        o.cooldown = k.value("cooldown", int64_t(0));
        o.min_lr = k.value("min_lr", 0.0);
        optim::ReduceLROnPlateau plateau(opt, o);
        for (const json& m : c.at("metrics")) {
          plateau.step(m.get<double>());
          got.push_back(plateau.get_last_lr()[0]);
        }
      } else {
        std::vector<std::unique_ptr<optim::LRScheduler>> scheds;
        for (const json& s : chain) scheds.push_back(make_scheduler(opt, s));
        got.push_back(opt.lr());
        moms.push_back(opt.momentum(0));
        for (int i = 0; i < 23; ++i) {
          for (auto& s : scheds) s->step();
          got.push_back(opt.lr());
          moms.push_back(opt.momentum(0));
        }
        const auto want_m = c.at("momentums").get<std::vector<double>>();
        REQUIRE(moms.size() == want_m.size());
        for (size_t i = 0; i < moms.size(); ++i) {
          INFO(name << " momentum at step " << i << ": got " << moms[i] << ", want " << want_m[i]);
          CHECK(moms[i] == doctest::Approx(want_m[i]).epsilon(1e-9));
        }
      }
      const auto want = c.at("lrs").get<std::vector<double>>();
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        INFO(name << " step " << i << ": got " << got[i] << ", want " << want[i]);
        CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-9));
      }
    }
  }
}

TEST_CASE("clipping: clip_grad_norm_ and clip_grad_value_ as PyTorch") {
  const json fixture = load_fixture("optim.json");
  for (const json& c : fixture.at("clipping")) {
    Tensor p1 = zeros({3, 4}, kFloat64).requires_grad_(), p2 = zeros({5}, kFloat64).requires_grad_();
    p1.set_grad(tensor_from(c.at("grads")[0]));
    p2.set_grad(tensor_from(c.at("grads")[1]));
    const double norm_type = c.at("norm_type").is_string() ? INFINITY : c.at("norm_type").get<double>();
    const double total = optim::clip_grad_norm_({p1, p2}, c.at("max_norm"), norm_type);
    CHECK(total == doctest::Approx(c.at("total").get<double>()).epsilon(1e-12));
    check_tensor(p1.grad(), c.at("clipped")[0], "clipped p1");
    check_tensor(p2.grad(), c.at("clipped")[1], "clipped p2");
  }
  Tensor p = zeros({3}).requires_grad_();
  p.set_grad(tensor({-2.0, 0.5, 3.0}));
  optim::clip_grad_value_({p}, 1.0);
  CHECK(p.grad().to_vector<float>() == std::vector<float>{-1, 0.5, 1});
  p.set_grad(tensor({NAN, 1.0, 1.0}));
  CHECK_THROWS_WITH_AS(optim::clip_grad_norm_({p}, 1.0, 2.0, true), doctest::Contains("nan"), Error);
  CHECK(std::isnan(optim::clip_grad_norm_({p}, 1.0)));  // skip: gradients untouched
  CHECK(p.grad().at<float>({1}) == 1.0f);
}

TEST_CASE("clipping: a large gradient is clipped to the same bits at 1, 2 and 4 threads, and to max_norm") {
  const int threads = num_threads();
  std::vector<std::vector<float>> grads;
  std::vector<double> norms;
  for (int t : {1, 2, 4}) {
    set_num_threads(t);
    manual_seed(5);
    Tensor p = zeros({300, 1000}).requires_grad_(), q = zeros({7}).requires_grad_();
    p.set_grad(randn({300, 1000}));
    q.set_grad(transpose(randn({7, 1}), 0, 1).reshape({7}));
    norms.push_back(optim::clip_grad_norm_({p, q}, 2.0));
    grads.push_back(p.grad().to_vector<float>());
    CHECK(norm(cat({p.grad().reshape({-1}), q.grad()})).item<float>() == doctest::Approx(2.0).epsilon(1e-5));
  }
  set_num_threads(threads);
  CHECK(norms[0] == doctest::Approx(std::sqrt(300007.0)).epsilon(0.01));
  CHECK(norms[1] == norms[0]);
  CHECK(norms[2] == norms[0]);
  CHECK(grads[1] == grads[0]);
  CHECK(grads[2] == grads[0]);
}

TEST_CASE("initializers: seeded, with the bounds and spreads of torch.nn.init") {
  Tensor w = zeros({200, 300});
  manual_seed(1);
  optim::init::xavier_uniform_(w);
  const double bound = std::sqrt(6.0 / 500);
  CHECK(max(w).item<double>() <= bound);
  CHECK(min(w).item<double>() >= -bound);
  CHECK(max(w).item<double>() > 0.95 * bound);
  auto spread = [](const Tensor& t) {
    const double m = mean(t).item<double>();
    return std::sqrt(mean(square(t - m)).item<double>());
  };
  optim::init::xavier_normal_(w);
  CHECK(spread(w) == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.03));
  optim::init::kaiming_normal_(w, 0.0, "fan_in", "relu");
  CHECK(spread(w) == doctest::Approx(std::sqrt(2.0 / 300)).epsilon(0.03));
  optim::init::kaiming_uniform_(w, std::sqrt(5.0));  // PyTorch's Linear default: bound 1/sqrt(fan_in)
  CHECK(max(w).item<double>() <= 1 / std::sqrt(300.0) + 1e-7);
  Tensor copy = w.clone();
  manual_seed(1);
  optim::init::xavier_uniform_(w);
  manual_seed(1);
  optim::init::xavier_uniform_(copy);
  CHECK(allclose(w, copy));
  for (Shape s : {Shape{6, 4}, Shape{4, 6}}) {
    Tensor q = zeros(s, kFloat64);
    optim::init::orthogonal_(q, 2.0);
    Tensor gram = s[0] >= s[1] ? matmul(q.t(), q) : matmul(q, q.t());
    const int64_t n = std::min(s[0], s[1]);
    std::vector<double> eye(n * n, 0.0);
    for (int64_t i = 0; i < n; ++i) eye[i * n + i] = 4.0;
    spool::testing::check_close(gram, eye, 1e-9, 1e-9);
  }
  optim::init::constant_(w, 0.25);
  CHECK(mean(w).item<double>() == doctest::Approx(0.25));
  CHECK_THROWS_AS(optim::init::xavier_uniform_(zeros({3})), Error);
  CHECK_THROWS_AS(optim::init::kaiming_uniform_(w, 0, "fan_mid"), Error);
  Tensor q = zeros({2}).requires_grad_();
  optim::Adagrad no_momentum({q});
  CHECK_THROWS_WITH_AS(optim::CyclicLR(no_momentum, 0.01, 0.1), doctest::Contains("cycle_momentum"), Error);
}

TEST_CASE("schedulers and initializers: degenerate arguments") {
  Tensor w = zeros({2}).requires_grad_();
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9));
  // 2 steps at pct_start 0.5: the rising phase would be empty (NaN rates in a division by 0).
  CHECK_ERROR(optim::OneCycleLR(sgd, 0.1, 2, 0.5), "OneCycleLR", "empty phase");
  // A period 2 * T_max past int64 would overflow in the schedule's arithmetic.
  CHECK_ERROR(optim::CosineAnnealingLR(sgd, std::numeric_limits<int64_t>::max()), "CosineAnnealingLR", "T_max",
              "9223372036854775807");
  CHECK_ERROR(optim::CosineAnnealingLR(sgd, 0), "CosineAnnealingLR", "T_max", "positive");
  CHECK_ERROR(sgd.set_lr(0.1, 5), "optimizer", "group 5", "1 groups");
  CHECK_ERROR(optim::Adam(std::vector<Tensor>{}), "group 0 is empty");
  auto saved = sgd.state_dict();
  for (auto& [key, t] : saved)
    if (key == "group.0.lr") t = scalar_tensor(std::nan(""), kFloat64);
  CHECK_ERROR(sgd.load_state_dict(saved), "load_state_dict", "group.0.lr", "finite");
  // orthogonal_ of an empty tensor fills nothing (it divided by zero).
  Tensor empty = zeros({0, 3});
  CHECK_NOTHROW(optim::init::orthogonal_(empty));
}
