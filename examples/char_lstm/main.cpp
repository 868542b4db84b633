// A character language model on the quotations of Debian's fortune files:
// a 2-layer LSTM reads the text one character at a time and learns to
// predict the next one; it then writes new "fortunes" with temperature and
// top-k sampling.
//
//   char_lstm [--categories a,b|all] [--epochs N] [--hidden H] ...   trains
//   char_lstm generate [PROMPT...] [--temperature T] [--top-k K] [--length N]
//
// Training is truncated backpropagation through time done as PyTorch's
// word_language_model does it: the training text is cut into B parallel
// streams, each batch is the next `bptt` characters of every stream, and the
// LSTM's (h, c) state of every layer carries over to the next batch,
// detached, so the model sees context longer than one batch while gradients
// stop at the batch boundary. Validation runs the same way. The program
// scores held-out quotations in bits per character next to a unigram and a
// Kneser-Ney bigram model fitted on the training text, and exits 1 in a full
// run when the LSTM does not beat both. The defaults (7 categories, 0.7 M
// training characters, 4 epochs of 32 streams x 50 characters, hidden 256)
// train in about 2.5 minutes on two cores.
#include <spool/spool.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "common/data.hpp"
#include "ngram.hpp"

using namespace spool;
namespace ex = spool::examples;

namespace {

// Quotations are joined as the fortune files store them, so the model learns
// where one ends; a prompt is read after a separator, as a quotation's start.
constexpr const char* kSeparator = "\n%\n";
constexpr const char* kUnknown = "<unk>";  // characters never seen in training
// About 0.8 MB (4,400 quotations): a few epochs fit in a few minutes on two
// cores. Tamer than the whole collection, whose ethnic and men-women files
// the samples would echo.
const std::vector<std::string> kDefaultCategories = {"computers", "science",   "literature", "people",
                                                     "wisdom",    "humorists", "work"};

struct ModelConfig {
  int64_t vocab = 0, embed = 64, hidden = 256, layers = 2;
  double dropout = 0.0;  // a few epochs underfit: dropout (0.1) cost 0.03 bits/char here
};

// Embedding -> 2-layer LSTM -> Dropout -> Linear over the characters.
struct CharLM : nn::Module {
  explicit CharLM(const ModelConfig& c)
      : Module("CharLM"),
        emb(register_module("emb", nn::Embedding(c.vocab, c.embed))),
        lstm(register_module(
            "lstm",
            nn::LSTM(nn::LSTMOptions(c.embed, c.hidden).num_layers(c.layers).dropout(c.dropout).batch_first(true)))),
        drop(register_module("drop", nn::Dropout(c.dropout))),
        head(register_module("head", nn::Linear(c.hidden, c.vocab))) {}

  // tokens int64 [B, T] -> logits [B, T, vocab]. `state` holds (h, c) of
  // every layer ([layers, B, H]; empty means zeros) and is replaced by the
  // state after the last step.
  Tensor forward(const Tensor& tokens, nn::RecurrentInput& state) {
    nn::RecurrentOutput r = lstm(emb(tokens), state);
    state = {.h0 = r.h_n, .c0 = r.c_n};
    return head(drop(r.output));
  }
  Tensor forward_tensor(const Tensor& tokens) override {
    nn::RecurrentInput fresh;
    return forward(tokens, fresh);
  }

  nn::Embedding emb;
  nn::LSTM lstm;
  nn::Dropout drop;
  nn::Linear head;
};

// ---- data ----

struct Corpus {
  std::vector<std::string> train, validation;  // quotations
};

// Reads the categories' quotations and splits them (not their characters)
// 90/10 into training and validation with a seeded shuffle.
Corpus read_corpus(const std::vector<std::string>& categories, const std::string& dir, uint64_t seed) {
  std::vector<ex::Quote> quotes = ex::read_fortunes(categories, dir);
  if (quotes.size() < 20)
    throw ex::DataError(
        fmt::format("{} holds only {} quotations in the chosen categories; a language model needs "
                    "hundreds (install Debian's fortunes, or choose more --categories)",
                    dir, quotes.size()));
  std::mt19937_64 g(seed);
  std::shuffle(quotes.begin(), quotes.end(), g);
  Corpus c;
  const size_t n_val = std::max<size_t>(2, quotes.size() / 10);
  for (size_t i = 0; i < quotes.size(); ++i) (i < n_val ? c.validation : c.train).push_back(quotes[i].text);
  return c;
}

// Every fortune category in `dir` (the files that have a .dat index beside them).
std::vector<std::string> all_categories(const std::string& dir) {
  std::vector<std::string> out;
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".dat") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  if (out.empty())
    throw ex::DataError(
        fmt::format("no fortune files in {}: install Debian's fortunes (tools/setup installs it)", dir));
  return out;
}

