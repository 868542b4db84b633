// English to French translation with attention, on the short messages of
// the French gettext catalogues Debian packages install ("Save As..." ->
// "Enregistrer sous...", "PNG image" -> "image PNG").
//
//   translate [--epochs N] [--locale-dir DIR] [--catalogs a,b,...]   train, evaluate, save into --dir
//   translate translate [--beam N] ["sentence" ...]                  translate with the saved model
//
// nn::Seq2Seq: a bidirectional LSTM encoder, an LSTM decoder with Bahdanau
// (additive) attention and input feeding, trained with Adam on batches of
// messages of similar lengths. It reports corpus BLEU on held-out messages
// for greedy and beam-search decoding next to copying the source (English
// and French share names, numbers and punctuation), prints sample
// translations and draws the attention of a few test messages.
#include <spool/spool.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <common/cli.hpp>
#include <common/data.hpp>
#include <common/png.hpp>
#include <filesystem>
#include <map>
#include <numeric>
#include <random>

#include "corpus.hpp"

using namespace spool;
namespace ex = spool::examples;
using translate::Pair;

namespace {

// What the translate mode needs to rebuild the model (config.json).
struct Config {
  int64_t embedding = 128, hidden = 256, layers = 1;
  double dropout = 0.2;
  int64_t max_tokens = 10;  // longest message, in tokens, on either side
};

// Word vocabularies: index 0 padding, 1 <unk>, then (target) <bos> 2 and
// <eos> 3, then words by frequency. Tokens are lower-cased.
Tokenizer make_vocabulary(bool target, std::optional<int64_t> num_words = std::nullopt) {
  TokenizerOptions o;
  o.num_words = num_words;
  o.filters = "";  // split_message already made the tokens: split on spaces only
  o.oov_token = "<unk>";
  if (target) {
    o.start_token = "<bos>";
    o.end_token = "<eos>";
  }
  return Tokenizer(o);
}
constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

// Fitted on the training messages, keeping words seen at least min_count
// times (at most max_words of them).
Tokenizer fit_vocabulary(bool target, const std::vector<std::string>& texts, int64_t min_count, int64_t max_words) {
  Tokenizer all = make_vocabulary(target);
  all.fit_on_texts(texts);
  int64_t frequent = 0;
  for (const auto& [word, count] : all.word_counts()) frequent += count >= min_count;
  const int64_t reserved = target ? 4 : 2;
  Tokenizer tok = make_vocabulary(target, reserved + std::min(frequent, max_words));
  tok.fit_on_texts(texts);
  return tok;
}

// Index -> token for a fitted vocabulary.
std::vector<std::string> index_words(const Tokenizer& tok) {
  std::vector<std::string> words(size_t(tok.vocab_size()), "<pad>");
  for (const auto& [w, i] : tok.word_index())
    if (i < tok.vocab_size()) words[size_t(i)] = w;
  return words;
}

// One message pair as the model sees it.
struct Example {
  std::vector<int64_t> source;            // English ids
  std::vector<int64_t> target;            // <bos> French ids <eos>
  std::vector<std::string> english;       // lower-cased English tokens (unk replacement, copy baseline)
  std::vector<std::string> reference;     // lower-cased French tokens (BLEU)
  std::string english_text, french_text;  // as in the catalogue, tokens spaced
  std::string domain;                     // the catalogue it came from
};

std::vector<Example> encode(const std::vector<Pair>& pairs, const Tokenizer& src, const Tokenizer& tgt) {
  std::vector<Example> out;
  for (const Pair& p : pairs)
    out.push_back({src.texts_to_sequences({p.english})[0], tgt.texts_to_sequences({p.french})[0],
                   src.tokenize(p.english), tgt.tokenize(p.french), p.english, p.french, p.domain});
  return out;
}

// Source [B, S] padded at the end with lengths [B]; target_in = <bos> y,
// target_out = y <eos>, both [B, T].
struct Batch {
  Tensor source, lengths, target_in, target_out;
  int64_t target_tokens = 0;
};

Batch make_batch(const std::vector<Example>& data, const std::vector<size_t>& rows) {
  const auto B = int64_t(rows.size());
  int64_t S = 0, T = 0;
  for (size_t r : rows) {
    S = std::max(S, int64_t(data[r].source.size()));
    T = std::max(T, int64_t(data[r].target.size()) - 1);
  }
  std::vector<int64_t> src(static_cast<size_t>(B * S), kPad), len(static_cast<size_t>(B)),
      tin(static_cast<size_t>(B * T), kPad), tout(static_cast<size_t>(B * T), kPad);
  Batch b;
  for (int64_t i = 0; i < B; ++i) {
    const Example& e = data[rows[size_t(i)]];
    std::copy(e.source.begin(), e.source.end(), src.begin() + i * S);
    len[size_t(i)] = int64_t(e.source.size());
    std::copy(e.target.begin(), e.target.end() - 1, tin.begin() + i * T);
    std::copy(e.target.begin() + 1, e.target.end(), tout.begin() + i * T);
    b.target_tokens += int64_t(e.target.size()) - 1;
  }
  b.source = tensor(src, {B, S});
  b.lengths = tensor(len, {B});
  b.target_in = tensor(tin, {B, T});
  b.target_out = tensor(tout, {B, T});
  return b;
}

// Batches of messages of similar lengths (little padding), in random order:
// shuffle, sort by length (ties stay shuffled), cut, shuffle the batches.
std::vector<std::vector<size_t>> bucketed_batches(const std::vector<Example>& data, int64_t batch_size,
                                                  std::mt19937_64& rng) {
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::pair(data[a].source.size(), data[a].target.size()) < std::pair(data[b].source.size(), data[b].target.size());
  });
  std::vector<std::vector<size_t>> batches;
  for (size_t i = 0; i < order.size(); i += size_t(batch_size))
    batches.emplace_back(order.begin() + i, order.begin() + std::min(order.size(), i + size_t(batch_size)));
  std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

