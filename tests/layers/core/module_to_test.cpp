// Module::to(dtype): a model converted in place, and gradcheck through
// recurrent layers in float64.
#include "test_util.hpp"

using namespace spool;

TEST_CASE("module: to(kFloat64) converts every parameter in place, keeping the leaves") {
  manual_seed(1);
  nn::Linear lin(3, 2);
  const Tensor before = lin.weight.to(kFloat64);
  Tensor handle = lin.parameters()[0];
  lin(randn({4, 3})).sum().backward();
  REQUIRE(lin.weight.grad().defined());
  lin.to(kFloat64);
  CHECK(lin.weight.dtype() == kFloat64);
  CHECK(handle.dtype() == kFloat64);  // every handle sees the conversion
  CHECK(lin.parameters()[1].dtype() == kFloat64);
  CHECK(lin.weight.requires_grad());
  CHECK(lin.weight.is_leaf());
  CHECK_FALSE(lin.weight.grad().defined());  // the float32 gradient is dropped
  CHECK(allclose(lin.weight, before, 0, 0));
  Tensor y = lin(randn({4, 3}, kFloat64));
  CHECK(y.dtype() == kFloat64);
  y.sum().backward();
  CHECK(lin.weight.grad().dtype() == kFloat64);
  CHECK(lin.state_dict().at("bias").dtype() == kFloat64);
  lin.to(kFloat32);
  CHECK(lin.weight.dtype() == kFloat32);
  CHECK_ERROR(lin.to(kInt64), "Module::to", "int64");

  // A graph that saved the old weight refuses to run backward after the conversion.
  Tensor z = lin(randn({2, 3})).sum();
  lin.to(kFloat64);
  CHECK_ERROR(z.backward(), "linear", "changed in place");
  CHECK_ERROR(z.set_data(zeros({1})), "set_data", "leaf");
  CHECK_ERROR(lin.weight.set_data(Tensor()), "set_data", "undefined");
  CHECK_ERROR(lin.weight.set_data(zeros({2, 3}, kInt64)), "set_data", "floating", "int64");
}

TEST_CASE("module: gradcheck through an LSTM and a GRU converted to float64") {
  manual_seed(2);
  nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true));
  nn::GRU gru(nn::GRUOptions(3, 4).batch_first(true));
  lstm.to(kFloat64);
  gru.to(kFloat64);
  Tensor x = randn({5, 2, 3}, kFloat64).requires_grad_();
  Tensor lengths = tensor({5, 3}, kInt64);
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : lstm.parameters()) inputs.push_back(p);
  auto r = gradcheck([&](const std::vector<Tensor>& v) { return lstm(v[0], {.lengths = lengths}).output; }, inputs);
  INFO(r.report);
  CHECK(r.ok);
  std::vector<Tensor> gin{x.detach().transpose(0, 1).contiguous().requires_grad_()};
  for (const Tensor& p : gru.parameters()) gin.push_back(p);
  auto rg = gradcheck([&](const std::vector<Tensor>& v) { return gru(v[0]).h_n; }, gin);
  INFO(rg.report);
  CHECK(rg.ok);
}
