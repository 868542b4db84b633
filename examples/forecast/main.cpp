// Time-series forecasting with an LSTM: yearly sunspot numbers (1700-2008)
// and monthly Mauna Loa CO2 (1964-2001), the public-domain series that
// statsmodels ships (data/SOURCE).
//
//   forecast [--series sunspots|co2|both] [--epochs N] [--data DIR]    train, evaluate, plot, save
//   forecast predict --series co2 [--steps N] [VALUES...]              forecast after given values
//   forecast predict [--steps N]                                       forecast after each data set's end
//
// Each series is differenced month to month or year to year, scaled with
// statistics of the training years only, and cut into windows. An LSTM reads
// a window of scaled changes (for sunspots, beside the scaled levels: how
// fast a cycle turns depends on how high it is) and predicts the next
// change; a CO2 window of two years shows it where in the seasonal cycle it
// is. The validation years chose these over the alternatives (--lag,
// --levels): for CO2, differencing against the same month a year earlier
// (--lag 12) forecast the validation months worse (RMSE 0.32 against 0.26
// ppmv), and the level is left out because CO2 keeps rising past every level
// the model trained on (with it the validation RMSE was within 5%).
//
// The last years are a walk-forward test: every forecast is one step ahead
// and reads only values before it; the model is trained once, on the years
// before the test period, with the years just before the test choosing the
// epoch. RMSE and MAE in the series' units are printed next to naive
// persistence (y[t-1]) and the seasonal naive forecast (y[t-s], s = 11 years
// for the solar cycle, 12 months), and a PNG per series draws the forecasts
// against the actual values. A full run exits 1 unless the LSTM beats both
// on RMSE. predict forecasts several steps by feeding each forecast back.
#include <spool/spool.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <unistd.h>

#include "common/cli.hpp"
#include "common/data.hpp"
#include "data.hpp"

using namespace spool;
namespace ex = spool::examples;
namespace fs = std::filesystem;

namespace {

// How one series is modelled; saved beside its checkpoint.
struct Setup {
  int64_t lag = 1;         // differencing lag
  int64_t window = 20;     // steps the LSTM reads
  int64_t test = 30;       // walk-forward test steps at the end
  int64_t validation = 30; // steps before the test that choose the epoch
  int64_t hidden = 32;
  bool levels = true;      // the scaled level beside the scaled change
};

Setup default_setup(const std::string& name) {
  if (name == "sunspots") return {.lag = 1, .window = 22, .test = 30, .validation = 30, .hidden = 32, .levels = true};
  return {.lag = 1, .window = 24, .test = 60, .validation = 60, .hidden = 32, .levels = false};
}

// LSTM over a window of [change, level] rows -> the next scaled change.
struct Forecaster : nn::Module {
  Forecaster(int64_t features, int64_t hidden)
      : Module("Forecaster"),
        lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(features, hidden).batch_first(true)))),
        head(register_module("head", nn::Linear(hidden, 1))) {}

  // windows [B, T, F] -> [B]
  Tensor forward(const Tensor& windows) {
    const Tensor last = select(lstm(windows).output, 1, -1);  // [B, H]
    return reshape(head(last), {-1});
  }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }

  nn::LSTM lstm;
  nn::Linear head;
};

// The series as model rows: row j is time t = j + lag, holding the scaled
// change y[t] - y[t - lag] and (with levels) the scaled level y[t]. The
// scalers are fitted on times before `fit_end` only.
struct Features {
  StandardScaler change, level;
  Tensor rows;  // float32 [N - lag, F], F = 2 with levels, else 1
};

