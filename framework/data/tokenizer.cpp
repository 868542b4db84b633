#include "tokenizer.hpp"

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "../io/read_file.hpp"
#include "../io/write_file.hpp"

namespace spool {

namespace {

// One UTF-8 character at s[i]: its code point and byte length. A malformed
// or truncated sequence is one byte that is kept as it is (valid = false).
struct Utf8Char {
  char32_t cp = 0;
  size_t len = 1;
  bool valid = false;
};

Utf8Char decode_utf8(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return {c, 1, true};
  const size_t len = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return {};
  char32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return {};
    cp = cp << 6 | (b(i + k) & 0x3F);
  }
  const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;  // overlong forms are malformed
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, len, true};
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Unicode character data from the C.UTF-8 locale (Debian's libc-bin ships
// it); null where it is missing, and then only ASCII letters change case.
locale_t utf8_ctype() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

bool is_letter(char32_t cp) {
  const locale_t loc = utf8_ctype();
  return loc ? iswalpha_l(static_cast<wint_t>(cp), loc) != 0 : std::isalpha(static_cast<int>(cp < 0x80 ? cp : 0)) != 0;
}

// Python's str.lower(), which Keras' Tokenizer applies: each character's
// lower case, plus Unicode's two context-free special cases: U+0130 (I with
// dot) becomes "i" + U+0307, and a capital sigma that ends a word (a letter
// before it, none after) becomes the final form U+03C2. Malformed bytes are
// kept as they are.
std::string lower_utf8(const std::string& text) {
  const locale_t loc = utf8_ctype();
  std::string out;
  out.reserve(text.size());
  char32_t prev = 0;
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = decode_utf8(text, i);
    if (!c.valid) {
      out += text[i];
      prev = 0;
      i += 1;
      continue;
    }
    char32_t lower = c.cp;
    if (c.cp < 0x80) {
      lower = static_cast<char32_t>(std::tolower(static_cast<int>(c.cp)));
    } else if (loc && c.cp == 0x130) {
      append_utf8(U'i', out);
      lower = 0x307;
    } else if (loc && c.cp == 0x3A3) {
      const bool after_letter = prev && is_letter(prev);
      const bool letter_follows = i + c.len < text.size() && [&] {
        const Utf8Char next = decode_utf8(text, i + c.len);
        return next.valid && is_letter(next.cp);
      }();
      lower = after_letter && !letter_follows ? 0x3C2 : 0x3C3;
    } else if (loc) {
      lower = static_cast<char32_t>(towlower_l(static_cast<wint_t>(c.cp), loc));
    }
    append_utf8(lower, out);
    prev = c.cp;
    i += c.len;
  }
  return out;
}

}  // namespace

Tokenizer::Tokenizer(TokenizerOptions options) : o_(std::move(options)) {
  SPOOL_CHECK(!o_.num_words || *o_.num_words > 0, "Tokenizer", "num_words must be positive, got {}", *o_.num_words);
  // Filters are characters, so a UTF-8 one is matched whole.
  for (size_t i = 0; i < o_.filters.size();) {
    const Utf8Char c = decode_utf8(o_.filters, i);
    if (c.valid) filter_chars_ += c.cp;
    i += c.len;
  }
  rebuild_index();
}

std::string Tokenizer::lowered(const std::string& text) const {
  if (!o_.lower) return text;
  if (!ascii_lower_) return lower_utf8(text);
  std::string out = text;  // files of format 2 were fitted with ASCII letters lowered only
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::vector<std::string> Tokenizer::tokenize(const std::string& raw) const {
  std::vector<std::string> tokens;
  const std::string text = lowered(raw);
  if (o_.char_level) {
    // Like Keras: every character is a token, spaces and punctuation included
    // (filters only shape words); a UTF-8 character keeps its bytes together
    // (a malformed byte is a token of its own).
    for (size_t i = 0; i < text.size();) {
      std::string ch = text.substr(i, decode_utf8(text, i).len);
      i += ch.size();
      if (!o_.stop_words.count(ch)) tokens.push_back(std::move(ch));
    }
    return tokens;
  }
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = decode_utf8(text, i);
    if (c.valid && filter_chars_.find(c.cp) != std::u32string::npos) {
      clean += ' ';
    } else {
      clean.append(text, i, c.len);
    }
    i += c.len;
  }
  for (size_t i = 0; i < clean.size();) {
    while (i < clean.size() && std::isspace(static_cast<unsigned char>(clean[i]))) ++i;
    size_t j = i;
    while (j < clean.size() && !std::isspace(static_cast<unsigned char>(clean[j]))) ++j;
    if (j > i && !o_.stop_words.count(clean.substr(i, j - i))) tokens.push_back(clean.substr(i, j - i));
    i = j;
  }
  return tokens;
}

