// Every layer (namespace spool::nn).
#pragma once

#include "basic.hpp"
#include "embedding.hpp"
#include "linear.hpp"
#include "module.hpp"
#include "recurrent.hpp"
#include "recurrent_cell.hpp"
#include "sequential.hpp"
#include "packed_sequence.hpp"
#include "wrappers.hpp"