Features make_features(const std::vector<double>& y, int64_t lag, bool with_levels, int64_t fit_end) {
  const auto n = static_cast<int64_t>(y.size());
  const Tensor series = tensor(y, {n}, kFloat64);
  const Tensor changes = difference(series, lag), levels = narrow(series, 0, lag, n - lag);
  Features f;
  f.change.fit(narrow(changes, 0, 0, fit_end - lag));
  f.level.fit(narrow(levels, 0, 0, fit_end - lag));
  f.rows = (with_levels ? stack({f.change.transform(changes), f.level.transform(levels)}, 1)
                         : unsqueeze(f.change.transform(changes), 1))
               .to(kFloat32);
  return f;
}

double unscale(const StandardScaler& s, double v) {
  return v * s.std.to_vector<double>()[0] + s.mean.to_vector<double>()[0];
}

struct Errors {
  double rmse = 0, mae = 0;
};
Errors errors(const std::vector<double>& actual, const std::vector<double>& forecast) {
  Errors e;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double d = forecast[i] - actual[i];
    e.rmse += d * d;
    e.mae += std::fabs(d);
  }
  e.rmse = std::sqrt(e.rmse / double(actual.size()));
  e.mae /= double(actual.size());
  return e;
}

// Persistence and seasonal-naive one-step forecasts of y[from..to).
std::vector<double> shifted(const std::vector<double>& y, int64_t from, int64_t to, int64_t by) {
  return {y.begin() + (from - by), y.begin() + (to - by)};
}

// PNG signature, then the IHDR chunk's width and height (big-endian).
void check_png(const std::string& path, int width, int height) {
  const std::string bytes = read_file(path, "forecast");
  const auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || bytes.compare(12, 4, "IHDR") != 0)
    throw std::runtime_error(path + " is not a PNG file");
  if (be32(16) != uint32_t(width) || be32(20) != uint32_t(height))
    throw std::runtime_error(fmt::format("{} is {}x{}, not {}x{}", path, be32(16), be32(20), width, height));
}

struct Report {
  std::string name, test_range;
  int64_t test_steps = 0;
  Errors lstm, persistence, seasonal;
  int64_t season = 0;
  std::string plot;
  bool loss_fell = true;
};

constexpr int kPlotWidth = 900, kPlotHeight = 500;