void Tokenizer::fit_on_texts(const std::vector<std::string>& texts) {
  for (const std::string& text : texts)
    for (const std::string& w : tokenize(text))
      if (counts_[w]++ == 0) first_seen_.push_back(w);
  rebuild_index();
}

void Tokenizer::rebuild_index() {
  word_index_.clear();
  index_word_ = {""};  // 0: padding
  for (const auto* special : {&o_.oov_token, &o_.start_token, &o_.end_token})
    if (*special) {
      word_index_[**special] = static_cast<int64_t>(index_word_.size());
      index_word_.push_back(**special);
    }
  reserved_ = static_cast<int64_t>(index_word_.size());
  std::vector<std::string> words;
  for (const auto& w : first_seen_)
    if (!word_index_.count(w)) words.push_back(w);
  std::stable_sort(words.begin(), words.end(),
                   [&](const std::string& a, const std::string& b) { return counts_.at(a) > counts_.at(b); });
  for (const auto& w : words) {
    word_index_[w] = static_cast<int64_t>(index_word_.size());
    index_word_.push_back(w);
  }
}

int64_t Tokenizer::vocab_size() const {
  const auto all = static_cast<int64_t>(index_word_.size());
  return o_.num_words ? std::min(all, std::max(*o_.num_words, reserved_)) : all;
}

std::vector<std::vector<int64_t>> Tokenizer::texts_to_sequences(const std::vector<std::string>& texts) const {
  std::vector<std::vector<int64_t>> out;
  const int64_t limit = vocab_size();
  for (const std::string& text : texts) {
    std::vector<int64_t> seq;
    if (o_.start_token) seq.push_back(word_index_.at(*o_.start_token));
    for (const std::string& w : tokenize(text)) {
      auto it = word_index_.find(w);
      if (it != word_index_.end() && it->second < limit) {
        seq.push_back(it->second);
      } else if (o_.oov_token) {
        seq.push_back(word_index_.at(*o_.oov_token));
      }
    }
    if (o_.end_token) seq.push_back(word_index_.at(*o_.end_token));
    out.push_back(std::move(seq));
  }
  return out;
}

std::vector<std::string> Tokenizer::sequences_to_texts(const std::vector<std::vector<int64_t>>& sequences) const {
  std::vector<std::string> out;
  const int64_t limit = vocab_size();
  for (const auto& seq : sequences) {
    std::string text;
    for (int64_t i : seq) {
      if (i <= 0 || i >= limit) {
        if (!o_.oov_token || i == 0) continue;
        i = word_index_.at(*o_.oov_token);
      }
      if (!text.empty() && !o_.char_level) text += ' ';
      text += index_word_[i];
    }
    out.push_back(std::move(text));
  }
  return out;
}

void Tokenizer::save(const std::string& path) const {
  nlohmann::json j;
  // Format 3: lower-casing covers every letter (format 2 lowered ASCII ones
  // only); format 2: char_level keeps spaces and punctuation (format 1 dropped them).
  j["format"] = ascii_lower_ ? "spool.Tokenizer/2" : "spool.Tokenizer/3";
  j["num_words"] = o_.num_words ? nlohmann::json(*o_.num_words) : nlohmann::json(nullptr);
  j["lower"] = o_.lower;
  j["char_level"] = o_.char_level;
  j["filters"] = o_.filters;
  for (auto [key, v] : {std::pair{"oov_token", &o_.oov_token}, {"start_token", &o_.start_token},
                        {"end_token", &o_.end_token}})
    j[key] = *v ? nlohmann::json(**v) : nlohmann::json(nullptr);
  j["stop_words"] = o_.stop_words;
  nlohmann::json counts = nlohmann::json::array();
  for (const auto& w : first_seen_) counts.push_back({w, counts_.at(w)});
  j["word_counts"] = counts;
  std::string text;
  try {
    text = j.dump();
  } catch (const nlohmann::json::exception& e) {  // a word that is not valid UTF-8
    detail::fail("Tokenizer::save", "cannot write {}: {}", path, e.what());
  }
  write_file(path, text, "Tokenizer::save");
}

