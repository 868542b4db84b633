#include <filesystem>
#include <fstream>

#include "test_util.hpp"

using namespace spool;
namespace fs = std::filesystem;

namespace {
struct Classifier : nn::Module {
  Classifier()
      : Module("Classifier"),
        emb(register_module("emb", nn::Embedding(nn::EmbeddingOptions(10, 8).padding_idx(0)))),
        gru(register_module("gru", nn::GRU(nn::GRUOptions(8, 12).batch_first(true)))),
        out(register_module("out", nn::Linear(12, 2))) {}
  Tensor forward(const Batch& b) { return out(gru(emb(b.input), {.lengths = b.lengths}).h_n.select(0, 0)); }
  nn::Embedding emb;
  nn::GRU gru;
  nn::Linear out;
};

// Label: whether the sequence has more tokens above 5 than at or below.
SequenceDataset make_data(int64_t n, uint64_t seed) {
  manual_seed(seed);
  std::vector<std::vector<int64_t>> seqs;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = 3 + (i % 5);
    auto toks = randint(1, 10, {len}).to_vector<int64_t>();
    int64_t high = 0;
    for (int64_t t : toks) high += t > 5;
    seqs.push_back(toks);
    labels.push_back(2 * high > len ? 1 : 0);
  }
  return SequenceDataset(seqs, tensor(labels));
}

std::vector<float> flat_params(const nn::Module& m) {
  std::vector<float> out;
  for (const Tensor& p : m.parameters()) {
    auto v = p.to_vector<float>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}
}  // namespace

TEST_CASE("fit: trains, validates, and runs callbacks") {
  auto train_data = make_data(96, 1), val_data = make_data(32, 2);
  DataLoader train(train_data, {.batch_size = 16, .shuffle = true, .seed = 5});
  DataLoader val(val_data, {.batch_size = 32});
  manual_seed(3);
  Classifier model;
  optim::Adam opt(model.parameters(), optim::AdamOptions(0.02));
  auto loss = [&](const Batch& b) -> optim::StepOutput {
    Tensor out = model.forward(b);
    return {cross_entropy(out, b.target), out};
  };
  std::map<std::string, optim::MetricFn> metrics{
      {"accuracy", [](const Tensor& out, const Batch& b) { return metrics::accuracy(out, b.target); }}};
  const auto dir = fs::temp_directory_path() / "spool_fit_test";
  fs::create_directories(dir);
  optim::ModelCheckpoint best(model, (dir / "best.safetensors").string());
  optim::CSVLogger csv((dir / "log.csv").string());
  int64_t calls = 0;
  optim::LambdaCallback count([&](int64_t, const optim::Logs&) { ++calls; });
  optim::StepLR sched(opt, 10, 0.5);
  auto history = optim::fit(model, train, opt, loss,
                            {.epochs = 12, .validation = &val, .clip_grad_norm = 5.0, .scheduler = &sched,
                             .metrics = metrics, .callbacks = {&best, &csv, &count}, .verbose = false});
  REQUIRE(history.size() == 12);
  CHECK(calls == 12);
  CHECK(history.back().at("loss") < 0.7 * history.front().at("loss"));
  CHECK(history.back().at("accuracy") > 0.8);
  CHECK(history.back().at("lr") == doctest::Approx(0.01));  // halved after epoch 10
  CHECK(history.front().count("val_loss") == 1);
  std::ifstream log(dir / "log.csv");
  std::string header;
  std::getline(log, header);
  CHECK(header == "epoch,accuracy,loss,lr,val_accuracy,val_loss");
  Classifier reloaded;
  reloaded.load((dir / "best.safetensors").string());
  auto eval = optim::evaluate(reloaded, val, [&](const Batch& b) { return cross_entropy(reloaded.forward(b), b.target); });
  CHECK(eval.at("loss") == doctest::Approx(best.best()).epsilon(1e-5));
  auto preds = optim::predict(model, val, [&](const Batch& b) { return model.forward(b); });
  CHECK(preds.size() == 1);
  CHECK(preds[0].sizes() == Shape{32, 2});
  CHECK_FALSE(preds[0].requires_grad());
}

TEST_CASE("fit: EarlyStopping stops when the monitored value stalls") {
  auto data = make_data(32, 4);
  DataLoader loader(data, {.batch_size = 8});
  Classifier model;
  optim::SGD opt(model.parameters(), optim::SGDOptions(0.0));  // lr 0: the loss never improves
  optim::EarlyStopping stop("loss", 2);
  auto history = optim::fit(model, loader, opt, [&](const Batch& b) { return cross_entropy(model.forward(b), b.target); },
                            {.epochs = 20, .callbacks = {&stop}, .verbose = false});
  CHECK(history.size() == 4);
  CHECK(stop.stopped_epoch() == 3);
  optim::EarlyStopping on_val("val_loss", 1);
  CHECK_THROWS_WITH_AS(
      optim::fit(model, loader, opt, [&](const Batch& b) { return cross_entropy(model.forward(b), b.target); },
                 {.epochs = 1, .callbacks = {&on_val}, .verbose = false}),
      doctest::Contains("no \"val_loss\" in the logs"), Error);
}

