#include "model.hpp"

namespace forecast {

using namespace spool;

Forecaster::Forecaster(int64_t features, int64_t hidden)
    : Module("Forecaster"),
      lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(features, hidden).batch_first(true)))),
      head(register_module("head", nn::Linear(hidden, 1))) {}

Tensor Forecaster::forward(const Tensor& windows) {
  const Tensor last = select(lstm(windows).output, 1, -1);  // [B, H]: the state after the window
  return reshape(head(last), {-1});
}

Transform Transform::fit(const std::vector<double>& y, int64_t lag, int64_t window, bool levels, int64_t fit_end) {
  Transform t{.lag = lag, .window = window, .levels = levels};
  const Tensor train = tensor(std::vector<double>(y.begin(), y.begin() + fit_end), {fit_end}, kFloat64);
  t.change.fit(difference(train, lag));
  t.level.fit(narrow(train, 0, lag, fit_end - lag));
  return t;
}

Tensor Transform::rows(const std::vector<double>& y) const {
  const auto n = static_cast<int64_t>(y.size());
  const Tensor series = tensor(y, {n}, kFloat64);
  const Tensor changes = change.transform(difference(series, lag));
  if (!levels) return unsqueeze(changes, 1).to(kFloat32);
  return stack({changes, level.transform(narrow(series, 0, lag, n - lag))}, 1).to(kFloat32);
}

double Transform::value_after(const std::vector<double>& y, double scaled_change) const {
  const double c = scaled_change * change.std.to_vector<double>()[0] + change.mean.to_vector<double>()[0];
  return y[y.size() - size_t(lag)] + c;
}

nlohmann::json Transform::to_json() const {
  return {{"lag", lag},
          {"window", window},
          {"levels", levels},
          {"change_mean", change.mean.to_vector<double>()[0]},
          {"change_std", change.std.to_vector<double>()[0]},
          {"level_mean", level.mean.to_vector<double>()[0]},
          {"level_std", level.std.to_vector<double>()[0]}};
}

Transform Transform::from_json(const nlohmann::json& j) {
  Transform t{.lag = j.at("lag"), .window = j.at("window"), .levels = j.at("levels")};
  const auto one = [](double v) { return tensor({v}, {1}, kFloat64); };
  t.change.mean = one(j.at("change_mean"));
  t.change.std = one(j.at("change_std"));
  t.level.mean = one(j.at("level_mean"));
  t.level.std = one(j.at("level_std"));
  return t;
}

std::vector<std::vector<double>> forecast_paths(Forecaster& model, const Transform& t,
                                                std::vector<std::vector<double>> histories, int64_t steps) {
  NoGradGuard no_grad;
  model.eval();
  const auto reads = static_cast<size_t>(t.lag + t.window);
  for (int64_t k = 0; k < steps; ++k) {
    std::vector<Tensor> windows;
    for (const std::vector<double>& h : histories)
      windows.push_back(t.rows(std::vector<double>(h.end() - reads, h.end())));  // [window, F]
    const std::vector<double> changes = model.forward(stack(windows, 0)).to_vector<double>();
    for (size_t i = 0; i < histories.size(); ++i) histories[i].push_back(t.value_after(histories[i], changes[i]));
  }
  for (std::vector<double>& h : histories) h.erase(h.begin(), h.end() - steps);
  return histories;
}

}  // namespace forecast