std::string joined(const std::vector<std::string>& quotes) {
  std::string text;
  for (const std::string& q : quotes) text += q + kSeparator;
  return text;
}

// The token ids cut into `streams` rows of equal length (the tail that does
// not fill a row is dropped): int64 [streams, n / streams]. Row b is a
// contiguous stretch of the text, so a batch of columns continues the
// previous batch in every row.
Tensor batchify(const std::vector<int64_t>& ids, int64_t streams) {
  const int64_t len = static_cast<int64_t>(ids.size()) / streams;
  if (len < 2)
    throw ex::DataError(
        fmt::format("{} characters are too few for {} streams (choose more --categories)", ids.size(), streams));
  return tensor(std::vector<int64_t>(ids.begin(), ids.begin() + streams * len), {streams, len});
}

// Mean negative log-likelihood (nats per character) of the streams' next
// characters, carrying the state across slices as training does.
double evaluate(CharLM& model, const Tensor& data, int64_t bptt) {
  NoGradGuard no_grad;
  model.eval();
  nn::RecurrentInput state;
  const int64_t len = data.size(1), vocab = model.head.options().out_features();
  double total = 0;
  int64_t count = 0;
  for (int64_t i = 0; i + 1 < len; i += bptt) {
    const int64_t t = std::min(bptt, len - 1 - i);
    const Tensor logits = model.forward(data.narrow(1, i, t), state);
    const Tensor target = data.narrow(1, i + 1, t);
    total += cross_entropy(reshape(logits, {-1, vocab}), reshape(target, {-1}), {.reduction = Reduction::Sum})
                 .item<double>();
    count += target.numel();
  }
  return total / double(count);
}

// The (previous, next) character pairs the model is scored on: every
// stream's consecutive characters.
std::vector<std::pair<int64_t, int64_t>> scored_pairs(const Tensor& data) {
  const std::vector<int64_t> v = data.contiguous().to_vector<int64_t>();
  const int64_t rows = data.size(0), len = data.size(1);
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t b = 0; b < rows; ++b)
    for (int64_t t = 0; t + 1 < len; ++t) out.emplace_back(v[b * len + t], v[b * len + t + 1]);
  return out;
}

// ---- sampling ----

struct SampleOptions {
  double temperature = 0.8;
  int64_t top_k = 10;  // 0: every character
  int64_t length = 300;
};

// Continues `prompt` (read after a quotation separator) one character at a
// time until `length` characters or the end of the quotation. Top-k keeps
// the k most likely characters and samples among them in proportion to
// their softmax probabilities at the temperature. Throws if it wrote an id
// that is not a character of the vocabulary (the short run's check).
std::string sample(CharLM& model, const Tokenizer& tok, const std::string& prompt, const SampleOptions& o) {
  NoGradGuard no_grad;
  model.eval();
  const int64_t vocab = model.head.options().out_features(), unknown = tok.word_index().at(kUnknown);
  // Padding (0) and the unknown token are never written.
  std::vector<float> ban(size_t(vocab), 0.f);
  ban[0] = ban[size_t(unknown)] = -INFINITY;
  const Tensor banned = tensor(ban, {vocab});

  const std::vector<int64_t> ids = tok.texts_to_sequences({kSeparator + prompt})[0];
  nn::RecurrentInput state;
  Tensor logits = model.forward(tensor(ids, {1, int64_t(ids.size())}), state);
  const std::string end = kSeparator;
  std::string text;
  for (int64_t i = 0; i < o.length; ++i) {
    const Tensor z = select(select(logits, 1, -1), 0, 0) / o.temperature + banned;  // [vocab]
    int64_t next;
    if (o.top_k > 0 && o.top_k < vocab) {
      auto [values, indices] = topk(z, o.top_k);
      next = indices.to_vector<int64_t>()[size_t(multinomial(softmax(values, -1), 1).item<int64_t>())];
    } else {
      next = multinomial(softmax(z, -1), 1).item<int64_t>();
    }
    if (next <= 0 || next >= vocab || next == unknown)
      throw std::runtime_error(fmt::format("sampling wrote id {}, not a character of the vocabulary", next));
    text += tok.sequences_to_texts({{next}})[0];
    if (text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0) {
      text.resize(text.size() - end.size());
      break;
    }
    logits = model.forward(tensor(std::vector<int64_t>{next}, {1, 1}), state);
  }
  return prompt + text;
}