TEST_CASE("fit: checkpoint, reload and resume equals an uninterrupted run") {
  auto data = make_data(48, 6);
  auto run = [&](Classifier& model, optim::Adam& opt, int64_t from, int64_t to) {
    DataLoader loader(data, {.batch_size = 16, .shuffle = true, .seed = 9});
    optim::fit(model, loader, opt, [&](const Batch& b) { return cross_entropy(model.forward(b), b.target); },
               {.epochs = to, .initial_epoch = from, .verbose = false});
  };
  manual_seed(11);
  Classifier straight;
  optim::Adam opt_s(straight.parameters(), optim::AdamOptions(0.01));
  run(straight, opt_s, 0, 4);

  manual_seed(11);
  Classifier first;
  optim::Adam opt_f(first.parameters(), optim::AdamOptions(0.01));
  run(first, opt_f, 0, 2);
  const auto dir = fs::temp_directory_path() / "spool_resume_test";
  fs::create_directories(dir);
  first.save((dir / "model.safetensors").string());
  save_safetensors((dir / "optim.safetensors").string(), opt_f.state_dict());

  manual_seed(99);  // a different init, fully replaced by the checkpoint
  Classifier resumed;
  optim::Adam opt_r(resumed.parameters(), optim::AdamOptions(0.5));
  resumed.load((dir / "model.safetensors").string());
  opt_r.load_state_dict(load_safetensors((dir / "optim.safetensors").string()));
  run(resumed, opt_r, 2, 4);
  CHECK(flat_params(resumed) == flat_params(straight));
}

TEST_CASE("fit: metrics come from the step's own forward, means are per example, and no batches is an error") {
  // 5 examples in batches of 2, 2 and 1: the target values are the examples' losses.
  Tensor x = zeros({5, 1});
  Tensor y = tensor({1.0, 2.0, 3.0, 4.0, 10.0}, {5});
  TensorDataset data(x, y);
  DataLoader loader(data, {.batch_size = 2});
  nn::Linear model(1, 1);
  optim::SGD opt(model.parameters(), optim::SGDOptions(0.1));
  int forwards = 0;
  std::vector<const void*> outputs;
  auto loss = [&](const Batch& b) -> optim::StepOutput {
    ++forwards;
    Tensor out = model(b.input);
    outputs.push_back(out.impl_ptr().get());
    return {(out * 0.0).sum() + b.target.mean(), out};
  };
  int metric_calls = 0;
  std::map<std::string, optim::MetricFn> metrics{{"target_mean", [&](const Tensor& out, const Batch& b) {
    ++metric_calls;
    CHECK(out.impl_ptr().get() == outputs.back());  // the output of this step's forward
    CHECK_FALSE(GradMode::is_enabled());
    return b.target.mean().item<double>();
  }}};
  auto history = optim::fit(model, loader, opt, loss, {.epochs = 1, .metrics = metrics, .verbose = false});
  CHECK(forwards == 3);
  CHECK(metric_calls == 3);
  // Per example: (1 + 2 + 3 + 4 + 10) / 5 = 4; the mean of batch means would be (1.5 + 3.5 + 10) / 3 = 5.
  CHECK(history[0].at("loss") == doctest::Approx(4.0));
  CHECK(history[0].at("target_mean") == doctest::Approx(4.0));
  auto logs = optim::evaluate(model, loader, loss, metrics);
  CHECK(logs.at("loss") == doctest::Approx(4.0));
  CHECK(logs.at("target_mean") == doctest::Approx(4.0));

  // A loss alone cannot feed metrics.
  auto loss_only = [&](const Batch& b) { return (model(b.input) * 0.0).sum() + b.target.mean(); };
  CHECK_ERROR(optim::fit(model, loader, opt, loss_only, {.epochs = 1, .metrics = metrics, .verbose = false}), "fit",
              "metrics need the model output");
  // No batches: an error, not {"loss": 0}.
  DataLoader none(data, {.batch_size = 8, .drop_last = true});
  CHECK_ERROR(optim::fit(model, none, opt, loss_only, {.epochs = 1, .verbose = false}), "fit", "no batches");
  CHECK_ERROR(optim::evaluate(model, none, loss_only), "evaluate", "no batches");
  CHECK(model.is_training());  // evaluate restores the mode after an error
}
