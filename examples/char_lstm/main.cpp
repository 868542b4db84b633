// A character-level LSTM language model, the classic first sequence model:
// it reads a text (by default the GNU GPL v3 that every Debian system ships
// in /usr/share/common-licenses), learns to predict each next character, and
// then writes new text one character at a time, carrying its (h, c) state.
//
//   char_lstm [--epochs N] [--text FILE] [--hidden H]
//
// It shows the Keras-style kit (Tokenizer, DataLoader, fit with validation,
// ModelCheckpoint, summary) around a PyTorch-style model. It exits non-zero
// when the model does not beat the text's own character frequencies
// (a unigram model) on held-out text, or when the saved checkpoint does not
// reload to the same validation loss.
#include <spool/spool.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

using namespace spool;

namespace {

// Embedding -> LSTM -> Linear over the vocabulary.
struct CharModel : nn::Module {
  CharModel(int64_t vocab, int64_t embed, int64_t hidden)
      : Module("CharModel"),
        emb(register_module("emb", nn::Embedding(vocab, embed))),
        lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(embed, hidden).batch_first(true)))),
        head(register_module("head", nn::Linear(hidden, vocab))) {}

  // tokens int64 [B, T] -> logits [B, T, vocab]; state carries (h, c) on.
  Tensor forward(const Tensor& tokens, nn::RecurrentInput* state = nullptr) {
    nn::RecurrentOutput r = lstm(emb(tokens), state ? *state : nn::RecurrentInput{});
    if (state) *state = {.h0 = r.h_n, .c0 = r.c_n};
    return head(r.output);
  }
  Tensor forward_tensor(const Tensor& tokens) override { return forward(tokens); }

  nn::Embedding emb;
  nn::LSTM lstm;
  nn::Linear head;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path + " (pass another text with --text FILE)");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Non-overlapping windows of `steps + 1` tokens: inputs are the first
// `steps`, targets the same shifted by one.
TensorDataset windows(const std::vector<int64_t>& ids, int64_t steps) {
  std::vector<int64_t> x, y;
  for (size_t start = 0; start + size_t(steps) + 1 <= ids.size(); start += size_t(steps)) {
    x.insert(x.end(), ids.begin() + start, ids.begin() + start + steps);
    y.insert(y.end(), ids.begin() + start + 1, ids.begin() + start + steps + 1);
  }
  const auto n = static_cast<int64_t>(x.size()) / steps;
  return TensorDataset(tensor(x, {n, steps}), tensor(y, {n, steps}));
}

// Cross-entropy (nats per character) of `test` under the character
// frequencies of `train`, add-one smoothed: the bar a model must clear.
double unigram_loss(const std::vector<int64_t>& train, const std::vector<int64_t>& test, int64_t vocab) {
  std::vector<double> count(size_t(vocab), 1.0);
  for (int64_t t : train) count[size_t(t)] += 1;
  const double total = double(train.size()) + double(vocab);
  double loss = 0;
  for (int64_t t : test) loss -= std::log(count[size_t(t)] / total);
  return loss / double(test.size());
}

// Continues `prompt` by sampling `length` characters at the given temperature.
std::string generate(CharModel& model, const Tokenizer& tok, const std::string& prompt, int64_t length,
                     double temperature) {
  NoGradGuard no_grad;
  model.eval();
  nn::RecurrentInput state;
  std::vector<int64_t> ids = tok.texts_to_sequences({prompt})[0];
  Tensor logits = model.forward(tensor(ids, {1, int64_t(ids.size())}), &state);
  std::vector<std::vector<int64_t>> out(1);
  for (int64_t i = 0; i < length; ++i) {
    Tensor last = select(logits, 1, -1);  // [1, vocab]
    Tensor next = multinomial(softmax(last / temperature, -1), 1);  // [1, 1]
    out[0].push_back(next.to_vector<int64_t>()[0]);
    logits = model.forward(next, &state);
  }
  return prompt + tok.sequences_to_texts(out)[0];
}

}  // namespace

