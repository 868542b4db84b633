#include "test_util.hpp"

using namespace spool;

TEST_CASE("Bidirectional wrapper equals a bidirectional stack with the same weights") {
  manual_seed(11);
  nn::Bidirectional bi(nn::LSTM(nn::LSTMOptions(3, 4).batch_first(true)), "concat");
  nn::LSTM native(nn::LSTMOptions(3, 4).batch_first(true).bidirectional(true));
  nn::StateDict d;
  for (auto& [name, t] : bi.state_dict()) {
    const bool reverse = name.rfind("backward_layer.", 0) == 0;
    d.insert(name.substr(name.find('.') + 1) + (reverse ? "_reverse" : ""), t);
  }
  native.load_state_dict(d);
  Tensor x = randn({2, 5, 3});
  Tensor lengths = tensor(std::vector<int64_t>{5, 3});
  auto a = bi(x, {.lengths = lengths});
  auto b = native(x, {.lengths = lengths});
  CHECK(allclose(a.output, b.output, 1e-5, 1e-6));
  CHECK(allclose(a.h_n, b.h_n, 1e-5, 1e-6));
  CHECK(allclose(a.c_n, b.c_n, 1e-5, 1e-6));

  for (const char* mode : {"sum", "mul", "ave"}) {
    nn::Bidirectional m(nn::GRU(nn::GRUOptions(3, 4)), mode);
    auto r = m(randn({5, 2, 3}));
    CHECK(r.output.sizes() == Shape{5, 2, 4});
    CHECK(r.h_n.sizes() == Shape{2, 2, 4});
  }
  CHECK_THROWS_WITH_AS(nn::Bidirectional(nn::GRU(3, 4), "max"), doctest::Contains("merge_mode"), Error);
  CHECK_THROWS_AS(nn::Bidirectional(nn::GRU(nn::GRUOptions(3, 4).bidirectional(true))), Error);
}

TEST_CASE("TimeDistributed and RepeatVector") {
  manual_seed(12);
  nn::Linear lin(4, 2);
  nn::TimeDistributed td(lin);
  Tensor x = randn({3, 5, 4});
  Tensor y = td(x);
  CHECK(y.sizes() == Shape{3, 5, 2});
  CHECK(allclose(y.select(1, 2), lin(x.select(1, 2)), 1e-5, 1e-6));
  CHECK(td.num_parameters() == 10);
  CHECK_THROWS_AS(td(randn({3, 4})), Error);
  nn::RepeatVector rep(4);
  Tensor v = randn({2, 3}).requires_grad_();
  Tensor r = rep(v);
  CHECK(r.sizes() == Shape{2, 4, 3});
  CHECK(allclose(r.select(1, 3), v));
  r.sum().backward();
  CHECK(allclose(v.grad(), full({2, 3}, 4.0)));
}

TEST_CASE("wrappers: Bidirectional refuses c0 without h0") {
  nn::Bidirectional bi(nn::LSTM(2, 3));
  CHECK_ERROR(bi(zeros({4, 1, 2}), {.c0 = zeros({2, 1, 3})}), "Bidirectional", "c0", "without h0");
}
