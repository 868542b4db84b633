// The one header user code includes: #include <spool/spool.hpp>
#pragma once

#include <spool/framework/autograd.hpp>
#include <spool/framework/csv.hpp>
#include <spool/framework/custom_function.hpp>
#include <spool/framework/data.hpp>
#include <spool/framework/dtype.hpp>
#include <spool/framework/error.hpp>
#include <spool/framework/format.hpp>
#include <spool/framework/gradcheck.hpp>
#include <spool/framework/metrics.hpp>
#include <spool/framework/mo_catalog.hpp>
#include <spool/framework/random.hpp>
#include <spool/framework/safetensors.hpp>
#include <spool/framework/shape.hpp>
#include <spool/framework/tensor.hpp>
#include <spool/framework/text.hpp>
#include <spool/framework/threading.hpp>
#include <spool/framework/timeseries.hpp>
#include <spool/framework/word_vectors.hpp>
#include <spool/ops/ops.hpp>
#include <spool/ops/pointwise.hpp>
#include <spool/layers/layers.hpp>
#include <spool/optim/optim.hpp>
