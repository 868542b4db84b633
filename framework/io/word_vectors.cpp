#include "word_vectors.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "../core/autograd.hpp"
#include "../core/random.hpp"

namespace spool {

namespace {
std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}
}  // namespace

WordVectors load_word_vectors(const std::string& path, const std::vector<std::string>& vocab, int64_t reserved) {
  const char* op = "load_word_vectors";
  std::ifstream in(path);
  SPOOL_CHECK(in.good(), op, "cannot open {}", path);
  SPOOL_CHECK(reserved >= 0 && reserved <= static_cast<int64_t>(vocab.size()), op,
              "reserved {} out of range for a vocabulary of {}", reserved, vocab.size());
  std::unordered_map<std::string, int64_t> wanted;
  for (size_t i = reserved; i < vocab.size(); ++i) wanted.emplace(vocab[i], static_cast<int64_t>(i));

  WordVectors out;
  std::vector<std::vector<float>> rows(vocab.size());
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto fields = split_spaces(line);
    if (fields.empty()) continue;
    if (line_no == 1 && fields.size() == 2) {  // word2vec header "count dim"
      int64_t count = 0, dim = 0;
      auto r1 = std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), count);
      auto r2 = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), dim);
      if (r1.ec == std::errc() && r2.ec == std::errc()) {
        SPOOL_CHECK(dim > 0, op, "{}:1: dimension {} in the word2vec header", path, dim);
        out.dim = dim;
        continue;
      }
    }
    const int64_t dim = static_cast<int64_t>(fields.size()) - 1;
    SPOOL_CHECK(dim > 0, op, "{}:{}: a word without values", path, line_no);
    if (out.dim == 0) out.dim = dim;
    SPOOL_CHECK(dim == out.dim, op, "{}:{}: {} values, expected {}", path, line_no, dim, out.dim);
    auto it = wanted.find(std::string(fields[0]));
    if (it == wanted.end()) continue;
    std::vector<float> v(dim);
    for (int64_t k = 0; k < dim; ++k) {
      // strtof accepts what GloVe writes (e.g. "1e-05", "-0.5").
      std::string field(fields[k + 1]);
      char* end = nullptr;
      v[k] = std::strtof(field.c_str(), &end);
      SPOOL_CHECK(end && *end == '\0', op, "{}:{}: \"{}\" is not a number", path, line_no, field);
    }
    rows[it->second] = std::move(v);
  }
  SPOOL_CHECK(out.dim > 0, op, "{} holds no vectors", path);
  NoGradGuard no_grad;
  out.weights = randn({static_cast<int64_t>(vocab.size()), out.dim});
  float* w = out.weights.data_ptr<float>();
  for (size_t i = 0; i < vocab.size(); ++i) {
    if (static_cast<int64_t>(i) < reserved) {
      std::fill(w + i * out.dim, w + (i + 1) * out.dim, 0.0f);
    } else if (!rows[i].empty()) {
      std::copy(rows[i].begin(), rows[i].end(), w + i * out.dim);
    } else {
      out.missing.push_back(vocab[i]);
    }
  }
  return out;
}

}  // namespace spool
