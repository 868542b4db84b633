// Sequence labelling: restoring capital letters, one label per character.
// A character BiLSTM tagger reads lower-cased fortune quotations and labels
// every letter "lower" or "Upper"; with --punctuation it also reads them
// without their full stops, commas, question and exclamation marks and
// labels every character with the mark that follows it (if any). It is
// compared with the usual rule ("capitalize the first letter and the first
// after a sentence end"), with that rule plus a truecasing dictionary
// learned from the training split, and, for the marks, with "a full stop at
// the end". Every system reads the same input.
//
//   truecase                          train, evaluate on the test split, save into --dir
//   truecase predict "some text" ...  restore capitals (and marks) in text (or one text per stdin line)
//
// Padding is masked: its labels are cross_entropy's ignore_index, the
// BiLSTM gets the lengths (so the backward direction starts at each text's
// last character), and the metrics skip it. A full run exits 1 unless the
// model beats every baseline on the F1 of "Upper" (and on the macro-F1 of
// the marks).
#include <spool/spool.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "../common/cli.hpp"
#include "../common/data.hpp"
#include "text.hpp"

using namespace spool;
using namespace truecase;
namespace ex = spool::examples;

namespace {

// Prose-like categories: whole sentences with ordinary capitalization (no
// verse, no ASCII art, few program listings or shouting).
const std::vector<std::string> kCategories = {"wisdom", "people", "humorists", "literature", "love", "men-women",
                                              "education", "food", "science", "law", "politics", "work"};

// Character embedding (with the embedding of the character's word beside
// it) -> bidirectional LSTM -> one linear layer per step giving 2 case
// logits and, when marks are restored, 1 + 4 mark logits.
struct Tagger : nn::Module {
  Tagger(int64_t vocab, int64_t words, int64_t embed, int64_t word_embed, int64_t hidden, int64_t layers,
         double dropout, int64_t mark_classes)
      : Module("Tagger"),
        emb(register_module("emb", nn::Embedding(nn::EmbeddingOptions(vocab, embed).padding_idx(0)))),
        word_emb(register_module("word_emb", nn::Embedding(nn::EmbeddingOptions(words, word_embed).padding_idx(0)))),
        lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(embed + word_embed, hidden)
                                                  .num_layers(layers)
                                                  .bidirectional(true)
                                                  .batch_first(true)
                                                  .dropout(dropout)))),
        drop(register_module("drop", nn::Dropout(dropout))),
        head(register_module("head", nn::Linear(2 * hidden, 2 + mark_classes))) {}

  // ids [B, T, 2] (character, word), lengths [B] -> logits [B, T, 2 + mark classes]
  Tensor forward(const Tensor& ids, const Tensor& lengths) {
    const Tensor x = cat({emb(ids.select(-1, 0)), word_emb(ids.select(-1, 1))}, -1);
    return head(drop(lstm(x, {.lengths = lengths}).output));
  }

  nn::Embedding emb, word_emb;
  nn::LSTM lstm;
  nn::Dropout drop;
  nn::Linear head;
};

struct Config {
  int64_t embed = 32, word_embed = 32, hidden = 128, layers = 2;
  double dropout = 0.1;
  bool punctuation = false;
  double threshold = 0.5;  // on P(Upper), chosen on the validation split
  Vocabulary vocab;
  WordVocabulary words;

  Tagger model() const {
    return Tagger(vocab.size(), words.size(), embed, word_embed, hidden, layers, dropout, mark_classes());
  }
  int64_t mark_classes() const { return punctuation ? int64_t(kMarkNames.size()) : 0; }
  nlohmann::json json() const {
    return {{"embed", embed}, {"word_embed", word_embed}, {"hidden", hidden}, {"layers", layers}, {"dropout", dropout},
            {"punctuation", punctuation}, {"upper_threshold", threshold}, {"vocabulary_bytes", vocab.bytes()},
            {"words", words.words()}};
  }
  static Config from(const nlohmann::json& j, const std::string& path) try {
    Config c;
    c.embed = j.at("embed");
    c.word_embed = j.at("word_embed");
    c.hidden = j.at("hidden");
    c.layers = j.at("layers");
    c.dropout = j.at("dropout");
    c.punctuation = j.at("punctuation");
    c.threshold = j.at("upper_threshold");
    c.vocab = Vocabulary::from_bytes(j.at("vocabulary_bytes").get<std::vector<int>>());
    c.words = WordVocabulary::from_words(j.at("words").get<std::vector<std::string>>());
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ex::DataError(fmt::format("{} is not a truecase configuration ({}): train again", path, e.what()));
  }
};

