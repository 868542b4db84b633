#include <filesystem>
#include <fstream>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("tokenizer: fit, sequences and back, Keras conventions") {
  TokenizerOptions o;
  o.oov_token = "<unk>";
  o.num_words = 5;  // indices 0..4: padding, <unk>, and the three most frequent words
  Tokenizer tok(o);
  tok.fit_on_texts({"The cat sat.", "The dog sat!", "the cat, the end"});
  CHECK(tok.word_index().at("<unk>") == 1);
  CHECK(tok.word_index().at("the") == 2);  // 4 times
  CHECK(tok.word_index().at("cat") == 3);  // 2 times, seen before "sat"
  CHECK(tok.word_index().at("sat") == 4);
  CHECK(tok.word_index().at("dog") == 5);
  CHECK(tok.word_counts().at("the") == 4);
  CHECK(tok.vocab_size() == 5);
  auto seqs = tok.texts_to_sequences({"the dog sat", "", "zebra"});
  CHECK(seqs[0] == std::vector<int64_t>{2, 1, 4});  // dog is past num_words: OOV
  CHECK(seqs[1].empty());
  CHECK(seqs[2] == std::vector<int64_t>{1});  // all-OOV
  CHECK(tok.sequences_to_texts({{2, 3, 0, 4}}) == std::vector<std::string>{"the cat sat"});

  const auto path = (std::filesystem::temp_directory_path() / "spool_tokenizer.json").string();
  tok.save(path);
  Tokenizer back = Tokenizer::load(path);
  CHECK(back.word_index() == tok.word_index());
  CHECK(back.texts_to_sequences({"the dog sat"})[0] == seqs[0]);
}

TEST_CASE("tokenizer: characters, stop words, start and end tokens") {
  TokenizerOptions o;
  o.char_level = true;
  o.start_token = "<s>";
  o.end_token = "</s>";
  Tokenizer chars(o);
  chars.fit_on_texts({"abba"});
  CHECK(chars.word_index().at("<s>") == 1);
  CHECK(chars.word_index().at("</s>") == 2);
  CHECK(chars.texts_to_sequences({"ab"})[0] == std::vector<int64_t>{1, 3, 4, 2});
  // As Keras: spaces and punctuation are characters too; a UTF-8 character is one token.
  TokenizerOptions raw;
  raw.char_level = true;
  Tokenizer text(raw);
  CHECK(text.tokenize("Hé, a!") == std::vector<std::string>{"h", "é", ",", " ", "a", "!"});
  text.fit_on_texts({"to be, or not to be"});
  CHECK(text.sequences_to_texts(text.texts_to_sequences({"be not, to"}))[0] == "be not, to");
  // Saved and loaded (format 2); a character tokenizer of format 1 tokenized
  // without spaces and punctuation, so loading one is an error, not a silent change.
  const auto path = (std::filesystem::temp_directory_path() / "spool_char_tokenizer.json").string();
  text.save(path);
  CHECK(Tokenizer::load(path).texts_to_sequences({"be, to"}) == text.texts_to_sequences({"be, to"}));
  std::string saved;
  {
    std::ifstream in(path);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = saved.find("spool.Tokenizer/2");
  REQUIRE(at != std::string::npos);
  saved.replace(at, 17, "spool.Tokenizer/1");
  std::ofstream(path) << saved;
  CHECK_ERROR(Tokenizer::load(path), "Tokenizer::load", "older spool", "fit it again");
  std::filesystem::remove(path);
  TokenizerOptions w;
  w.stop_words = {"a", "the"};
  Tokenizer words(w);
  CHECK(words.tokenize("A cat on THE mat") == std::vector<std::string>{"cat", "on", "mat"});
  CHECK_THROWS_AS(Tokenizer::load("/nonexistent/tok.json"), Error);
}

TEST_CASE("pad_sequences: pre and post padding and truncation") {
  std::vector<std::vector<int64_t>> s{{1, 2, 3}, {4}, {}};
  CHECK(pad_sequences(s).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3, 0, 0, 4, 0, 0, 0});
  CHECK(pad_sequences(s, 2, "post", "post", -1).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 4, -1, -1, -1});
  CHECK(pad_sequences(s, 2, "pre", "pre").to_vector<int64_t>() == std::vector<int64_t>{2, 3, 0, 4, 0, 0});
  CHECK(pad_sequences(s, 4).sizes() == Shape{3, 4});
  CHECK(pad_sequences({}, 3).sizes() == Shape{0, 3});
  CHECK_THROWS_AS(pad_sequences(s, 2, "middle"), Error);
}