// Mean cross entropy per target token over a whole split, without dropout.
double evaluate_loss(nn::Seq2Seq& model, const std::vector<Example>& data) {
  NoGradGuard no_grad;
  model.eval();
  double total = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < data.size(); i += 128) {
    std::vector<size_t> rows(std::min<size_t>(128, data.size() - i));
    std::iota(rows.begin(), rows.end(), i);
    const Batch b = make_batch(data, rows);
    total += model.loss(model(b.source, b.lengths, b.target_in), b.target_out).item<double>() * double(b.target_tokens);
    tokens += b.target_tokens;
  }
  model.train();
  return total / double(tokens);
}

nn::Seq2SeqOptions model_options(const Config& c, int64_t source_vocab, int64_t target_vocab) {
  return nn::Seq2SeqOptions(source_vocab, target_vocab)
      .embedding_dim(c.embedding)
      .hidden_size(c.hidden)
      .num_layers(c.layers)
      .cell("lstm")
      .bidirectional(true)
      .attention("additive")
      .bridge("linear")
      .input_feeding(true)
      .dropout(c.dropout)
      .pad_id(kPad)
      .bos_id(kBos)
      .eos_id(kEos);
}

// A decoded message: the model's hypothesis and its words, where each
// <unk> is replaced by the source word it attends to most (Luong et al. 2015).
struct Translation {
  nn::Hypothesis hypothesis;
  std::vector<std::string> words;
};

Translation words_of(nn::Hypothesis h, const std::vector<std::string>& source_words,
                     const std::vector<std::string>& vocabulary) {
  Translation t{std::move(h), {}};
  for (size_t i = 0; i < t.hypothesis.tokens.size(); ++i) {
    const int64_t id = t.hypothesis.tokens[i];
    if (id == kUnk && t.hypothesis.attention.defined() && !source_words.empty()) {
      const auto row = select(t.hypothesis.attention, 0, int64_t(i)).to_vector<float>();
      t.words.push_back(source_words[size_t(std::max_element(row.begin(), row.end()) - row.begin())]);
    } else {
      t.words.push_back(vocabulary[size_t(id)]);
    }
  }
  return t;
}

