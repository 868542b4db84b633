#include "text.hpp"

#include <algorithm>
#include <sstream>

namespace truecase {

using namespace spool;

namespace {

// ASCII only: the few non-ASCII bytes of the fortunes pass through as they are.
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_letter(char c) { return is_upper(c) || is_lower(c); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return is_upper(c) ? char(c - 'A' + 'a') : c; }
char to_upper(char c) { return is_lower(c) ? char(c - 'a' + 'A') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Runs of whitespace as one space, none at either end.
std::string collapse_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Does a sentence end at s[j] ('.', '!' or '?', then optionally
// closing quotes or brackets, then a space)?
bool sentence_end(const std::string& s, size_t j) {
  if (s[j] != '.' && s[j] != '!' && s[j] != '?') return false;
  size_t k = j + 1;
  while (k < s.size() && (s[k] == '"' || s[k] == '\'' || s[k] == ')')) ++k;
  return k < s.size() && s[k] == ' ';
}

// Per character of `text`: does the rule upper-case it? (kIgnore off letters.)
std::vector<int64_t> rule_on(const std::string& text) {
  std::vector<int64_t> out(text.size(), kIgnore);
  bool start = true;
  for (size_t j = 0; j < text.size(); ++j) {
    const char c = text[j];
    if (is_letter(c)) {
      out[j] = start ? kUpper : kLower;
      start = false;
    } else if (is_digit(c)) {
      start = false;
    } else if (sentence_end(text, j)) {
      start = true;
    }
  }
  return out;
}

// Calls f(begin, end) for each maximal run of letters of s.
template <typename F>
void for_each_word(const std::string& s, F f) {
  for (size_t j = 0; j < s.size();) {
    if (!is_letter(s[j])) {
      ++j;
      continue;
    }
    size_t k = j;
    while (k < s.size() && is_letter(s[k])) ++k;
    f(j, k);
    j = k;
  }
}

std::string lower_word(const std::string& s, size_t b, size_t e) {
  std::string w = s.substr(b, e - b);
  for (char& c : w) c = to_lower(c);
  return w;
}

}  // namespace

std::string prose(const std::string& quotation) {
  std::istringstream in(quotation);
  std::string joined;
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line.compare(first, 2, "--") == 0) break;  // the attribution
    joined += line;
    joined += ' ';
  }
  return collapse_spaces(joined);
}

std::vector<std::string> chunks(const std::string& text, size_t max_chars) {
  // Sentences: each ends at a sentence end (its mark kept) or at the end.
  std::vector<std::string> sentences;
  size_t begin = 0;
  for (size_t j = 0; j < text.size(); ++j) {
    if (sentence_end(text, j)) {
      size_t k = j + 1;
      while (text[k] != ' ') ++k;
      sentences.push_back(text.substr(begin, k - begin));
      begin = k + 1;
      j = k;
    }
  }
  if (begin < text.size()) sentences.push_back(text.substr(begin));

  std::vector<std::string> out;
  std::string current;
  auto add = [&](const std::string& piece) {
    if (!current.empty() && current.size() + 1 + piece.size() <= max_chars) {
      current += ' ' + piece;
    } else {
      if (!current.empty()) out.push_back(current);
      current = piece;
    }
  };
  for (const std::string& s : sentences) {
    if (s.size() <= max_chars) {
      add(s);
      continue;
    }
    // A long sentence: its words, a word longer than max_chars in pieces.
    std::istringstream words(s);
    for (std::string w; words >> w;)
      for (size_t p = 0; p < w.size(); p += max_chars) add(w.substr(p, max_chars));
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

Example make_example(const std::string& original, bool punctuation) {
  Example e;
  e.original = original;
  bool after_mark = false;
  for (size_t j = 0; j < original.size(); ++j) {
    const char c = original[j];
    const auto m = kMarks.find(c);
    if (punctuation && m != std::string::npos) {
      if (!after_mark && !e.input.empty() && e.mark.back() == 0) e.mark.back() = int64_t(m) + 1;
      after_mark = true;
      continue;
    }
    after_mark = false;
    e.input += to_lower(c);
    e.upper.push_back(is_upper(c) ? kUpper : is_lower(c) ? kLower : kIgnore);
    e.mark.push_back(0);
  }
  return e;
}

std::string normalize(const std::string& text, bool punctuation) {
  return make_example(collapse_spaces(text), punctuation).input;
}

std::string restore(const std::string& input, const std::vector<int64_t>& upper, const std::vector<int64_t>& mark) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    out += upper[i] == kUpper ? to_upper(input[i]) : input[i];
    if (mark[i] > 0) out += kMarks[size_t(mark[i] - 1)];
  }
  return out;
}

Vocabulary::Vocabulary(const std::vector<std::string>& texts) {
  std::map<int, int64_t> count;
  for (const auto& t : texts)
    for (unsigned char c : t) ++count[c];
  std::vector<std::pair<int64_t, int>> order;
  for (auto [b, n] : count) order.emplace_back(-n, b);
  std::sort(order.begin(), order.end());
  std::vector<int> bytes;
  for (auto [n, b] : order) bytes.push_back(b);
  *this = from_bytes(bytes);
}

Vocabulary Vocabulary::from_bytes(const std::vector<int>& bytes) {
  Vocabulary v;
  v.bytes_ = bytes;
  for (size_t i = 0; i < bytes.size(); ++i) v.ids_[bytes[i]] = int64_t(i) + 2;
  return v;
}

std::vector<int64_t> Vocabulary::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (unsigned char c : text) {
    auto it = ids_.find(c);
    ids.push_back(it == ids_.end() ? 1 : it->second);
  }
  return ids;
}