ModelConfig config_from(const nlohmann::json& j, const std::filesystem::path& path) {
  try {
    ModelConfig c;
    c.vocab = j.at("vocab").get<int64_t>();
    c.embed = j.at("embed").get<int64_t>();
    c.hidden = j.at("hidden").get<int64_t>();
    c.layers = j.at("layers").get<int64_t>();
    c.dropout = j.at("dropout").get<double>();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ex::DataError(fmt::format("{} is not a char_lstm configuration ({}); train again", path.string(), e.what()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  return ex::run_example("char_lstm", [&] {
    CLI::App app{
        "A 2-layer character LSTM language model on Debian's fortune quotations, trained with truncated "
        "backpropagation through time; scores bits per character against unigram and bigram models and "
        "writes new quotations"};
    app.fallthrough();
    ex::CommonOptions common;
    ex::add_common_options(app, common, "runs/char_lstm");
    std::string data_dir = ex::kFortuneDir;
    std::vector<std::string> categories = kDefaultCategories;
    ModelConfig config;
    int64_t epochs = 4, batch = 32, bptt = 50;
    double lr = 5e-3, clip = 1.0;
    SampleOptions so;
    app.add_option("--data", data_dir, "folder of fortune files (Debian's fortunes package)")->capture_default_str();
    app.add_option("--categories", categories, "fortune files to read, comma-separated, or \"all\"")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--epochs", epochs, "passes over the training text")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--batch", batch, "parallel streams B the training text is cut into")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--bptt", bptt, "characters per batch and stream (backpropagation stops at batch boundaries)")
        ->capture_default_str()
        ->check(CLI::Range(2, 100000));
    app.add_option("--hidden", config.hidden, "LSTM hidden size")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--layers", config.layers, "LSTM layers")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--embed", config.embed, "character embedding size")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--dropout", config.dropout, "dropout between layers and before the output")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.9));
    app.add_option("--lr", lr, "Adam learning rate (cosine-annealed to zero)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--clip", clip, "largest gradient norm (clip_grad_norm_)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--temperature", so.temperature,
                   "generate: sampling temperature, softmax(logits / T) (training prints samples at 0.5 and 1)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--top-k", so.top_k, "sample among the k most likely characters (0: all of them)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--length", so.length, "most characters to generate (stops earlier at the quotation's end)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);

    CLI::App* gen = app.add_subcommand(
        "generate",
        "reload the checkpoint from --dir and continue each prompt (arguments, or lines of standard input)");
    gen->footer("The options of char_lstm apply: --dir, --seed, --temperature, --top-k, --length (char_lstm --help).");
    std::vector<std::string> prompts;
    gen->add_option("prompts", prompts, "beginnings of quotations; none: one per line from standard input");
    CLI11_PARSE(app, argc, argv);
    ex::apply_common(common);
    const std::filesystem::path dir = common.dir;

    if (gen->parsed()) {
      const nlohmann::json cfg = ex::load_json(dir / "config.json", "char_lstm without generate");
      const ModelConfig config = config_from(cfg, dir / "config.json");
      for (const char* file : {"vocabulary.json", "model.safetensors"})
        if (!std::filesystem::exists(dir / file))
          throw ex::DataError(fmt::format("no {} (train first: char_lstm without generate writes it)",
                                          (dir / file).string()));
      const Tokenizer tok = Tokenizer::load((dir / "vocabulary.json").string());
      CharLM model(config);
      model.load((dir / "model.safetensors").string());
      for (const std::string& p : ex::inputs_or_stdin(prompts)) {
        fmt::print("{}\n%\n", sample(model, tok, p, so));
      }
      return 0;
    }

    // ---- data ----
    if (categories.size() == 1 && categories[0] == "all") categories = all_categories(data_dir);
    Corpus corpus = read_corpus(categories, data_dir, common.seed);
    if (common.short_run) {  // a slice of the real data
      corpus.train.resize(std::min<size_t>(corpus.train.size(), 300));
      corpus.validation.resize(std::min<size_t>(corpus.validation.size(), 60));
      epochs = 1;
    }
    TokenizerOptions to;
    to.char_level = true;
    to.lower = false;
    to.oov_token = kUnknown;
    Tokenizer tok(to);
    tok.fit_on_texts({joined(corpus.train)});  // characters of the training text only
    config.vocab = tok.vocab_size();
    const std::vector<int64_t> val_ids = tok.texts_to_sequences({joined(corpus.validation)})[0];
    const Tensor val_data = batchify(val_ids, std::min<int64_t>(batch, int64_t(val_ids.size()) / 200 + 1));
    // The training streams of one epoch: the quotations in a new order each
    // epoch (a seeded shuffle), so streams do not repeat the same context.
    std::mt19937_64 order(common.seed + 1);
    auto training_data = [&] {
      std::shuffle(corpus.train.begin(), corpus.train.end(), order);
      return batchify(tok.texts_to_sequences({joined(corpus.train)})[0], batch);
    };
    const std::vector<int64_t> train_ids = tok.texts_to_sequences({joined(corpus.train)})[0];
    fmt::print(
        "{} fortune files ({}): {} training quotations ({} characters), {} validation quotations; {} "
        "characters in the vocabulary\n",
        categories.size(), fmt::join(categories, ","), corpus.train.size(), train_ids.size(), corpus.validation.size(),
        config.vocab - 2);

    // ---- baselines, fitted on the training text only ----
    const auto pairs = scored_pairs(val_data);
    const NgramBaselines base = fit_ngrams(train_ids, config.vocab, /*first_real=*/1);
    const double unigram_nll = base.unigram_nll(pairs), bigram_nll = base.bigram_nll(pairs);

    // ---- model and training ----
    CharLM model(config);
    {  // one batch through the model, so the summary shows its shapes
      NoGradGuard no_grad;
      nn::EvalModeGuard eval;
      model.forward_tensor(zeros({batch, bptt}, kInt64));
    }
    fmt::print("{}\n", model.summary());
    optim::Adam opt(model.parameters(), optim::AdamOptions(lr));
    const int64_t batches_per_epoch = (train_ids.size() / size_t(batch) - 1 + bptt - 1) / bptt;
    optim::CosineAnnealingLR schedule(opt, epochs * batches_per_epoch);
    std::vector<double> losses;  // every batch's, for the short run's check
    double val_nll = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
      const Tensor data = training_data();
      const int64_t len = data.size(1), n = (len - 1 + bptt - 1) / bptt;
      ProgressBar bar(n, fmt::format("Epoch {}/{}", epoch, epochs));
      model.train();
      nn::RecurrentInput state;  // zeros at the start of every epoch
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t at = i * bptt, t = std::min(bptt, len - 1 - at);
        // Carry the state on, but cut the graph: gradients stop at this batch.
        if (state.h0.defined()) state = {.h0 = state.h0.detach(), .c0 = state.c0.detach()};
        const Tensor logits = model.forward(data.narrow(1, at, t), state);
        Tensor loss = cross_entropy(reshape(logits, {-1, config.vocab}), reshape(data.narrow(1, at + 1, t), {-1}));
        opt.zero_grad();
        loss.backward();
        // A non-finite gradient norm (one bad batch) skips the step, as fit does.
        if (std::isfinite(optim::clip_grad_norm_(model.parameters(), clip))) opt.step();
        schedule.step();
        losses.push_back(loss.item<double>());
        sum += losses.back();
        bar.update(i + 1, {{"loss", sum / double(i + 1)}, {"bpc", metrics::bits_per_character(sum / double(i + 1))}});
      }
      val_nll = evaluate(model, val_data, bptt);
      bar.finish({{"loss", sum / double(n)},
                  {"bpc", metrics::bits_per_character(sum / double(n))},
                  {"val_bpc", metrics::bits_per_character(val_nll)}});
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // ---- checkpoint ----
    ex::make_run_dir(common.dir);
    model.save((dir / "model.safetensors").string());
    tok.save((dir / "vocabulary.json").string());
    ex::save_json(dir / "config.json", {{"vocab", config.vocab},
                                        {"embed", config.embed},
                                        {"hidden", config.hidden},
                                        {"layers", config.layers},
                                        {"dropout", config.dropout},
                                        {"categories", categories},
                                        {"validation_bits_per_character", metrics::bits_per_character(val_nll)}});

    fmt::print("\ntrained {} epochs ({} batches of {} streams x {} characters) in {:.1f} s on {} threads\n", epochs,
               losses.size(), batch, bptt, seconds, num_threads());
    fmt::print("results on the validation split ({} characters of {} quotations):\n", pairs.size(),
               corpus.validation.size());
    fmt::print("  model ({}-layer LSTM)   bits/char {:.3f}  perplexity {:.2f}\n", config.layers,
               metrics::bits_per_character(val_nll), metrics::perplexity(val_nll));
    fmt::print("  bigram (Kneser-Ney)    bits/char {:.3f}  perplexity {:.2f}\n",
               metrics::bits_per_character(bigram_nll), metrics::perplexity(bigram_nll));
    fmt::print("  unigram (add-one)      bits/char {:.3f}  perplexity {:.2f}\n",
               metrics::bits_per_character(unigram_nll), metrics::perplexity(unigram_nll));
    // The saved weights, reloaded into a fresh model, score the same.
    CharLM reloaded(config);
    reloaded.load((dir / "model.safetensors").string());
    const double again = evaluate(reloaded, val_data, bptt);
    fmt::print("checkpoint: {} (reloaded: {:.3f} bits/char)\n", common.dir, metrics::bits_per_character(again));
    if (std::fabs(again - val_nll) > 1e-4 * std::max(1.0, val_nll))
      throw std::runtime_error(
          fmt::format("the reloaded checkpoint scores {:.6f} nats/char, not {:.6f}", again, val_nll));

    // ---- samples ----
    const std::vector<std::string> starts = {"The ", "A computer ", "Life is "};
    for (double temperature : {0.5, 1.0}) {
      SampleOptions s = so;
      s.temperature = temperature;
      fmt::print("\n--- samples at temperature {}, top-k {} ---\n", temperature, s.top_k);
      for (const std::string& p : starts) {
        fmt::print("{}\n%\n", sample(model, tok, p, s));
      }
    }

    if (common.short_run) {
      const size_t k = std::min<size_t>(5, losses.size() / 2);
      double first = 0, last = 0;
      for (size_t i = 0; i < k; ++i) first += losses[i], last += losses[losses.size() - 1 - i];
      if (!(last < first)) {
        fmt::print(stderr, "char_lstm: the training loss did not fall ({:.3f} -> {:.3f})\n", first / double(k),
                   last / double(k));
        return 1;
      }
      return 0;
    }
    if (!(val_nll < bigram_nll && val_nll < unigram_nll)) {
      fmt::print(stderr,
                 "char_lstm: the model ({:.3f} bits/char) did not beat the bigram ({:.3f}) and unigram ({:.3f})\n",
                 metrics::bits_per_character(val_nll), metrics::bits_per_character(bigram_nll),
                 metrics::bits_per_character(unigram_nll));
      return 1;
    }
    return 0;
  });
}
