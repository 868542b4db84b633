// A Keras-style fit / evaluate / predict around any Module, loss and
// optimizer. fit is the hand-written PyTorch loop (zero_grad, forward,
// backward, clip, step) plus bookkeeping:
//
//   auto loss_of = [&](const Batch& b) { return cross_entropy(model.forward(b.input, b.lengths), b.target); };
//   optim::EarlyStopping stop("val_loss", 3);
//   auto history = optim::fit(model, train, opt, loss_of,
//                             {.epochs = 20, .validation = &val, .clip_grad_norm = 1.0, .callbacks = {&stop}});
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../framework/data/dataset.hpp"
#include "../layers/core/module.hpp"
#include "optimizer.hpp"
#include "scheduler.hpp"

namespace spool::optim {

using Logs = std::map<std::string, double>;  // "loss", "val_loss", "lr", metric names
// What a loss function gives for a batch: the loss, and (for metrics) the
// model output it was computed from. A function that returns the loss
// alone converts; metrics then need the output: return {loss, output}.
struct StepOutput {
  StepOutput(Tensor loss) : loss(std::move(loss)) {}  // NOLINT: a loss alone converts
  StepOutput(Tensor loss, Tensor output) : loss(std::move(loss)), output(std::move(output)) {}
  Tensor loss, output;
};
using LossFn = std::function<StepOutput(const Batch&)>;
// A metric of a batch from the output of the step's own forward (as Keras:
// no second forward, so dropout and the optimizer step do not change it);
// averaged per example over the epoch, as the loss.
using MetricFn = std::function<double(const Tensor& output, const Batch&)>;

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_epoch_end(int64_t /*epoch*/, const Logs& /*logs*/) {}
  // True asks fit to stop after this epoch.
  virtual bool stop_training() const { return false; }
};

// Stops when `monitor` has not improved by min_delta for `patience` epochs.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(std::string monitor = "val_loss", int64_t patience = 0, double min_delta = 0,
                         std::string mode = "min");
  void on_epoch_end(int64_t epoch, const Logs& logs) override;
  bool stop_training() const override { return stop_; }
  int64_t stopped_epoch() const { return stopped_epoch_; }

 private:
  std::string monitor_, mode_;
  int64_t patience_, wait_ = 0, stopped_epoch_ = -1;
  double min_delta_, best_;
  bool stop_ = false;
};

// Saves the model (safetensors, atomically) after each epoch, or only when
// `monitor` improves with save_best_only.
class ModelCheckpoint : public Callback {
 public:
  ModelCheckpoint(nn::Module& model, std::string path, std::string monitor = "val_loss", bool save_best_only = true,
                  std::string mode = "min");
  void on_epoch_end(int64_t epoch, const Logs& logs) override;
  double best() const { return best_; }

 private:
  nn::Module& model_;
  std::string path_, monitor_, mode_;
  bool best_only_;
  double best_;
};

// Appends one CSV row per epoch (epoch and every log value).
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string path);
  void on_epoch_end(int64_t epoch, const Logs& logs) override;

 private:
  std::string path_;
  bool header_written_ = false;
};

class LambdaCallback : public Callback {
 public:
  explicit LambdaCallback(std::function<void(int64_t, const Logs&)> fn) : fn_(std::move(fn)) {}
  void on_epoch_end(int64_t epoch, const Logs& logs) override { fn_(epoch, logs); }

 private:
  std::function<void(int64_t, const Logs&)> fn_;
};

struct FitOptions {
  int64_t epochs = 1;
  int64_t initial_epoch = 0;  // resume: the loader continues its shuffle order from here
  DataLoader* validation = nullptr;
  double clip_grad_norm = 0;  // 0: no clipping; non-finite norms skip the step
  LRScheduler* scheduler = nullptr;  // stepped after each epoch
  ReduceLROnPlateau* plateau = nullptr;  // stepped with val_loss (or loss)
  std::map<std::string, MetricFn> metrics;  // evaluated on training and validation batches
  std::vector<Callback*> callbacks;
  bool verbose = true;  // a progress bar on a terminal, one line per epoch otherwise
};

using History = std::vector<Logs>;

History fit(nn::Module& model, DataLoader& train, Optimizer& optimizer, const LossFn& loss, const FitOptions& options);
// Mean loss (and metrics) per example over a loader, in eval mode without
// recording. An epoch with no batches is an error, in fit too.
Logs evaluate(nn::Module& model, DataLoader& data, const LossFn& loss,
              const std::map<std::string, MetricFn>& metrics = {});
// forward(batch) for every batch, in eval mode without recording.
std::vector<Tensor> predict(nn::Module& model, DataLoader& data, const std::function<Tensor(const Batch&)>& forward);

}  // namespace spool::optim
