// The forecasting model and what turns a series into its inputs and its
// outputs back into values: differencing, scaling, windows, and forecasts
// several steps ahead by feeding each forecast back.
#pragma once

#include <spool/spool.hpp>

#include <nlohmann/json.hpp>

#include <vector>

namespace forecast {

// An LSTM reads a window of rows (scaled change, and maybe scaled level) and
// a linear layer on its last state gives the next scaled change.
struct Forecaster : spool::nn::Module {
  Forecaster(int64_t features, int64_t hidden);
  // windows [B, T, F] -> [B]
  spool::Tensor forward(const spool::Tensor& windows);
  spool::Tensor forward_tensor(const spool::Tensor& x) override { return forward(x); }

  spool::nn::LSTM lstm;
  spool::nn::Linear head;
};

// Values <-> model rows. Row j of a series y is time t = j + lag and holds
// the scaled change y[t] - y[t - lag] and, with `levels`, the scaled level
// y[t]. The scalers are fitted on the training steps only.
struct Transform {
  int64_t lag = 1, window = 1;
  bool levels = false;
  spool::StandardScaler change, level;

  // Fitted on y[0 .. fit_end).
  static Transform fit(const std::vector<double>& y, int64_t lag, int64_t window, bool levels, int64_t fit_end);
  int64_t features() const { return levels ? 2 : 1; }
  // float32 [y.size() - lag, features()]
  spool::Tensor rows(const std::vector<double>& y) const;
  // The value a predicted scaled change gives after y[0 .. t): y[t - lag] + change.
  double value_after(const std::vector<double>& y, double scaled_change) const;

  nlohmann::json to_json() const;
  static Transform from_json(const nlohmann::json& j);
};

// Forecasts `steps` values after each history (each at least lag + window
// values, oldest first): a forecast joins its history as the newest value
// and the next step reads it. All histories run as one batch.
std::vector<std::vector<double>> forecast_paths(Forecaster& model, const Transform& t,
                                                std::vector<std::vector<double>> histories, int64_t steps);

}  // namespace forecast