int run(int argc, char** argv);

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "char_lstm: {}\n", e.what());
    return 1;
  }
}

int run(int argc, char** argv) {
  int64_t epochs = 20, hidden = 256;
  std::string path = "/usr/share/common-licenses/GPL-3";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--epochs") epochs = std::stoll(argv[++i]);
    else if (i + 1 < argc && arg == "--hidden") hidden = std::stoll(argv[++i]);
    else if (i + 1 < argc && arg == "--text") path = argv[++i];
    else {
      fmt::print(stderr, "usage: char_lstm [--epochs N] [--text FILE] [--hidden H]\n");
      return 2;
    }
  }
  manual_seed(0);
  const std::string text = read_text(path);

  // Characters to indices; the last tenth of the text is held out.
  TokenizerOptions to;
  to.char_level = true;
  to.lower = false;
  Tokenizer tok(to);
  tok.fit_on_texts({text});
  const std::vector<int64_t> ids = tok.texts_to_sequences({text})[0];
  const auto split = ids.size() * 9 / 10;
  const std::vector<int64_t> train_ids(ids.begin(), ids.begin() + split), val_ids(ids.begin() + split, ids.end());
  const int64_t steps = 64, vocab = tok.vocab_size();
  TensorDataset train_set = windows(train_ids, steps), val_set = windows(val_ids, steps);
  DataLoader train(train_set, {.batch_size = 32, .shuffle = true, .drop_last = true});
  DataLoader val(val_set, {.batch_size = 32});
  fmt::print("{}: {} characters, {} distinct; {} training and {} validation windows of {}\n", path, ids.size(),
             vocab - 1, train_set.size(), val_set.size(), steps);

  CharModel model(vocab, 64, hidden);
  optim::Adam opt(model.parameters(), optim::AdamOptions(3e-3));
  // Mean cross-entropy over every predicted character of a batch.
  auto loss_for = [vocab](CharModel& m) {
    return [&m, vocab](const Batch& b) {
      return cross_entropy(reshape(m.forward(b.input), {-1, vocab}), reshape(b.target, {-1}));
    };
  };
  const auto checkpoint = std::filesystem::temp_directory_path() / "spool_char_lstm.safetensors";
  optim::ModelCheckpoint save_best(model, checkpoint.string(), "val_loss");
  const auto start = std::chrono::steady_clock::now();
  optim::History history = optim::fit(
      model, train, opt, loss_for(model), {.epochs = epochs, .validation = &val, .clip_grad_norm = 1.0, .callbacks = {&save_best}});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}\n", model.summary());

  const double baseline = unigram_loss(train_ids, val_ids, vocab), best = save_best.best();
  fmt::print("trained {} epochs in {:.1f} s ({:.0f} ms per batch of 32 x {})\n", epochs, secs,
             1000 * secs / double(epochs * train.num_batches()), steps);
  fmt::print("held-out loss {:.3f} nats/char (perplexity {:.2f}); character frequencies alone: {:.3f} ({:.2f})\n",
             best, std::exp(best), baseline, std::exp(baseline));

  // The best epoch's weights, reloaded into a fresh model, give the same loss.
  CharModel reloaded(vocab, 64, hidden);
  reloaded.load(checkpoint.string());
  const double again = optim::evaluate(reloaded, val, loss_for(reloaded)).at("loss");
  std::filesystem::remove(checkpoint);
  fmt::print("checkpoint reloaded: held-out loss {:.3f}\n\n", again);

  fmt::print("--- sampled at temperature 0.6 ---\n{}\n---\n",
             generate(reloaded, tok, "This License ", 400, 0.6));

  if (!(best < baseline)) {
    fmt::print(stderr, "char_lstm: the model did not beat character frequencies ({:.3f} >= {:.3f})\n", best, baseline);
    return 1;
  }
  if (std::fabs(again - best) > 1e-4 * std::max(1.0, best)) {
    fmt::print(stderr, "char_lstm: the reloaded checkpoint gives {:.6f}, not {:.6f}\n", again, best);
    return 1;
  }
  return 0;
}