// Cross-entropy of the case labels plus that of the marks; padding and
// non-letters (for case) carry kIgnore.
Tensor tagging_loss(const Tensor& logits, const Tensor& target, int64_t mark_classes) {
  const CrossEntropyOptions ignore{.ignore_index = kIgnore};
  Tensor loss = cross_entropy(logits.narrow(-1, 0, 2).reshape({-1, 2}), target.select(-1, 0).reshape({-1}), ignore);
  if (mark_classes > 0)
    loss = loss + cross_entropy(logits.narrow(-1, 2, mark_classes).reshape({-1, mark_classes}),
                                target.select(-1, 1).reshape({-1}), ignore);
  return loss;
}

// The model's output for each text: the probability that each character
// is upper case, and the mark after it (argmax).
struct Tags {
  std::vector<std::vector<double>> p_upper;
  std::vector<std::vector<int64_t>> mark;
  // Case labels: Upper where p_upper >= threshold.
  std::vector<std::vector<int64_t>> upper(double threshold) const {
    std::vector<std::vector<int64_t>> out;
    for (const auto& ps : p_upper) {
      out.emplace_back();
      for (double p : ps) out.back().push_back(p >= threshold ? kUpper : kLower);
    }
    return out;
  }
};
Tags tag(Tagger& model, const Config& cfg, const std::vector<std::string>& inputs) {
  std::vector<Example> examples;
  for (const auto& s : inputs) examples.push_back(make_example(s, false));  // the input as it is
  TaggingDataset data(examples, cfg.vocab, cfg.words);
  DataLoader loader(data, {.batch_size = 64});
  const std::vector<Tensor> logits =
      optim::predict(model, loader, [&](const Batch& b) { return model.forward(b.input, b.lengths); });
  Tags out;
  for (const Tensor& l : logits) {
    const int64_t B = l.size(0), T = l.size(1);
    const Tensor up = l.narrow(-1, 0, 2).softmax(-1).select(-1, 1).to(kFloat64);
    const Tensor mk = cfg.punctuation ? l.narrow(-1, 2, cfg.mark_classes()).argmax(-1) : zeros({B, T}, kInt64);
    const auto u = up.to_vector<double>();
    const auto m = mk.to_vector<int64_t>();
    for (int64_t b = 0; b < B; ++b) {
      const auto n = static_cast<int64_t>(inputs[out.mark.size()].size());
      out.p_upper.emplace_back(u.begin() + b * T, u.begin() + b * T + n);
      out.mark.emplace_back(m.begin() + b * T, m.begin() + b * T + n);
    }
  }
  return out;
}

// The threshold on P(Upper) with the best F1 of Upper on held-out texts
// (argmax is 0.5; a rare label usually gains recall below it).
double best_threshold(const Tags& tags, const std::vector<Example>& examples) {
  std::vector<std::pair<double, bool>> letters;  // (p, is upper)
  int64_t upper = 0;
  for (size_t i = 0; i < examples.size(); ++i)
    for (size_t t = 0; t < examples[i].upper.size(); ++t)
      if (examples[i].upper[t] != kIgnore) {
        letters.emplace_back(tags.p_upper[i][t], examples[i].upper[t] == kUpper);
        upper += examples[i].upper[t] == kUpper;
      }
  std::sort(letters.begin(), letters.end(), [](auto& a, auto& b) { return a.first > b.first; });
  double best_f1 = -1, threshold = 0.5;
  int64_t tp = 0;
  for (size_t k = 0; k < letters.size(); ++k) {  // predict Upper for the k + 1 most probable
    tp += letters[k].second;
    const double f1 = 2.0 * double(tp) / double(int64_t(k) + 1 + upper);
    const bool cut = k + 1 == letters.size() || letters[k + 1].first < letters[k].first;
    if (cut && f1 > best_f1) {
      best_f1 = f1;
      threshold = k + 1 < letters.size() ? (letters[k].first + letters[k + 1].first) / 2 : letters[k].first;
    }
  }
  return threshold;
}

// Per-label precision, recall and F1 over the steps that have a label.
struct Scores {
  std::vector<double> p, r, f1;
  std::vector<int64_t> support;
};
Scores score(const std::vector<std::vector<int64_t>>& gold, const std::vector<std::vector<int64_t>>& pred,
             int64_t classes) {
  std::vector<int64_t> g, p;
  for (size_t i = 0; i < gold.size(); ++i)
    for (size_t t = 0; t < gold[i].size(); ++t)
      if (gold[i][t] != kIgnore) g.push_back(gold[i][t]), p.push_back(pred[i][t] == kIgnore ? kLower : pred[i][t]);
  const Tensor gt = tensor(g), pt = tensor(p);
  Scores s{metrics::precision(pt, gt, classes), metrics::recall(pt, gt, classes), metrics::f1_score(pt, gt, classes),
           std::vector<int64_t>(size_t(classes), 0)};
  for (int64_t y : g) ++s.support[size_t(y)];
  return s;
}

