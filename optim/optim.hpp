// Every optimizer (namespace spool::optim).
#pragma once

#include "adagrad.hpp"
#include "clip.hpp"
#include "init.hpp"
#include "adam.hpp"
#include "optimizer.hpp"
#include "penalty.hpp"
#include "rmsprop.hpp"
#include "scheduler.hpp"
#include "sgd.hpp"
#include "trainer.hpp"