// Greedy (beam <= 1) or beam-search translations of every source, in
// batches of 200.
std::vector<Translation> translate_all(nn::Seq2Seq& model, const std::vector<std::vector<int64_t>>& sources,
                                       const std::vector<std::vector<std::string>>& source_words,
                                       const std::vector<std::string>& vocabulary, int64_t beam, double length_penalty,
                                       int64_t max_length) {
  std::vector<Translation> out;
  for (size_t i = 0; i < sources.size(); i += 200) {
    const size_t n = std::min<size_t>(200, sources.size() - i);
    int64_t S = 1;
    for (size_t k = i; k < i + n; ++k) S = std::max(S, int64_t(sources[k].size()));
    std::vector<int64_t> src(n * size_t(S), kPad), len(n);
    for (size_t k = 0; k < n; ++k) {
      std::copy(sources[i + k].begin(), sources[i + k].end(), src.begin() + int64_t(k) * S);
      len[k] = std::max<int64_t>(1, int64_t(sources[i + k].size()));
      if (sources[i + k].empty()) src[size_t(int64_t(k) * S)] = kUnk;  // nothing known: one <unk>
    }
    const Tensor x = tensor(src, {int64_t(n), S}), lengths = tensor(len, {int64_t(n)});
    // Every message has a word: eos may not come first.
    std::vector<nn::Hypothesis> hyps;
    if (beam <= 1) {
      hyps = model.greedy(x, lengths, {.max_length = max_length, .min_length = 1});
    } else {
      for (auto& nbest : model.beam_search(x, lengths, {.beam_width = beam, .max_length = max_length,
                                                        .length_penalty = length_penalty, .min_length = 1}))
        hyps.push_back(std::move(nbest[0]));
    }
    for (size_t k = 0; k < n; ++k) out.push_back(words_of(std::move(hyps[k]), source_words[i + k], vocabulary));
  }
  return out;
}

std::vector<std::vector<std::string>> words(const std::vector<Translation>& ts) {
  std::vector<std::vector<std::string>> out;
  for (const auto& t : ts) out.push_back(t.words);
  return out;
}

// Attention of a decoded message: rows are output words (and <eos>),
// columns the English words. Returns the image's absolute path and its
// size, read back from the file and checked against the layout.
std::string draw_attention(const std::filesystem::path& path, const Translation& t, const Example& e) {
  std::vector<std::string> rows = t.words, cols = e.english;
  if (t.hypothesis.finished) rows.push_back("<eos>");
  const HeatmapOptions options{.title = translate::join_tokens(e.english)};
  write_heatmap(path.string(), t.hypothesis.attention, rows, cols, options);
  const HeatmapLayout layout = heatmap_layout(t.hypothesis.attention, rows, cols, options);
  const auto [w, h] = ex::png_size(path.string());
  SPOOL_CHECK(w == layout.width && h == layout.height, "translate", "{} is {}x{}, expected {}x{}", path.string(), w,
              h, layout.width, layout.height);
  return fmt::format("{} ({}x{} PNG)", std::filesystem::absolute(path).string(), w, h);
}

// A message of spaced tokens as text.
std::string readable(const std::string& spaced) {
  std::vector<std::string> tokens;
  for (size_t i = 0; i < spaced.size();) {
    const size_t j = std::min(spaced.find(' ', i), spaced.size());
    tokens.push_back(spaced.substr(i, j - i));
    i = j + 1;
  }
  return translate::join_tokens(tokens);
}

struct TrainOptions {
  std::string locale_dir = translate::kLocaleDir;
  std::vector<std::string> catalogs;  // domains; empty: the default list
  int64_t epochs = 10, batch_size = 64, min_count = 2, max_vocab = 4000, test_size = 1000, valid_size = 500;
  double lr = 2e-3, clip = 1.0, label_smoothing = 0.1, length_penalty = 0.6;
  int64_t beam = 5, samples = 8, heatmaps = 3;
};