// The scores of the labels in `order`.
Scores pick(const Scores& x, const std::vector<size_t>& order) {
  Scores y;
  for (size_t k : order) {
    y.p.push_back(x.p[k]), y.r.push_back(x.r[k]), y.f1.push_back(x.f1[k]);
    y.support.push_back(x.support[k]);
  }
  return y;
}

// Rows: labels; columns: P / R / F1 of each system.
void print_table(const std::vector<std::string>& labels, const std::vector<std::string>& systems,
                 const std::vector<Scores>& scores) {
  std::string head1 = fmt::format("  {:<7} {:>6}", "label", ""), head2 = fmt::format("  {:<7} {:>6}", "", "count");
  for (const auto& s : systems) head1 += fmt::format("   {:<20}", s), head2 += "   P      R      F1   ";
  fmt::print("{}\n{}\n", head1, head2);
  for (size_t k = 0; k < labels.size(); ++k) {
    std::string row = fmt::format("  {:<7} {:>6}", labels[k], scores[0].support[k]);
    for (const auto& s : scores) row += fmt::format("   {:.3f}  {:.3f}  {:.3f}", s.p[k], s.r[k], s.f1[k]);
    fmt::print("{}\n", row);
  }
}

// Seeded Fisher-Yates: the same split for a seed on every standard library.
template <typename T>
void shuffle_seeded(std::vector<T>& v, uint64_t seed) {
  std::mt19937_64 g(seed);
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[size_t(g() % i)]);
}

struct Splits {
  std::vector<Example> train, val, test;
  size_t quotations = 0;
};
// Quotations (deduplicated) -> 80/10/10 split by quotation -> chunks.
Splits load_splits(const std::string& dir, uint64_t seed, size_t max_chars, bool punctuation) {
  std::vector<std::string> texts;
  std::set<std::string> seen;
  for (const ex::Quote& q : ex::read_fortunes(kCategories, dir)) {
    std::string t = prose(q.text);
    if (!t.empty() && seen.insert(t).second) texts.push_back(std::move(t));
  }
  if (texts.size() < 100)
    throw ex::DataError(fmt::format("only {} quotations in {}: reinstall Debian's fortunes", texts.size(), dir));
  shuffle_seeded(texts, seed);
  Splits s;
  s.quotations = texts.size();
  const size_t n_val = texts.size() / 10, n_test = texts.size() / 10;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto& part = i < n_test ? s.test : i < n_test + n_val ? s.val : s.train;
    for (const std::string& c : chunks(texts[i], max_chars)) {
      Example e = make_example(c, punctuation);
      if (!e.input.empty()) part.push_back(std::move(e));
    }
  }
  return s;
}

