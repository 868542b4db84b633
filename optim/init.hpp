// Parameter initializers, as torch.nn.init; all draw from spool's seeded
// generator (manual_seed) and fill the tensor in place.
//   optim::init::xavier_uniform_(lin.weight);
//   optim::init::orthogonal_(lstm.parameter("weight_hh_l0"));
#pragma once

#include <string>

#include "../framework/core/tensor.hpp"

namespace spool::optim::init {

void uniform_(const Tensor& t, double a = 0.0, double b = 1.0);
void normal_(const Tensor& t, double mean = 0.0, double std = 1.0);
void constant_(const Tensor& t, double value);
void zeros_(const Tensor& t);
void ones_(const Tensor& t);
// bound = gain * sqrt(6 / (fan_in + fan_out))
void xavier_uniform_(const Tensor& t, double gain = 1.0);
// std = gain * sqrt(2 / (fan_in + fan_out))
void xavier_normal_(const Tensor& t, double gain = 1.0);
// std = gain / sqrt(fan), gain = sqrt(2 / (1 + a^2)) for leaky_relu, sqrt(2) for relu, 1 for linear;
// uniform bound = sqrt(3) * std. mode: "fan_in" or "fan_out".
void kaiming_uniform_(const Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                      const std::string& nonlinearity = "leaky_relu");
void kaiming_normal_(const Tensor& t, double a = 0.0, const std::string& mode = "fan_in",
                     const std::string& nonlinearity = "leaky_relu");
// A (semi-)orthogonal matrix from the QR decomposition of a normal sample,
// scaled by gain; dims past the first are flattened.
void orthogonal_(const Tensor& t, double gain = 1.0);

}  // namespace spool::optim::init