int train_mode(const ex::CommonOptions& common, Config cfg, TrainOptions o) {
  ex::apply_common(common);
  const std::filesystem::path dir = ex::make_run_dir(common.dir);
  if (common.short_run) {  // a slice of the real data and a small model, for ctest
    cfg.embedding = 32;
    cfg.hidden = 64;
    o.epochs = 3;
    o.batch_size = 32;
    o.lr = 3e-3;
    o.test_size = 48;
    o.valid_size = 48;
    o.samples = 3;
    o.heatmaps = 1;
  }

  // The corpus: catalogues -> short plain messages -> one translation per
  // English message -> a seeded split by message.
  const auto catalogs = o.catalogs.empty() ? translate::default_catalogs()
                                           : translate::catalogs_named(o.catalogs);
  translate::CorpusStats stats;
  std::vector<Pair> pairs = translate::read_corpus(o.locale_dir, catalogs, cfg.max_tokens, stats);
  std::map<std::string, int64_t> packages;
  for (const auto& c : catalogs) packages[c.package] = 0;
  for (const Pair& p : pairs)
    for (const auto& c : catalogs)
      if (c.domain == p.domain) ++packages[c.package];
  fmt::print("French catalogues in {} ({} domains) of the Debian packages (distinct short messages each):\n  ",
             o.locale_dir, catalogs.size());
  for (const auto& [name, n] : packages) fmt::print("{} ({}) ", name, n);
  fmt::print("\n{} translated messages, {} without formats or line breaks, {} of 1-{} tokens on both sides, "
             "{} distinct English messages\n",
             stats.messages, stats.plain, stats.short_ones, cfg.max_tokens, stats.unique);
  std::mt19937_64 rng(common.seed);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  if (common.short_run) pairs.resize(std::min<size_t>(pairs.size(), 1200));
  const auto n_test = size_t(std::min<int64_t>(o.test_size, int64_t(pairs.size()) / 5));
  const auto n_valid = size_t(std::min<int64_t>(o.valid_size, int64_t(pairs.size()) / 5));
  const std::vector<Pair> test_pairs(pairs.begin(), pairs.begin() + n_test),
      valid_pairs(pairs.begin() + n_test, pairs.begin() + n_test + n_valid),
      train_pairs(pairs.begin() + n_test + n_valid, pairs.end());

  std::vector<std::string> en_texts, fr_texts;
  for (const Pair& p : train_pairs) {
    en_texts.push_back(p.english);
    fr_texts.push_back(p.french);
  }
  const Tokenizer src_vocab = fit_vocabulary(false, en_texts, o.min_count, o.max_vocab);
  const Tokenizer tgt_vocab = fit_vocabulary(true, fr_texts, o.min_count, o.max_vocab);
  const std::vector<std::string> tgt_words = index_words(tgt_vocab);
  const std::vector<Example> train = encode(train_pairs, src_vocab, tgt_vocab),
                             valid = encode(valid_pairs, src_vocab, tgt_vocab),
                             test = encode(test_pairs, src_vocab, tgt_vocab);
  fmt::print("split by message: {} training, {} validation, {} test pairs\n", train.size(), valid.size(), test.size());
  fmt::print("vocabularies (lower-cased words seen {}+ times in training): English {} of {} words, French {} of {} "
             "(then <unk>)\n",
             o.min_count, src_vocab.vocab_size() - 2, src_vocab.word_counts().size(), tgt_vocab.vocab_size() - 4,
             tgt_vocab.word_counts().size());

  src_vocab.save((dir / "source_vocab.json").string());
  tgt_vocab.save((dir / "target_vocab.json").string());
  ex::save_json(dir / "config.json", {{"embedding_dim", cfg.embedding},
                                      {"hidden_size", cfg.hidden},
                                      {"num_layers", cfg.layers},
                                      {"dropout", cfg.dropout},
                                      {"max_tokens", cfg.max_tokens}});

  nn::Seq2Seq model(model_options(cfg, src_vocab.vocab_size(), tgt_vocab.vocab_size()));
  optim::Adam opt(model.parameters(), optim::AdamOptions(o.lr));
  fmt::print("{} parameters; Adam lr {}, batches of {}, {} epochs, training loss with label smoothing {}\n",
             model.num_parameters(), o.lr, o.batch_size, o.epochs, o.label_smoothing);

  // Train; keep the weights of the best validation loss; halve the learning
  // rate when validation loss stops improving.
  const std::string checkpoint = (dir / "model.safetensors").string();
  double best = INFINITY, lr = o.lr;
  std::vector<double> step_losses;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto batches = bucketed_batches(train, o.batch_size, rng);
    ProgressBar bar(int64_t(batches.size()), fmt::format("Epoch {}/{}", epoch, o.epochs));
    const double epoch_lr = lr;
    double sum = 0;
    int64_t tokens = 0;
    model.train();
    for (size_t i = 0; i < batches.size(); ++i) {
      const Batch b = make_batch(train, batches[i]);
      opt.zero_grad();
      Tensor loss = model.loss(model(b.source, b.lengths, b.target_in), b.target_out, o.label_smoothing);
      loss.backward();
      // A non-finite gradient norm (one bad batch) skips the step, as fit does.
      if (std::isfinite(optim::clip_grad_norm_(model.parameters(), o.clip))) opt.step();
      const double l = loss.item<double>();
      step_losses.push_back(l);
      sum += l * double(b.target_tokens);
      tokens += b.target_tokens;
      bar.update(int64_t(i) + 1, {{"loss", sum / double(tokens)}});
    }
    const double val = evaluate_loss(model, valid);
    if (val < best) {
      best = val;
      model.save(checkpoint);
    } else {
      lr /= 2;
      opt.set_lr(lr);
    }
    bar.finish({{"loss", sum / double(tokens)}, {"val_loss", val}, {"lr", epoch_lr}});
  }
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  model.load(checkpoint);
  fmt::print("trained in {:.1f} s; best validation loss {:.3f} nats per token (perplexity {:.1f}), saved to {}\n",
             train_seconds, best, std::exp(best), checkpoint);

  // Test BLEU: greedy, beam search, and the English itself as the "translation".
  std::vector<std::vector<int64_t>> sources;
  std::vector<std::vector<std::string>> english, references;
  for (const Example& e : test) {
    sources.push_back(e.source);
    english.push_back(e.english);
    references.push_back(e.reference);
  }
  const int64_t max_length = cfg.max_tokens + 1;
  const auto greedy = translate_all(model, sources, english, tgt_words, 1, 0.0, max_length);
  const auto beam = translate_all(model, sources, english, tgt_words, std::max<int64_t>(o.beam, 2), o.length_penalty,
                                  max_length);
  const double bleu_greedy = 100 * metrics::corpus_bleu(words(greedy), references);
  const double bleu_beam = 100 * metrics::corpus_bleu(words(beam), references);
  const double bleu_copy = 100 * metrics::corpus_bleu(english, references);

  fmt::print("\nsample test translations (lower-cased; <unk> replaced by the most attended English word):\n");
  std::vector<size_t> longer;  // messages of 3 words or more show more than single names
  for (size_t k = 0; k < test.size(); ++k)
    if (test[k].english.size() >= 3) longer.push_back(k);
  for (int64_t i = 0; i < std::min<int64_t>(o.samples, int64_t(longer.size())); ++i) {
    const size_t k = longer[size_t(i) * longer.size() / size_t(o.samples)];  // spread over the test split
    fmt::print("  english    {}\n  reference  {}\n  greedy     {}\n  beam       {}\n\n", readable(test[k].english_text),
               readable(test[k].french_text), translate::join_tokens(greedy[k].words),
               translate::join_tokens(beam[k].words));
  }

  // The attention of a few test messages (their greedy decoding): a MIME
  // type name first when there is one (French puts the noun first: the map
  // shows the reordering), then messages of 5 or more words.
  std::vector<size_t> picks;
  for (size_t k = 0; k < test.size() && picks.empty(); ++k)
    if (test[k].domain == "shared-mime-info" && test[k].english.size() >= 3) picks.push_back(k);
  for (size_t k = 0; k < test.size() && int64_t(picks.size()) < o.heatmaps; ++k)
    if (test[k].english.size() >= 5 && test[k].domain != "shared-mime-info") picks.push_back(k);
  picks.resize(std::min(picks.size(), size_t(std::max<int64_t>(o.heatmaps, 0))));
  std::vector<std::string> images;
  for (size_t k : picks)
    if (!greedy[k].words.empty())
      images.push_back(draw_attention(dir / fmt::format("attention_{}.png", images.size() + 1), greedy[k], test[k]));

  fmt::print("results on the test split ({} messages), corpus BLEU x100 (lower-cased tokens):\n", test.size());
  fmt::print("  greedy              {:6.2f}\n", bleu_greedy);
  fmt::print("  beam (width {})      {:6.2f}\n", std::max<int64_t>(o.beam, 2), bleu_beam);
  fmt::print("  copy the source     {:6.2f}\n", bleu_copy);
  for (const auto& path : images) fmt::print("attention heatmap: {}\n", path);

  if (common.short_run) {
    // The loss fell, and the decoder emitted only words of the French vocabulary.
    const size_t n = std::min<size_t>(4, step_losses.size() / 2);
    const double first = std::accumulate(step_losses.begin(), step_losses.begin() + n, 0.0) / double(n);
    const double last = std::accumulate(step_losses.end() - n, step_losses.end(), 0.0) / double(n);
    if (!(last < first)) {
      fmt::print(stderr, "translate: the training loss did not fall ({:.3f} -> {:.3f})\n", first, last);
      return 1;
    }
    for (const auto* set : {&greedy, &beam})
      for (const Translation& t : *set)
        for (int64_t id : t.hypothesis.tokens)
          if (id < kUnk || id == kBos || id == kEos || id >= tgt_vocab.vocab_size()) {
            fmt::print(stderr, "translate: decoded token id {} is not a French word\n", id);
            return 1;
          }
    if (images.empty()) {
      fmt::print(stderr, "translate: no attention heatmap was written\n");
      return 1;
    }
    fmt::print("short run: training loss {:.3f} -> {:.3f}, translations use the French vocabulary\n", first, last);
    return 0;
  }
  if (!(bleu_greedy > bleu_copy && bleu_beam > bleu_copy)) {
    fmt::print(stderr, "translate: the model does not beat copying the source (greedy {:.2f}, beam {:.2f}, copy {:.2f})\n",
               bleu_greedy, bleu_beam, bleu_copy);
    return 1;
  }
  return 0;
}