int train_mode(const ex::CommonOptions& common, const std::string& data_dir, Config cfg, int64_t epochs,
               int64_t batch_size, double lr, size_t max_chars) {
  ex::apply_common(common);
  Splits s = load_splits(data_dir, common.seed, max_chars, cfg.punctuation);
  fmt::print("{} quotations from {} ({} categories) -> {} / {} / {} chunks of at most {} characters\n", s.quotations,
             data_dir, kCategories.size(), s.train.size(), s.val.size(), s.test.size(), max_chars);
  if (common.short_run) {  // a slice of the real data, for tests
    s.train.resize(std::min<size_t>(s.train.size(), 256));
    s.val.resize(std::min<size_t>(s.val.size(), 64));
    s.test.resize(std::min<size_t>(s.test.size(), 64));
    epochs = 2;
  }
  std::vector<std::string> train_inputs;
  for (const Example& e : s.train) train_inputs.push_back(e.input);
  cfg.vocab = Vocabulary(train_inputs);
  cfg.words = WordVocabulary(train_inputs, 2);
  const auto dir = ex::make_run_dir(common.dir);
  ex::save_json(dir / "config.json", cfg.json());

  TaggingDataset train_set(s.train, cfg.vocab, cfg.words), val_set(s.val, cfg.vocab, cfg.words);
  DataLoader train(train_set, {.batch_size = batch_size, .shuffle = true, .seed = common.seed, .bucket_by_length = true});
  DataLoader val(val_set, {.batch_size = 64, .bucket_by_length = true});
  Tagger model = cfg.model();

  const int64_t marks = cfg.mark_classes();
  auto loss_of = [&](const Batch& b) -> optim::StepOutput {
    return tagging_loss(model.forward(b.input, b.lengths), b.target, marks);
  };
  const double val_before = optim::evaluate(model, val, loss_of).at("loss");
  optim::Adam opt(model.parameters(), optim::AdamOptions(lr));
  optim::CosineAnnealingLR sched(opt, epochs, lr / 20);
  const std::string checkpoint = (dir / "model.safetensors").string();
  optim::ModelCheckpoint best(model, checkpoint, "val_loss");
  const auto start = std::chrono::steady_clock::now();
  optim::fit(model, train, opt, loss_of,
             {.epochs = epochs, .validation = &val, .clip_grad_norm = 1.0, .scheduler = &sched, .callbacks = {&best}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  model.load(checkpoint);  // the best epoch's weights
  fmt::print("{}\n", model.summary());
  std::vector<std::string> val_inputs;
  for (const Example& e : s.val) val_inputs.push_back(e.input);
  cfg.threshold = best_threshold(tag(model, cfg, val_inputs), s.val);
  ex::save_json(dir / "config.json", cfg.json());
  fmt::print("trained {} epochs in {:.1f} s on {} threads; validation loss {:.4f} -> {:.4f} (best epoch)\n", epochs,
             seconds, num_threads(), val_before, best.best());
  fmt::print("threshold on P(Upper) with the best validation F1: {:.3f}\n\n", cfg.threshold);

  // The test split: the model and the baselines, label by label.
  std::vector<std::string> inputs;
  std::vector<std::vector<int64_t>> gold_upper, gold_mark, rule_upper, dict_upper, end_mark;
  const CaseDictionary dictionary(s.train);
  size_t letters = 0;
  for (const Example& e : s.test) {
    inputs.push_back(e.input);
    gold_upper.push_back(e.upper);
    gold_mark.push_back(e.mark);
    rule_upper.push_back(rule_case(e.input));
    dict_upper.push_back(dictionary.predict(e.input));
    end_mark.push_back(rule_marks(e.input));
    for (int64_t u : e.upper) letters += u != kIgnore;
  }
  const Tags tags = tag(model, cfg, inputs);
  const std::vector<std::vector<int64_t>> pred_upper = tags.upper(cfg.threshold);

  // Well-formed output: the restored text, lower-cased (and without its
  // marks), is the input again.
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string restored = restore(inputs[i], pred_upper[i], tags.mark[i]);
    if (make_example(restored, cfg.punctuation).input != inputs[i]) {
      fmt::print(stderr, "truecase: restored text \"{}\" does not give back its input \"{}\"\n", restored, inputs[i]);
      return 1;
    }
  }

  const Scores model_case = score(gold_upper, pred_upper, 2), rule = score(gold_upper, rule_upper, 2),
               dict = score(gold_upper, dict_upper, 2);
  fmt::print("capitals on the test split ({} texts, {} letters; every system reads them lower-cased{}):\n",
             inputs.size(), letters, cfg.punctuation ? " and without . , ? !" : "");
  print_table({"Upper", "lower"}, {"model", "rule", "rule + dictionary"},
              {pick(model_case, {1, 0}), pick(rule, {1, 0}), pick(dict, {1, 0})});
  fmt::print("  (truecasing dictionary: {} words not written in lower case)\n", dictionary.size());
  bool beats = model_case.f1[1] > rule.f1[1] && model_case.f1[1] > dict.f1[1];
  if (cfg.punctuation) {
    const Scores model_marks = score(gold_mark, tags.mark, marks), end = score(gold_mark, end_mark, marks);
    size_t chars = 0;
    for (const auto& text : inputs) chars += text.size();
    fmt::print("\nmarks after a character on the test split ({} characters):\n", chars);
    const std::vector<size_t> order = {1, 2, 3, 4, 0};  // the marks first, "none" last
    std::vector<std::string> names;
    for (size_t k : order) names.push_back(kMarkNames[k]);
    print_table(names, {"model", "full stop at the end"}, {pick(model_marks, order), pick(end, order)});
    // Macro-F1 over the four marks ("none" left out): the main metric for punctuation.
    auto macro = [&](const Scores& x) { return (x.f1[1] + x.f1[2] + x.f1[3] + x.f1[4]) / 4; };
    fmt::print("  macro-F1 of the marks: model {:.3f}, full stop at the end {:.3f}\n", macro(model_marks), macro(end));
    beats = beats && macro(model_marks) > macro(end);
  }

  fmt::print("\na few test texts (input / model / as written):\n");
  for (size_t i = 0; i < std::min<size_t>(inputs.size(), 4); ++i)
    fmt::print("  {}\n  {}\n  {}\n\n", inputs[i], restore(inputs[i], pred_upper[i], tags.mark[i]), s.test[i].original);
  fmt::print("checkpoint: {}, config: {}\n", checkpoint, (dir / "config.json").string());

  if (common.short_run) {
    if (!(best.best() < val_before)) {
      fmt::print(stderr, "truecase: the validation loss did not fall ({:.4f} -> {:.4f})\n", val_before, best.best());
      return 1;
    }
    return 0;
  }
  if (!beats) {
    fmt::print(stderr, "truecase: the model did not beat every baseline on the F1 of Upper (and the macro-F1 of the marks)\n");
    return 1;
  }
  return 0;
}

int predict_mode(const ex::CommonOptions& common, const std::vector<std::string>& given) {
  ex::apply_common(common);
  const auto dir = std::filesystem::path(common.dir);
  const auto config = dir / "config.json";
  const Config cfg = Config::from(ex::load_json(config, "truecase --dir " + common.dir), config.string());
  const auto checkpoint = dir / "model.safetensors";
  if (!std::filesystem::is_regular_file(checkpoint))
    throw ex::DataError(fmt::format("no {} (train first: truecase --dir {} writes it)", checkpoint.string(), common.dir));
  Tagger model = cfg.model();
  model.load(checkpoint.string());
  std::vector<std::string> inputs;
  for (const std::string& line : ex::inputs_or_stdin(given)) inputs.push_back(normalize(line, cfg.punctuation));
  std::vector<std::string> nonempty;
  for (const auto& s : inputs)
    if (!s.empty()) nonempty.push_back(s);
  const Tags tags = nonempty.empty() ? Tags{} : tag(model, cfg, nonempty);
  const std::vector<std::vector<int64_t>> upper = tags.upper(cfg.threshold);
  for (size_t i = 0, k = 0; i < inputs.size(); ++i) {
    if (inputs[i].empty()) {
      fmt::print("\n");
      continue;
    }
    const std::string restored = restore(inputs[i], upper[k], tags.mark[k]);
    if (make_example(restored, cfg.punctuation).input != inputs[i])  // only case and marks may change
      throw std::runtime_error(fmt::format("restored \"{}\" does not give back \"{}\"", restored, inputs[i]));
    fmt::print("{}\n", restored);
    ++k;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return ex::run_example("truecase", [&] {
    CLI::App app{"Restores capital letters and punctuation (. , ? !) in lower-cased text with a character BiLSTM "
                 "tagger trained on fortune quotations; compares it with rule baselines"};
    ex::CommonOptions common;
    ex::add_common_options(app, common, "runs/truecase");
    std::string data_dir = ex::kFortuneDir;
    Config cfg;
    int64_t epochs = 5, batch_size = 64;
    double lr = 3e-3;
    size_t max_chars = 200;
    app.add_option("--data", data_dir, "folder of the fortune files (Debian's fortunes)")->capture_default_str();
    app.add_option("--epochs", epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--batch-size", batch_size, "texts per batch")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--lr", lr, "Adam learning rate (cosine-annealed to lr/20)")->capture_default_str();
    app.add_option("--embed", cfg.embed, "character embedding size")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--word-embed", cfg.word_embed, "embedding size of the words (seen twice in training) beside each character")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--hidden", cfg.hidden, "LSTM hidden size per direction")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--layers", cfg.layers, "BiLSTM layers")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--dropout", cfg.dropout, "dropout between and after the LSTM layers")->capture_default_str();
    app.add_option("--max-chars", max_chars, "quotations are cut into chunks of at most this many characters")
        ->capture_default_str()
        ->check(CLI::Range(20, 2000));
    app.add_flag("--punctuation", cfg.punctuation,
                 "restore the marks . , ? ! too: they are removed from the input (and so unseen by the baselines)");
    CLI::App* predict = app.add_subcommand("predict", "restore capitals (and punctuation) with the saved model");
    predict->fallthrough();  // --dir and --threads may follow "predict"
    predict->footer("The checkpoint is read from --dir (see truecase --help); --dir and --threads may also follow "
                    "predict. Input is lower-cased (and, for a --punctuation model, its marks removed) first.");
    std::vector<std::string> texts;
    predict->add_option("text", texts, "texts to restore (default: one per line of standard input)");
    CLI11_PARSE(app, argc, argv);
    if (predict->parsed()) return predict_mode(common, texts);
    return train_mode(common, data_dir, cfg, epochs, batch_size, lr, max_chars);
  });
}
