// A PyTorch-trained LSTM classifier (tools/export_torch.py) loads into the same
// spool model unchanged and gives PyTorch's logits.
#include <filesystem>

#include "fixture_util.hpp"

using namespace spool;
using namespace spool::testing;

namespace {
struct Classifier : nn::Module {
  Classifier()
      : Module("Classifier"),
        emb(register_module("emb", nn::Embedding(nn::EmbeddingOptions(12, 6).padding_idx(0)))),
        lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(6, 8).batch_first(true).bidirectional(true)))),
        out(register_module("out", nn::Linear(16, 3))) {}
  Tensor forward(const Tensor& tokens) {
    auto [output, h, c] = lstm(emb(tokens));
    return out(cat({h.select(0, 0), h.select(0, 1)}, 1));
  }
  nn::Embedding emb;
  nn::LSTM lstm;
  nn::Linear out;
};
}  // namespace

TEST_CASE("state_dict exchange: PyTorch-trained LSTM classifier gives PyTorch's logits") {
  Classifier model;
  auto result = model.load(std::string(SPOOL_FIXTURES_DIR) + "/lstm_classifier.safetensors");
  CHECK(result.missing_keys.empty());
  const json expected = load_fixture("lstm_classifier.json");
  std::vector<int64_t> tokens;
  for (auto& row : expected.at("tokens"))
    for (auto& v : row) tokens.push_back(v.get<int64_t>());
  Tensor logits = model.forward(tensor(tokens, {4, 7}));
  std::vector<double> want;
  for (auto& row : expected.at("logits"))
    for (auto& v : row) want.push_back(v.get<double>());
  check_close(logits, want, 1e-5, 1e-5);

  // And back: spool's own file loads into a fresh model with the same result.
  const auto path = (std::filesystem::temp_directory_path() / "spool_classifier.safetensors").string();
  model.save(path);
  Classifier again;
  again.load(path);
  CHECK(allclose(again.forward(tensor(tokens, {4, 7})), logits));
}