Tokenizer Tokenizer::load(const std::string& path) { return from_json(read_file(path, "Tokenizer::load"), path); }

Tokenizer Tokenizer::from_json(const std::string& json, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
    const auto format = j.at("format");
    SPOOL_CHECK(format == "spool.Tokenizer/3" || format == "spool.Tokenizer/2" || format == "spool.Tokenizer/1",
                "Tokenizer::load", "{} is not a spool tokenizer file", source);
    TokenizerOptions o;
    if (!j.at("num_words").is_null()) o.num_words = j["num_words"].get<int64_t>();
    o.lower = j.at("lower").get<bool>();
    o.char_level = j.at("char_level").get<bool>();
    SPOOL_CHECK(!(o.char_level && format == "spool.Tokenizer/1"), "Tokenizer::load",
                "{} is a character tokenizer saved by an older spool, whose characters left out spaces and "
                "punctuation; fit it again on the texts", source);
    o.filters = j.at("filters").get<std::string>();
    for (auto [key, v] : {std::pair{"oov_token", &o.oov_token}, {"start_token", &o.start_token},
                          {"end_token", &o.end_token}})
      if (!j.at(key).is_null()) *v = j[key].get<std::string>();
    o.stop_words = j.at("stop_words").get<std::set<std::string>>();
    Tokenizer t(o);
    // Its words were fitted with ASCII letters lowered only: texts keep being
    // tokenized that way, so they still find them (and it saves as format 2).
    t.ascii_lower_ = format != "spool.Tokenizer/3";
    for (const auto& entry : j.at("word_counts")) {
      const auto w = entry.at(0).get<std::string>();
      const auto c = entry.at(1).get<int64_t>();
      SPOOL_CHECK(c > 0 && !t.counts_.count(w), "Tokenizer::load", "bad count entry for \"{}\" in {}", w, source);
      t.counts_[w] = c;
      t.first_seen_.push_back(w);
    }
    t.rebuild_index();
    return t;
  } catch (const nlohmann::json::exception& e) {
    detail::fail("Tokenizer::load", "{} is not a valid tokenizer file: {}", source, e.what());
  }
}

Tensor keras::pad_sequences(const std::vector<std::vector<int64_t>>& seqs, std::optional<int64_t> maxlen,
                            const std::string& padding, const std::string& truncating, int64_t value) {
  SPOOL_CHECK(padding == "pre" || padding == "post", "keras::pad_sequences", "padding must be pre or post, got {}",
              padding);
  SPOOL_CHECK(truncating == "pre" || truncating == "post", "keras::pad_sequences",
              "truncating must be pre or post, got {}", truncating);
  int64_t len = 0;
  for (const auto& s : seqs) len = std::max<int64_t>(len, static_cast<int64_t>(s.size()));
  if (maxlen) {
    SPOOL_CHECK(*maxlen >= 0, "keras::pad_sequences", "maxlen must be >= 0, got {}", *maxlen);
    len = *maxlen;
  }
  const auto n = static_cast<int64_t>(seqs.size());
  Tensor out = full({n, len}, static_cast<double>(value), kInt64);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& s = seqs[i];
    const int64_t size = static_cast<int64_t>(s.size()), keep = std::min(size, len);
    const int64_t from = truncating == "pre" ? size - keep : 0;
    const int64_t to = padding == "pre" ? len - keep : 0;
    for (int64_t k = 0; k < keep; ++k) o[i * len + to + k] = s[from + k];
  }
  return out;
}

Tensor keras::sequence_lengths(const Tensor& padded, int64_t value) {
  const char* op = "keras::sequence_lengths";
  SPOOL_CHECK(padded.dtype() == kInt64 && padded.dim() == 2, op, "expects an int64 [N, T] batch, got {} of shape {}",
              dtype_name(padded.dtype()), padded.sizes());
  const int64_t n = padded.size(0), len = padded.size(1);
  const std::vector<int64_t> v = padded.to_vector<int64_t>();
  std::vector<int64_t> lengths(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t* row = v.data() + i * len;
    int64_t end = len;
    while (end > 0 && row[end - 1] == value) --end;
    for (int64_t t = 0; t < end; ++t)
      SPOOL_CHECK(row[t] != value, op,
                  "row {} has padding ({}) at step {} before its last token at step {}: it is padded at the front "
                  "(pad_sequences' default \"pre\"); pad with \"post\" to use lengths",
                  i, value, t, end - 1);
    lengths[i] = end;
  }
  return tensor(lengths, {n});
}

}  // namespace spool