// Trains, evaluates and plots one series; saves <dir>/<name>.safetensors and .json.
Report run_series(const forecast::Series& s, const Setup& setup, const ex::CommonOptions& common, int64_t epochs,
                  double lr, const fs::path& dir) {
  const auto n = static_cast<int64_t>(s.y.size());
  const int64_t test_start = n - setup.test, val_start = test_start - setup.validation;
  const Features f = make_features(s.y, setup.lag, setup.levels, val_start);

  // Window w reads rows w .. w + window - 1 and predicts the change of row
  // w + window, i.e. of time t = w + window + lag: inputs end before t.
  const Windows w = sliding_windows(f.rows, setup.window, 1);
  const Tensor inputs = w.inputs, targets = select(select(w.targets, 1, 0), 1, 0);  // [W, window, 2], [W]
  const int64_t first_t = setup.window + setup.lag;
  const int64_t n_train = val_start - first_t, n_val = setup.validation, n_test = setup.test;
  const auto part = [&](const Tensor& t, int64_t start, int64_t len) { return narrow(t, 0, start, len); };
  TensorDataset train_set(part(inputs, 0, n_train), part(targets, 0, n_train));
  const Tensor val_x = part(inputs, n_train, n_val), val_y = part(targets, n_train, n_val);
  const Tensor test_x = part(inputs, n_train + n_val, n_test);
  fmt::print("{}: {} steps {} to {}; training {} to {} ({} windows of {}), validation {} to {}, test {} to {}\n",
             s.name, n, s.labels.front(), s.labels.back(), s.labels[first_t], s.labels[val_start - 1], n_train,
             setup.window, s.labels[val_start], s.labels[test_start - 1], s.labels[test_start], s.labels.back());

  manual_seed(common.seed * 2 + (s.name == "co2"));  // each series' weights do not depend on the other's run
  Forecaster model(setup.levels ? 2 : 1, setup.hidden);
  optim::Adam opt(model.parameters(), optim::AdamOptions(lr));
  DataLoader train(train_set, {.batch_size = 16, .shuffle = true, .seed = common.seed});
  const auto mse_of = [&model](const Tensor& x, const Tensor& y) {
    NoGradGuard no_grad;
    model.eval();
    return mse_loss(model.forward(x), y).item<double>();
  };
  const Tensor train_x = part(inputs, 0, n_train), train_y = part(targets, 0, n_train);
  const double loss_before = mse_of(train_x, train_y);
  const fs::path checkpoint = dir / (s.name + ".safetensors");

  ProgressBar bar(epochs, fmt::format("{} {} epochs", s.name, epochs));
  double best = INFINITY, last_loss = 0;
  int64_t best_epoch = 0;
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    model.train();
    double sum = 0;
    int64_t seen = 0;
    for (const Batch& b : train.epoch()) {
      opt.zero_grad();
      Tensor loss = mse_loss(model.forward(b.input), b.target);
      loss.backward();
      optim::clip_grad_norm_(model.parameters(), 1.0);
      opt.step();
      sum += loss.item<double>() * double(b.size);
      seen += b.size;
    }
    last_loss = sum / double(seen);
    const double val = mse_of(val_x, val_y);
    if (val < best) {  // keep the epoch that forecasts the validation years best
      best = val;
      best_epoch = epoch + 1;
      model.save(checkpoint.string());
    }
    bar.update(epoch + 1, {{"loss", last_loss}, {"val_loss", val}});
  }
  bar.finish({{"loss", last_loss}, {"best val_loss", best}});
  model.load(checkpoint.string());
  const double loss_after = mse_of(train_x, train_y);
  fmt::print("{}: training loss {:.4f} -> {:.4f}; epoch {} kept (validation loss {:.4f})\n", s.name, loss_before,
             loss_after, best_epoch, best);

  // One-step forecasts in the series' units of the steps from `start` on,
  // whose windows are `x`: y[t - lag] plus the predicted change.
  const auto one_step = [&](const Tensor& x, int64_t start) {
    NoGradGuard no_grad;
    model.eval();
    const std::vector<double> changes = model.forward(x).to_vector<double>();
    std::vector<double> out;
    for (size_t i = 0; i < changes.size(); ++i)
      out.push_back(s.y[size_t(start) + i - size_t(setup.lag)] + unscale(f.change, changes[i]));
    return out;
  };
  const std::vector<double> val_actual(s.y.begin() + val_start, s.y.begin() + test_start);
  fmt::print("{}: validation RMSE {:.3f} (persistence {:.3f}, seasonal naive {:.3f})\n", s.name,
             errors(val_actual, one_step(val_x, val_start)).rmse,
             errors(val_actual, shifted(s.y, val_start, test_start, 1)).rmse,
             errors(val_actual, shifted(s.y, val_start, test_start, s.season)).rmse);

  // The walk-forward test: each forecast reads only the values before it.
  const std::vector<double> forecast = one_step(test_x, test_start);
  const std::vector<double> actual(s.y.begin() + test_start, s.y.end());
  Report r{.name = s.name,
           .test_range = s.labels[test_start] + " to " + s.labels.back(),
           .test_steps = n_test,
           .lstm = errors(actual, forecast),
           .persistence = errors(actual, shifted(s.y, test_start, n, 1)),
           .seasonal = errors(actual, shifted(s.y, test_start, n, s.season)),
           .season = s.season,
           .loss_fell = loss_after < loss_before};
  for (double v : forecast)
    if (!std::isfinite(v)) throw std::runtime_error(s.name + ": a forecast is not finite");

  // The test years against the forecasts, after as many years of context.
  const int64_t context = std::max<int64_t>(0, test_start - setup.test);
  const std::vector<double> times(s.time.begin() + test_start, s.time.end());
  r.plot = fs::absolute(dir / ("forecast_" + s.name + ".png")).string();
  write_line_plot(r.plot,
                  {{"actual", {s.time.begin() + context, s.time.end()}, {s.y.begin() + context, s.y.end()}},
                   {"LSTM", times, forecast},
                   {"persistence", times, shifted(s.y, test_start, n, 1)},
                   {fmt::format("seasonal naive (s={})", s.season), times, shifted(s.y, test_start, n, s.season)}},
                  {.title = fmt::format("{}: one-step forecasts, {}", s.name, r.test_range),
                   .x_label = "year",
                   .y_label = s.unit,
                   .width = kPlotWidth,
                   .height = kPlotHeight});
  check_png(r.plot, kPlotWidth, kPlotHeight);

  // What predict needs: the setup, the scalers, and the data set's tail.
  const int64_t tail = setup.lag + setup.window;
  ex::save_json(dir / (s.name + ".json"),
                {{"series", s.name},
                 {"unit", s.unit},
                 {"lag", setup.lag},
                 {"window", setup.window},
                 {"hidden", setup.hidden},
                 {"levels", setup.levels},
                 {"season", s.season},
                 {"change_mean", f.change.mean.to_vector<double>()[0]},
                 {"change_std", f.change.std.to_vector<double>()[0]},
                 {"level_mean", f.level.mean.to_vector<double>()[0]},
                 {"level_std", f.level.std.to_vector<double>()[0]},
                 {"tail", std::vector<double>(s.y.end() - tail, s.y.end())},
                 {"tail_time", std::vector<double>(s.time.end() - tail, s.time.end())},
                 {"data", s.path}});
  return r;
}

