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

TEST_CASE("tokenizer: from_json reads what save writes, errors name the source") {
  Tokenizer tok;
  tok.fit_on_texts({"a b b", "c"});
  const auto path = (std::filesystem::temp_directory_path() / "spool_tokenizer_json.json").string();
  tok.save(path);
  std::ifstream in(path);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(Tokenizer::from_json(json).word_index() == tok.word_index());
  CHECK_ERROR(Tokenizer::from_json("{\"format\": 1}", "mine.json"), "Tokenizer::load", "mine.json",
              "not a spool tokenizer file");
  CHECK_ERROR(Tokenizer::from_json("[1, 2"), "tokenizer json is not a valid tokenizer file");
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
  // Saved and loaded (format 3); a character tokenizer of format 1 tokenized
  // without spaces and punctuation, so loading one is an error, not a silent change.
  const auto path = (std::filesystem::temp_directory_path() / "spool_char_tokenizer.json").string();
  text.save(path);
  CHECK(Tokenizer::load(path).texts_to_sequences({"be, to"}) == text.texts_to_sequences({"be, to"}));
  std::string saved;
  {
    std::ifstream in(path);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = saved.find("spool.Tokenizer/3");
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

TEST_CASE("tokenizer: lower-casing as Python's str.lower(), UTF-8 filters, malformed bytes kept") {
  // Expected tokens are Python's "...".lower() of the same text: every
  // letter, I with dot to "i" + U+0307, a word-final capital sigma to the
  // final form.
  TokenizerOptions o;
  o.filters += "\u00AB\u00BB";  // « and »: one character each, not their bytes
  Tokenizer tok(o);
  CHECK(tok.tokenize("\u00C9COLE Stra\u00DFe \u039F\u0394\u039F\u03A3 \u03A3\u039F\u03A6\u0399\u0391 "
                     "\u0130STANBUL \u039A\u0391\u039B\u039F\u03A3, \u00C0B\u00ABC\u00BB \u0132SSEL") ==
        std::vector<std::string>{"\u00E9cole", "stra\u00DFe", "\u03BF\u03B4\u03BF\u03C2",
                                 "\u03C3\u03BF\u03C6\u03B9\u03B1", "i\u0307stanbul",
                                 "\u03BA\u03B1\u03BB\u03BF\u03C2", "\u00E0b", "c", "\u0133ssel"});
  // A lone sigma is not word-final (no letter before it); malformed UTF-8
  // (a stray continuation byte, a truncated sequence, a lead byte no UTF-8
  // character has: read as a 3-byte lead, F8 83 80 came out as E8 83 80)
  // passes through unchanged.
  CHECK(tok.tokenize("\u03A3 A\x80" "B \xC3 \xF8\x83\x80") ==
        std::vector<std::string>{"\u03C3", "a\x80" "b", "\xC3", "\xF8\x83\x80"});
  TokenizerOptions keep;
  keep.lower = false;
  CHECK(Tokenizer(keep).tokenize("\u00C9COLE") == std::vector<std::string>{"\u00C9COLE"});
  TokenizerOptions chars;
  chars.char_level = true;
  // Characters are lowered in their text, as Keras lowers the whole text first: a word-final sigma.
  CHECK(Tokenizer(chars).tokenize("\u00C9\u03A3") == std::vector<std::string>{"\u00E9", "\u03C2"});

  // A tokenizer saved in format 2 was fitted with ASCII letters lowered only:
  // it keeps tokenizing that way, so its words are still found, and saves as
  // format 2 again. A new save is format 3.
  tok.fit_on_texts({"\u00C9COLE"});
  const auto path = (std::filesystem::temp_directory_path() / "spool_unicode_tokenizer.json").string();
  tok.save(path);
  std::string saved;
  {
    std::ifstream in(path);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = saved.find("spool.Tokenizer/3");
  REQUIRE(at != std::string::npos);
  CHECK(Tokenizer::load(path).tokenize("\u00C9COLE") == std::vector<std::string>{"\u00E9cole"});
  saved.replace(at, 17, "spool.Tokenizer/2");
  std::ofstream(path) << saved;
  Tokenizer old = Tokenizer::load(path);
  CHECK(old.tokenize("\u00C9COLE") == std::vector<std::string>{"\u00C9cole"});
  old.save(path);
  {
    std::ifstream in(path);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  CHECK(saved.find("spool.Tokenizer/2") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("keras::pad_sequences: pre and post padding and truncation") {
  std::vector<std::vector<int64_t>> s{{1, 2, 3}, {4}, {}};
  CHECK(keras::pad_sequences(s).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3, 0, 0, 4, 0, 0, 0});
  CHECK(keras::pad_sequences(s, 2, "post", "post", -1).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 4, -1, -1, -1});
  CHECK(keras::pad_sequences(s, 2, "pre", "pre").to_vector<int64_t>() == std::vector<int64_t>{2, 3, 0, 4, 0, 0});
  CHECK(keras::pad_sequences(s, 4).sizes() == Shape{3, 4});
  CHECK(keras::pad_sequences({}, 3).sizes() == Shape{0, 3});
  CHECK_THROWS_AS(keras::pad_sequences(s, 2, "middle"), Error);
}

TEST_CASE("keras::sequence_lengths: lengths of a post-padded batch, and front padding is refused") {
  const std::vector<std::vector<int64_t>> s{{5, 6, 7}, {8}, {9, 0, 4}};  // a 0 inside a row is padding too
  const Tensor post = keras::pad_sequences({{5, 6, 7}, {8}}, std::nullopt, "post");
  CHECK(keras::sequence_lengths(post).to_vector<int64_t>() == std::vector<int64_t>{3, 1});
  CHECK(keras::sequence_lengths(keras::pad_sequences({{5}, {}}, 3, "post", "pre", -1), -1).to_vector<int64_t>() ==
        std::vector<int64_t>{1, 0});
  // pad_sequences' default pads at the front: its lengths would read the padding.
  CHECK_ERROR(keras::sequence_lengths(keras::pad_sequences({{5, 6, 7}, {8}})), "keras::sequence_lengths", "row 1",
              "padded at the front", "\"post\"");
  CHECK_ERROR(keras::sequence_lengths(keras::pad_sequences(s, std::nullopt, "post")), "row 2", "step 1");
  CHECK_ERROR(keras::sequence_lengths(zeros({2, 3})), "keras::sequence_lengths", "int64", "[2, 3]");
}

TEST_CASE("tokenizer: saving a word that is not valid UTF-8 is a spool::Error") {
  Tokenizer tok;
  tok.fit_on_texts({std::string("ok \xff\xfe bad")});
  const auto path = (std::filesystem::temp_directory_path() / "spool_tokenizer_bad_utf8.json").string();
  CHECK_ERROR(tok.save(path), "Tokenizer::save", "cannot write", "spool_tokenizer_bad_utf8.json");
}