// Reloads the checkpoint and translates each sentence.
int translate_mode(const ex::CommonOptions& common, const std::vector<std::string>& given, int64_t beam,
                   double length_penalty) {
  ex::apply_common(common);
  const std::filesystem::path dir = common.dir;
  const nlohmann::json j = ex::load_json(dir / "config.json", "translate (training mode)");
  Config cfg;
  try {
    cfg.embedding = j.at("embedding_dim").get<int64_t>();
    cfg.hidden = j.at("hidden_size").get<int64_t>();
    cfg.layers = j.at("num_layers").get<int64_t>();
    cfg.dropout = j.at("dropout").get<double>();
    cfg.max_tokens = j.at("max_tokens").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw ex::DataError(fmt::format("{} lacks a setting ({}); train again", (dir / "config.json").string(), e.what()));
  }
  Tokenizer src_vocab = make_vocabulary(false), tgt_vocab = make_vocabulary(true);
  try {
    src_vocab = Tokenizer::load((dir / "source_vocab.json").string());
    tgt_vocab = Tokenizer::load((dir / "target_vocab.json").string());
  } catch (const Error& e) {
    throw ex::DataError(fmt::format("{} (train first: translate writes the vocabularies)", e.what()));
  }
  nn::Seq2Seq model(model_options(cfg, src_vocab.vocab_size(), tgt_vocab.vocab_size()));
  ex::require_file((dir / "model.safetensors").string(), "nothing: train first (translate without a subcommand)",
                   "the checkpoint");
  model.load((dir / "model.safetensors").string());
  const std::vector<std::string> tgt_words = index_words(tgt_vocab);

  std::vector<std::vector<int64_t>> sources;
  std::vector<std::vector<std::string>> english;
  const std::vector<std::string> inputs = ex::inputs_or_stdin(given);
  for (const std::string& line : inputs) {
    std::string spaced;
    for (const auto& t : translate::split_message(line)) spaced += t + " ";
    sources.push_back(src_vocab.texts_to_sequences({spaced})[0]);
    english.push_back(src_vocab.tokenize(spaced));
  }
  for (const Translation& t : translate_all(model, sources, english, tgt_words, beam, length_penalty, 3 * cfg.max_tokens))
    fmt::print("{}\n", translate::join_tokens(t.words));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return ex::run_example("translate", [&] {
    CLI::App app{"English to French translation with attention (BiLSTM encoder, LSTM decoder with Bahdanau "
                 "attention) on the short messages of the French gettext catalogues Debian packages install"};
    ex::CommonOptions common;
    ex::add_common_options(app, common, "runs/translate");
    Config cfg;
    TrainOptions o;
    app.add_option("--locale-dir", o.locale_dir, "folder of the French .mo catalogues")->capture_default_str();
    std::string domains;
    for (const auto& c : translate::default_catalogs()) domains += (domains.empty() ? "" : ",") + c.domain;
    app.add_option("--catalogs", o.catalogs,
                   "comma-separated gettext domains to read from --locale-dir (default: " + domains +
                       "; gold only when present)")
        ->delimiter(',');
    app.add_option("--epochs", o.epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--batch-size", o.batch_size, "message pairs per batch")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--lr", o.lr, "Adam learning rate (halved after an epoch without validation gain)")->capture_default_str();
    app.add_option("--clip", o.clip, "gradient norm clipping")->capture_default_str();
    app.add_option("--label-smoothing", o.label_smoothing, "label smoothing of the training loss")->capture_default_str();
    app.add_option("--embedding", cfg.embedding, "word embedding size")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--hidden", cfg.hidden, "LSTM size (per direction in the encoder)")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--layers", cfg.layers, "LSTM layers of the encoder and of the decoder")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--dropout", cfg.dropout, "dropout on embeddings, between layers and before the output")->capture_default_str();
    app.add_option("--max-tokens", cfg.max_tokens, "longest message kept, in tokens, on either side")->capture_default_str()->check(CLI::Range(2, 60));
    app.add_option("--min-count", o.min_count, "a word enters the vocabulary when seen this often in training")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--max-vocab", o.max_vocab, "most words per vocabulary")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--test-size", o.test_size, "test messages")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--valid-size", o.valid_size, "validation messages")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--beam", o.beam, "beam width (the results' beam row: at least 2; translate mode: 0 or 1 is greedy)")
        ->capture_default_str();
    app.add_option("--length-penalty", o.length_penalty, "GNMT length penalty alpha of beam search")->capture_default_str();
    app.add_option("--samples", o.samples, "test translations printed")->capture_default_str();
    app.add_option("--heatmaps", o.heatmaps, "test messages whose attention is drawn (PNG in --dir)")->capture_default_str();
    CLI::App* tr = app.add_subcommand("translate", "translate English messages with the saved model");
    tr->fallthrough();
    std::vector<std::string> sentences;
    tr->add_option("sentence", sentences, "English sentences (default: one per line of standard input)");
    CLI11_PARSE(app, argc, argv);
    if (tr->parsed()) return translate_mode(common, sentences, o.beam, o.length_penalty);
    return train_mode(common, cfg, o);
  });
}