WordVocabulary::WordVocabulary(const std::vector<std::string>& texts, int64_t min_count) {
  std::map<std::string, int64_t> count;
  for (const auto& t : texts) for_each_word(t, [&](size_t b, size_t e) { ++count[lower_word(t, b, e)]; });
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& [w, n] : count)
    if (n >= min_count) order.emplace_back(-n, w);
  std::sort(order.begin(), order.end());
  std::vector<std::string> words;
  for (const auto& [n, w] : order) words.push_back(w);
  *this = from_words(words);
}

WordVocabulary WordVocabulary::from_words(const std::vector<std::string>& words) {
  WordVocabulary v;
  v.words_ = words;
  for (size_t i = 0; i < words.size(); ++i) v.ids_[words[i]] = int64_t(i) + 2;
  return v;
}

std::vector<int64_t> WordVocabulary::encode(const std::string& text) const {
  std::vector<int64_t> ids(text.size(), 0);
  for_each_word(text, [&](size_t b, size_t e) {
    auto it = ids_.find(lower_word(text, b, e));
    std::fill(ids.begin() + long(b), ids.begin() + long(e), it == ids_.end() ? 1 : it->second);
  });
  return ids;
}

TaggingDataset::TaggingDataset(const std::vector<Example>& examples, const Vocabulary& vocab,
                               const WordVocabulary& words) {
  for (const Example& e : examples) {
    ids_.push_back(vocab.encode(e.input));
    word_ids_.push_back(words.encode(e.input));
    upper_.push_back(e.upper);
    mark_.push_back(e.mark);
  }
}

Batch TaggingDataset::collate(const std::vector<int64_t>& indices) const {
  const auto B = static_cast<int64_t>(indices.size());
  int64_t T = 1;
  for (int64_t i : indices) T = std::max(T, length(i));
  std::vector<int64_t> input(size_t(B * T * 2), 0), target(size_t(B * T * 2), kIgnore), lengths(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    const size_t i = size_t(indices[size_t(b)]);
    lengths[size_t(b)] = static_cast<int64_t>(ids_[i].size());
    for (size_t t = 0; t < ids_[i].size(); ++t) {
      input[size_t((b * T + int64_t(t)) * 2)] = ids_[i][t];
      input[size_t((b * T + int64_t(t)) * 2 + 1)] = word_ids_[i][t];
      target[size_t((b * T + int64_t(t)) * 2)] = upper_[i][t];
      target[size_t((b * T + int64_t(t)) * 2 + 1)] = mark_[i][t];
    }
  }
  Batch batch;
  batch.input = tensor(input, {B, T, 2});
  batch.target = tensor(target, {B, T, 2});
  batch.lengths = tensor(lengths, {B});
  return batch;
}

std::vector<int64_t> rule_case(const std::string& input) { return rule_on(input); }

CaseDictionary::CaseDictionary(const std::vector<Example>& train) {
  std::map<std::string, std::map<std::string, int64_t>> counts;
  for (const Example& e : train) {
    const std::vector<int64_t> rule = rule_on(e.original);
    for_each_word(e.original, [&](size_t b, size_t end) {
      if (rule[b] == kUpper) return;  // the rule's place: says nothing about the word
      ++counts[lower_word(e.original, b, end)][e.original.substr(b, end - b)];
    });
  }
  for (const auto& [word, forms] : counts) {
    // The most frequent form; a tie keeps the lower-case one.
    std::string best = word;
    int64_t best_n = forms.count(word) ? forms.at(word) : 0;
    for (const auto& [form, n] : forms)
      if (n > best_n) best = form, best_n = n;
    if (best != word) forms_[word] = best;  // only the words not written in lower case
  }
}

std::vector<int64_t> CaseDictionary::predict(const std::string& input) const {
  std::vector<int64_t> labels = rule_on(input);
  for_each_word(input, [&](size_t b, size_t end) {
    auto it = forms_.find(lower_word(input, b, end));
    if (it == forms_.end()) return;
    for (size_t j = b; j < end; ++j)
      if (!(j == b && labels[j] == kUpper)) labels[j] = is_upper(it->second[j - b]) ? kUpper : kLower;
  });
  return labels;
}

std::vector<int64_t> rule_marks(const std::string& input) {
  std::vector<int64_t> marks(input.size(), 0);
  if (!marks.empty()) marks.back() = 1;
  return marks;
}

}  // namespace truecase
