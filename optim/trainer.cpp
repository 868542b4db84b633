#include "trainer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "../framework/core/autograd.hpp"
#include "../framework/io/progress_bar.hpp"
#include "clip.hpp"

namespace spool::optim {

namespace {

double initial_best(const std::string& mode) {
  return mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

void check_mode(const char* who, const std::string& mode) {
  SPOOL_CHECK(mode == "min" || mode == "max", who, "mode must be min or max, got {}", mode);
}

double monitored(const char* who, const Logs& logs, const std::string& key) {
  auto it = logs.find(key);
  SPOOL_CHECK(it != logs.end(), who, "no \"{}\" in the logs (is validation data given?)", key);
  return it->second;
}

// The bar of one epoch: "Epoch e/E", the running loss and metrics.
class Progress {
 public:
  Progress(bool verbose, int64_t epoch, int64_t epochs, size_t steps)
      : bar_(int64_t(steps), fmt::format("Epoch {}/{}", epoch + 1, epochs), verbose) {}
  bool drawing() const { return bar_.drawing(); }
  void update(size_t done, double running_loss, const std::map<std::string, double>& metric_means) {
    ProgressValues values{{"loss", running_loss}};
    values.insert(values.end(), metric_means.begin(), metric_means.end());
    bar_.update(int64_t(done), values);
  }
  void finish(const Logs& logs) { bar_.finish(ProgressValues(logs.begin(), logs.end())); }

 private:
  ProgressBar bar_;
};

}  // namespace

EarlyStopping::EarlyStopping(std::string monitor, int64_t patience, double min_delta, std::string mode)
    : monitor_(std::move(monitor)), mode_(std::move(mode)), patience_(patience), min_delta_(min_delta),
      best_(initial_best(mode_)) {
  check_mode("EarlyStopping", mode_);
}

void EarlyStopping::on_epoch_end(int64_t epoch, const Logs& logs) {
  const double v = monitored("EarlyStopping", logs, monitor_);
  const bool better = mode_ == "min" ? v < best_ - min_delta_ : v > best_ + min_delta_;
  if (better) {
    best_ = v;
    wait_ = 0;
  } else if (++wait_ > patience_) {
    stop_ = true;
    stopped_epoch_ = epoch;
  }
}

ModelCheckpoint::ModelCheckpoint(nn::Module& model, std::string path, std::string monitor, bool best_only,
                                 std::string mode)
    : model_(model), path_(std::move(path)), monitor_(std::move(monitor)), mode_(std::move(mode)),
      best_only_(best_only), best_(initial_best(mode_)) {
  check_mode("ModelCheckpoint", mode_);
}

void ModelCheckpoint::on_epoch_end(int64_t, const Logs& logs) {
  if (!best_only_) {
    model_.save(path_);
    return;
  }
  const double v = monitored("ModelCheckpoint", logs, monitor_);
  if (mode_ == "min" ? v < best_ : v > best_) {
    best_ = v;
    model_.save(path_);
  }
}

CSVLogger::CSVLogger(std::string path) : path_(std::move(path)) {}

void CSVLogger::on_epoch_end(int64_t epoch, const Logs& logs) {
  std::ofstream out(path_, header_written_ ? std::ios::app : std::ios::trunc);
  SPOOL_CHECK(out.good(), "CSVLogger", "cannot write {}", path_);
  if (!header_written_) {
    out << "epoch";
    for (auto& [k, v] : logs) out << ',' << k;
    out << '\n';
    header_written_ = true;
  }
  out << epoch;
  for (auto& [k, v] : logs) out << ',' << fmt::format("{:.10g}", v);
  out << '\n';
}

namespace {
// Per-example sums of the loss and metrics over an epoch (a batch's values
// weigh as many examples as it holds).
class EpochMeans {
 public:
  EpochMeans(const char* op, const std::map<std::string, MetricFn>& metrics) : op_(op), metrics_(metrics) {}
  void add(const StepOutput& s, const Batch& b) {
    const auto n = static_cast<double>(std::max<int64_t>(b.size, 1));
    loss_ += s.loss.item<double>() * n;
    if (!metrics_.empty()) {
      SPOOL_CHECK(s.output.defined(), op_,
                  "metrics need the model output: return {{loss, output}} from the loss function");
      NoGradGuard no_grad;
      for (auto& [name, fn] : metrics_) sums_[name] += fn(s.output, b) * n;
    }
    examples_ += n;
    ++batches_;
  }
  size_t batches() const { return batches_; }
  double loss() const { return loss_ / examples_; }
  // The running per-example means of the metrics (for the progress bar).
  std::map<std::string, double> metrics() const {
    std::map<std::string, double> m;
    for (auto& [name, s] : sums_) m[name] = s / examples_;
    return m;
  }
  Logs logs() const {
    Logs l = metrics();
    l["loss"] = loss();
    return l;
  }

