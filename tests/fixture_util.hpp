// Reading PyTorch fixtures (JSON written by tools/make_*fixtures.py).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "test_util.hpp"

namespace spool::testing {

using json = nlohmann::json;

inline json load_fixture(const std::string& file) {
  std::ifstream in(std::string(SPOOL_FIXTURES_DIR) + "/" + file);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << file);
  return json::parse(in);
}

inline ScalarType dtype_from(const std::string& s) {
  if (s == "float32") return kFloat32;
  if (s == "float64") return kFloat64;
  if (s == "int64") return kInt64;
  if (s == "bool") return kBool;
  throw Error("fixture: unknown dtype " + s);
}

// {"dtype", "shape", "data"} -> Tensor
inline Tensor tensor_from(const json& j) {
  const ScalarType dt = dtype_from(j.at("dtype"));
  Shape shape(j.at("shape").get<std::vector<int64_t>>());
  const json& data = j.at("data");
  Tensor t = Tensor::empty(shape, dt);
  SPOOL_DISPATCH_ALL(dt, "fixture", [&] {
    scalar_t* p = t.data_ptr<scalar_t>();
    for (size_t i = 0; i < data.size(); ++i) p[i] = data[i].get<scalar_t>();
  });
  return t;
}

// Values and shape against a fixture tensor: rtol 1e-5 (float32) with a
// small atol for summation-order noise near zero.
inline void check_tensor(const Tensor& got, const json& want, const std::string& what) {
  Tensor w = tensor_from(want);
  INFO(what << ": got shape " << fmt::format("{}", got.sizes()) << ", want " << fmt::format("{}", w.sizes()));
  REQUIRE(got.defined());
  REQUIRE(got.sizes() == w.sizes());
  CHECK(got.dtype() == w.dtype());
  const double rtol = 1e-5, atol = w.dtype() == kFloat64 ? 1e-12 : 1e-6;
  auto g = got.to_vector<double>(), e = w.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i) {
    INFO(what << " element " << i << ": got " << g[i] << ", want " << e[i]);
    CHECK(std::fabs(g[i] - e[i]) <= atol + rtol * std::fabs(e[i]));
  }
}

}  // namespace spool::testing