void print_table(const std::vector<Report>& reports) {
  for (const Report& r : reports) {
    fmt::print("\n{}: one-step walk-forward forecasts, {} ({} steps)\n", r.name, r.test_range, r.test_steps);
    fmt::print("  {:<22} {:>9} {:>9}\n", "forecast", "RMSE", "MAE");
    const auto row = [](const std::string& what, const Errors& e) {
      fmt::print("  {:<22} {:>9.3f} {:>9.3f}\n", what, e.rmse, e.mae);
    };
    row("LSTM", r.lstm);
    row("persistence", r.persistence);
    row(fmt::format("seasonal naive (s={})", r.season), r.seasonal);
  }
}

// --- predict --------------------------------------------------------------

// Numbers separated by spaces, commas or line ends.
std::vector<double> parse_numbers(const std::vector<std::string>& inputs) {
  std::vector<double> out;
  for (std::string text : inputs) {
    std::replace(text.begin(), text.end(), ',', ' ');
    std::istringstream in(text);
    for (std::string word; in >> word;) {
      char* end = nullptr;
      const double v = std::strtod(word.c_str(), &end);
      if (*end != '\0' || !std::isfinite(v)) throw ex::DataError(fmt::format("\"{}\" is not a number", word));
      out.push_back(v);
    }
  }
  return out;
}

// Forecasts `steps` values after `history` recursively: each forecast joins
// the history the next one reads.
std::vector<double> forecast_after(Forecaster& model, const nlohmann::json& cfg, std::vector<double> history,
                                   int64_t steps) {
  const int64_t lag = cfg["lag"], window = cfg["window"];
  const bool levels = cfg["levels"];
  const double cm = cfg["change_mean"], cs = cfg["change_std"], lm = cfg["level_mean"], ls = cfg["level_std"];
  NoGradGuard no_grad;
  model.eval();
  std::vector<double> predicted_changes;
  for (int64_t k = 0; k < steps; ++k) {
    const auto n = static_cast<int64_t>(history.size());
    std::vector<double> rows;
    for (int64_t t = n - window; t < n; ++t) {
      rows.push_back((history[size_t(t)] - history[size_t(t - lag)] - cm) / cs);
      if (levels) rows.push_back((history[size_t(t)] - lm) / ls);
    }
    const double change = model.forward(tensor(rows, {1, window, levels ? 2 : 1})).item<double>() * cs + cm;
    predicted_changes.push_back(change);
    history.push_back(history[size_t(n - lag)] + change);
  }
  // The same values, rebuilt as the library's inverse of differencing does.
  const auto m = static_cast<int64_t>(history.size()) - steps;
  const Tensor head = tensor(std::vector<double>(history.begin() + (m - lag), history.begin() + m), {lag}, kFloat64);
  const std::vector<double> rebuilt =
      inverse_difference(tensor(predicted_changes, {steps}, kFloat64), head, lag).to_vector<double>();
  return {rebuilt.end() - steps, rebuilt.end()};
}