 private:
  const char* op_;
  const std::map<std::string, MetricFn>& metrics_;
  double loss_ = 0, examples_ = 0;
  size_t batches_ = 0;
  std::map<std::string, double> sums_;
};

void check_batches(const char* op, const char* what, size_t batches) {
  SPOOL_CHECK(batches > 0, op,
              "the {} data gave no batches (an empty dataset, or drop_last with fewer examples than batch_size)",
              what);
}
}  // namespace

Logs evaluate(nn::Module& model, DataLoader& data, const LossFn& loss, const std::map<std::string, MetricFn>& metrics) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  EpochMeans means("evaluate", metrics);
  try {
    auto batches = data.epoch();
    check_batches("evaluate", "evaluation", batches.size());
    for (const Batch& b : batches) means.add(loss(b), b);
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  return means.logs();
}

std::vector<Tensor> predict(nn::Module& model, DataLoader& data, const std::function<Tensor(const Batch&)>& forward) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> out;
  for (const Batch& b : data.epoch()) out.push_back(forward(b));
  model.train(was_training);
  return out;
}

History fit(nn::Module& model, DataLoader& train, Optimizer& opt, const LossFn& loss, const FitOptions& o) {
  SPOOL_CHECK(o.epochs > o.initial_epoch, "fit", "epochs ({}) must exceed initial_epoch ({})", o.epochs,
              o.initial_epoch);
  History history;
  train.set_epoch(o.initial_epoch);
  for (int64_t epoch = o.initial_epoch; epoch < o.epochs; ++epoch) {
    model.train();
    auto batches = train.epoch();
    check_batches("fit", "training", batches.size());
    Progress progress(o.verbose, epoch, o.epochs, batches.size());
    EpochMeans means("fit", o.metrics);
    for (const Batch& b : batches) {
      opt.zero_grad();
      const StepOutput s = loss(b);
      s.loss.backward();
      const bool finite = o.clip_grad_norm <= 0 || std::isfinite(clip_grad_norm_(model.parameters(), o.clip_grad_norm));
      if (finite) opt.step();  // a non-finite gradient norm skips the step
      means.add(s, b);
      if (progress.drawing()) progress.update(means.batches(), means.loss(), means.metrics());
    }
    Logs logs = means.logs();
    logs["lr"] = opt.lr();
    if (o.validation) {
      for (auto& [k, v] : evaluate(model, *o.validation, loss, o.metrics)) logs["val_" + k] = v;
    }
    if (o.scheduler) o.scheduler->step();
    if (o.plateau) o.plateau->step(logs.count("val_loss") ? logs["val_loss"] : logs["loss"]);
    progress.finish(logs);
    history.push_back(logs);
    bool stop = false;
    for (Callback* c : o.callbacks) {
      c->on_epoch_end(epoch, logs);
      stop = stop || c->stop_training();
    }
    if (stop) break;
  }
  return history;
}

}  // namespace spool::optim
