// Every optimizer (namespace spool::optim).
#pragma once

#include "adagrad.hpp"
#include "adam.hpp"
#include "optimizer.hpp"
#include "rmsprop.hpp"
#include "sgd.hpp"