int predict(const std::vector<std::string>& series_names, const std::vector<std::string>& given, int64_t steps,
            bool after_data_only, const fs::path& dir) {
  // Values from the command line or standard input; none (--after-data, an
  // interactive or empty standard input): after each data set's end.
  if (after_data_only && !given.empty()) throw ex::DataError("give either values or --after-data, not both");
  const bool read_stdin = given.empty() && !after_data_only && !isatty(fileno(stdin));
  const std::vector<double> values = parse_numbers(read_stdin ? ex::inputs_or_stdin({}) : given);
  if (!values.empty() && series_names.size() != 1)
    throw ex::DataError("say which model forecasts the given values: --series sunspots or --series co2");
  for (const std::string& name : series_names) {
    const nlohmann::json cfg = ex::load_json(dir / (name + ".json"), "forecast --series " + name);
    Forecaster model(cfg["levels"].get<bool>() ? 2 : 1, cfg["hidden"].get<int64_t>());
    model.load((dir / (name + ".safetensors")).string());
    const int64_t lag = cfg["lag"], window = cfg["window"], n = steps > 0 ? steps : cfg["season"].get<int64_t>();
    const bool after_data = values.empty();
    const std::vector<double> history = after_data ? cfg["tail"].get<std::vector<double>>() : values;
    if (static_cast<int64_t>(history.size()) < lag + window)
      throw ex::DataError(fmt::format("the {} model reads {} values (a window of {} changes over lag {}); got {}",
                                      name, lag + window, window, lag, history.size()));
    const std::vector<double> out = forecast_after(model, cfg, history, n);
    if (after_data) {
      forecast::Series end{.name = name, .time = cfg["tail_time"].get<std::vector<double>>()};
      fmt::print("{}: the next {} steps after the data set's end ({}):\n", name, n, end.label_after(0));
      for (int64_t k = 0; k < n; ++k) fmt::print("  {}  {:.2f}\n", end.label_after(k + 1), out[size_t(k)]);
    } else {
      fmt::print("{}: the next {} steps after the {} given values:\n", name, n, values.size());
      for (int64_t k = 0; k < n; ++k) fmt::print("  +{}  {:.2f}\n", k + 1, out[size_t(k)]);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return ex::run_example("forecast", [&] {
    CLI::App app{"Forecasts yearly sunspot numbers and monthly Mauna Loa CO2 with an LSTM on differenced, scaled "
                 "windows; one-step walk-forward test on the last years against persistence and seasonal-naive "
                 "forecasts; writes forecast-vs-actual PNGs (900x500) to --dir"};
    app.fallthrough();
    ex::CommonOptions common;
    ex::add_common_options(app, common, "runs/forecast");
    std::string series = "both", data_dir = FORECAST_DATA_DIR;
    int64_t epochs = 150, steps = 0;
    double lr = 3e-3;
    app.add_option("--series", series, "sunspots, co2 or both")
        ->check(CLI::IsMember({"sunspots", "co2", "both"}))
        ->capture_default_str();
    app.add_option("--data", data_dir,
                   "folder holding sunspots.csv and co2.csv (or statsmodels' datasets folder, "
                   "/usr/lib/python3/dist-packages/statsmodels/datasets with Debian's python3-statsmodels)")
        ->capture_default_str();
    app.add_option("--epochs", epochs, "training epochs per series (--short: 5)")->capture_default_str();
    app.add_option("--lr", lr, "Adam learning rate")->capture_default_str();
    // Each series has its own defaults (default_setup); these override them
    // for every series trained.
    Setup given{.lag = 0, .window = 0, .test = 0, .validation = 0, .hidden = 0};
    std::string levels = "default";
    app.add_option("--lag", given.lag, "differencing lag (0: 1; 12 differences CO2 against the same month a year "
                                       "earlier)")
        ->capture_default_str();
    app.add_option("--window", given.window, "steps the LSTM reads (0: 22 years, 24 months)")->capture_default_str();
    app.add_option("--hidden", given.hidden, "LSTM units (0: 32)")->capture_default_str();
    app.add_option("--levels", levels, "also feed the scaled level, not only the change (default: sunspots yes, co2 no)")
        ->check(CLI::IsMember({"default", "yes", "no"}))
        ->capture_default_str();
    CLI::App* pred = app.add_subcommand(
        "predict", "reload the checkpoints in --dir and forecast the next steps after the values given (numbers on "
                   "the command line, or on standard input), or after each data set's end when none are given");
    std::vector<std::string> inputs;
    pred->add_option("values", inputs, "the series so far, oldest first (at least lag + window values: 23 yearly "
                                       "sunspot numbers or 25 monthly CO2 values with the defaults)");
    pred->add_option("--steps", steps, "steps to forecast (0: one season, 11 years or 12 months)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    bool after_data = false;
    pred->add_flag("--after-data", after_data,
                   "forecast after each data set's end without reading standard input (also what happens when no "
                   "values are given and standard input is a terminal or empty)");
    CLI11_PARSE(app, argc, argv);
    ex::apply_common(common);
    const std::vector<std::string> names =
        series == "both" ? std::vector<std::string>{"sunspots", "co2"} : std::vector<std::string>{series};
    if (pred->parsed()) return predict(names, inputs, steps, after_data, common.dir);

    const fs::path dir = ex::make_run_dir(common.dir);
    if (common.short_run) epochs = std::min<int64_t>(epochs, 5);
    // Both data sets are read (and checked) before anything trains.
    std::vector<forecast::Series> data;
    for (const std::string& name : names) data.push_back(forecast::load_series(name, data_dir));
    fmt::print("threads: {}\n", num_threads());
    std::vector<Report> reports;
    for (const forecast::Series& s : data) {
      Setup setup = default_setup(s.name);
      if (given.lag > 0) setup.lag = given.lag;
      if (given.window > 0) setup.window = given.window;
      if (given.hidden > 0) setup.hidden = given.hidden;
      if (levels != "default") setup.levels = levels == "yes";
      reports.push_back(run_series(s, setup, common, epochs, lr, dir));
    }
    print_table(reports);
    fmt::print("\nplots ({}x{} PNG, header checked):\n", kPlotWidth, kPlotHeight);
    for (const Report& r : reports) fmt::print("  {}\n", r.plot);
    fmt::print("checkpoints: {}\n", fs::absolute(dir).string());

    int status = 0;
    for (const Report& r : reports) {
      if (common.short_run && !r.loss_fell) {
        fmt::print(stderr, "forecast: {}: the training loss did not fall\n", r.name);
        status = 1;
      }
      if (!common.short_run && !(r.lstm.rmse < r.persistence.rmse && r.lstm.rmse < r.seasonal.rmse)) {
        fmt::print(stderr, "forecast: {}: the LSTM (RMSE {:.3f}) did not beat persistence ({:.3f}) and seasonal naive "
                           "({:.3f})\n", r.name, r.lstm.rmse, r.persistence.rmse, r.seasonal.rmse);
        status = 1;
      }
    }
    return status;
  });
}
