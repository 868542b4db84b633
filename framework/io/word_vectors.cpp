#include "word_vectors.hpp"

#include <charconv>
#include <string_view>
#include <unordered_map>

#include "../core/autograd.hpp"
#include "../core/random.hpp"
#include "read_file.hpp"

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

// The field is an integer and nothing else ("0.5" is not the integer 0).
bool whole_integer(std::string_view field, int64_t& value) {
  const auto r = std::from_chars(field.data(), field.data() + field.size(), value);
  return r.ec == std::errc() && r.ptr == field.data() + field.size();
}
}  // namespace

WordVectors parse_word_vectors(const std::string& text, const std::vector<std::string>& vocab, int64_t reserved,
                               const std::string& source) {
  const char* op = "load_word_vectors";
  SPOOL_CHECK(reserved >= 0 && reserved <= static_cast<int64_t>(vocab.size()), op,
              "reserved {} out of range for a vocabulary of {}", reserved, vocab.size());
  std::unordered_map<std::string, int64_t> wanted;
  for (size_t i = reserved; i < vocab.size(); ++i) wanted.emplace(vocab[i], static_cast<int64_t>(i));

  WordVectors out;
  std::vector<std::vector<float>> rows(vocab.size());
  const std::vector<std::string_view> lines = split_lines(text);
  int64_t vectors = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto line_no = static_cast<int64_t>(i + 1);
    auto fields = split_spaces(lines[i]);
    if (fields.empty()) continue;
    if (line_no == 1 && fields.size() == 2) {  // word2vec header "count dim"
      int64_t count = 0, dim = 0;
      if (whole_integer(fields[0], count) && whole_integer(fields[1], dim)) {
        SPOOL_CHECK(dim > 0, op, "{}:1: dimension {} in the word2vec header", source, dim);
        out.dim = dim;
        continue;
      }
    }
    const int64_t dim = static_cast<int64_t>(fields.size()) - 1;
    SPOOL_CHECK(dim > 0, op, "{}:{}: a word without values", source, line_no);
    if (out.dim == 0) out.dim = dim;
    SPOOL_CHECK(dim == out.dim, op, "{}:{}: {} values, expected {}", source, line_no, dim, out.dim);
    ++vectors;
    auto it = wanted.find(std::string(fields[0]));
    if (it == wanted.end()) continue;
    std::vector<float> v(dim);
    for (int64_t k = 0; k < dim; ++k) {
      // strtof accepts what GloVe writes (e.g. "1e-05", "-0.5").
      std::string field(fields[k + 1]);
      char* end = nullptr;
      v[k] = std::strtof(field.c_str(), &end);
      SPOOL_CHECK(end && *end == '\0', op, "{}:{}: \"{}\" is not a number", source, line_no, field);
    }
    rows[it->second] = std::move(v);
  }
  // A word2vec header alone gives no vectors (and its dimension is unchecked).
  SPOOL_CHECK(vectors > 0, op, "{} holds no vectors", source);
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

WordVectors load_word_vectors(const std::string& path, const std::vector<std::string>& vocab, int64_t reserved) {
  return parse_word_vectors(read_file(path, "load_word_vectors"), vocab, reserved, path);
}

}  // namespace spool
