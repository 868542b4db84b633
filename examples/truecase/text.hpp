// The truecasing task as data: fortune quotations cut into short chunks,
// each turned into the model's input (lower-cased, punctuation removed) and
// its labels per character (is this letter upper case? which punctuation
// mark follows this character?), the character vocabulary, a Dataset that
// pads inputs and labels, and the two rule baselines.
#pragma once

#include <spool/spool.hpp>

#include <map>
#include <string>
#include <vector>

namespace truecase {

// Labels of one step. kIgnore marks steps that carry no case label
// (non-letters) and padding: cross_entropy's ignore_index, and skipped by
// the metrics.
inline constexpr int64_t kIgnore = -100;
inline constexpr int64_t kLower = 0, kUpper = 1;
// The punctuation marks restored after a character (label 0: none).
inline const std::string kMarks = ".,?!";
inline const std::vector<std::string> kCaseNames = {"lower", "Upper"};
inline const std::vector<std::string> kMarkNames = {"none", "'.'", "','", "'?'", "'!'"};

// A quotation as prose: lines joined with single spaces, the attribution
// ("-- Author" and what follows) dropped.
std::string prose(const std::string& quotation);

// `text` cut into chunks of at most max_chars: whole sentences where they
// fit, a sentence longer than that cut at spaces (a word longer than that
// is cut anywhere).
std::vector<std::string> chunks(const std::string& text, size_t max_chars);

// A chunk as the model sees it and the labels it should give.
struct Example {
  std::string original;       // as written
  std::string input;          // lower-cased; without the marks when punctuation is restored
  std::vector<int64_t> upper;  // per input character: kLower, kUpper, or kIgnore (not a letter)
  std::vector<int64_t> mark;   // per input character: 0 or 1 + index in kMarks of the mark after it
};
// With `punctuation`, the marks of kMarks are removed from the input and
// each becomes the label of the character before it (the first of a run
// such as "?!" or "..."; a mark with no character before it is dropped).
Example make_example(const std::string& original, bool punctuation);

// What a user types, as the model's input: lower-cased, whitespace
// collapsed, and (with punctuation) without the marks.
std::string normalize(const std::string& text, bool punctuation);

// The input with a letter upper-cased where upper[i] == kUpper and the mark
// mark[i] written after character i.
std::string restore(const std::string& input, const std::vector<int64_t>& upper, const std::vector<int64_t>& mark);

// Characters to ids: 0 padding, 1 a character not seen in training, then
// the training characters by frequency (ties by byte value).
class Vocabulary {
 public:
  Vocabulary() = default;
  explicit Vocabulary(const std::vector<std::string>& texts);
  static Vocabulary from_bytes(const std::vector<int>& bytes);
  std::vector<int64_t> encode(const std::string& text) const;
  int64_t size() const { return static_cast<int64_t>(bytes_.size()) + 2; }
  const std::vector<int>& bytes() const { return bytes_; }

 private:
  std::vector<int> bytes_;  // id 2 + i is bytes_[i]
  std::map<int, int64_t> ids_;
};

// Words (runs of letters) to ids, given to every character of the word:
// 0 off words (and padding), 1 a word seen fewer than min_count times in
// training, then the training words by frequency (ties alphabetical). A
// character model relearns a name from its letters at every occurrence; a
// word's own embedding lets the tagger remember it after a few.
class WordVocabulary {
 public:
  WordVocabulary() = default;
  WordVocabulary(const std::vector<std::string>& texts, int64_t min_count);
  static WordVocabulary from_words(const std::vector<std::string>& words);
  std::vector<int64_t> encode(const std::string& text) const;  // one id per character
  int64_t size() const { return static_cast<int64_t>(words_.size()) + 2; }
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;  // id 2 + i is words_[i]
  std::map<std::string, int64_t> ids_;
};

// Inputs [B, T, 2] (character id, word id) padded with 0, targets [B, T, 2]
// (case label, mark label) padded with kIgnore, lengths [B].
class TaggingDataset : public spool::Dataset {
 public:
  TaggingDataset(const std::vector<Example>& examples, const Vocabulary& vocab, const WordVocabulary& words);
  int64_t size() const override { return static_cast<int64_t>(ids_.size()); }
  int64_t length(int64_t i) const override { return static_cast<int64_t>(ids_[size_t(i)].size()); }
  spool::Batch collate(const std::vector<int64_t>& indices) const override;

 private:
  std::vector<std::vector<int64_t>> ids_, word_ids_, upper_, mark_;
};

// The baselines read the model's input: lower-cased, and without the marks
// when the model restores them too.
//
// Baseline 1 (the usual rule): upper-case the first letter of the text and
// the first letter after '.', '!' or '?' followed by a space (closing quotes
// or brackets may come between). Returns a case label per character
// (kIgnore off letters).
std::vector<int64_t> rule_case(const std::string& input);

// Baseline 2: the rule plus a truecasing dictionary: every word where the
// rule does not apply is written the way it was written most often at such
// places in training ("i" -> "I", "london" -> "London").
class CaseDictionary {
 public:
  explicit CaseDictionary(const std::vector<Example>& train);
  std::vector<int64_t> predict(const std::string& input) const;
  size_t size() const { return forms_.size(); }

 private:
  std::map<std::string, std::string> forms_;  // lower-cased word -> its most frequent written form
};

// Baseline for the marks: a full stop after the last character, nothing else.
std::vector<int64_t> rule_marks(const std::string& input);

}  // namespace truecase
