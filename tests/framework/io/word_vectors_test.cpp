#include <filesystem>
#include <fstream>

#include "test_util.hpp"

using namespace spool;

namespace {
std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("word vectors: GloVe and word2vec text formats") {
  const std::vector<std::string> vocab{"<pad>", "the", "cat", "zebra"};
  auto glove = temp_file("spool_glove.txt", "the 0.5 -1 2\ncat 1e-1 0 3\ndog 9 9 9\n");
  manual_seed(1);
  WordVectors v = load_word_vectors(glove, vocab, /*reserved=*/1);
  CHECK(v.dim == 3);
  CHECK(v.weights.sizes() == Shape{4, 3});
  CHECK(v.weights.select(0, 0).to_vector<float>() == std::vector<float>{0, 0, 0});
  CHECK(v.weights.select(0, 1).to_vector<float>() == std::vector<float>{0.5f, -1, 2});
  CHECK(v.weights.select(0, 2).to_vector<float>() == std::vector<float>{0.1f, 0, 3});
  CHECK(v.missing == std::vector<std::string>{"zebra"});
  auto w2v = temp_file("spool_w2v.txt", "2 2\nthe 1 2\nzebra 3 4\n");
  WordVectors w = load_word_vectors(w2v, vocab);
  CHECK(w.dim == 2);
  CHECK(w.weights.select(0, 3).to_vector<float>() == std::vector<float>{3, 4});
  auto emb = nn::Embedding::from_pretrained(w.weights);
  CHECK(emb(tensor(std::vector<int64_t>{1})).reshape({-1}).to_vector<float>() == std::vector<float>{1, 2});
}

TEST_CASE("word vectors: bad files are clear errors") {
  const std::vector<std::string> vocab{"a"};
  CHECK_THROWS_WITH_AS(load_word_vectors(temp_file("spool_ragged.txt", "a 1 2\nb 1\n"), vocab),
                       doctest::Contains(":2: 1 values, expected 2"), Error);
  CHECK_THROWS_WITH_AS(load_word_vectors(temp_file("spool_nan.txt", "a 1 x2\n"), vocab),
                       doctest::Contains("\"x2\" is not a number"), Error);
  CHECK_THROWS_WITH_AS(load_word_vectors(temp_file("spool_empty.txt", ""), vocab), doctest::Contains("no vectors"),
                       Error);
  CHECK_THROWS_WITH_AS(load_word_vectors("/nonexistent/vectors.txt", vocab), doctest::Contains("cannot open"), Error);
}

TEST_CASE("word vectors: parsed from text, as load_word_vectors reads files") {
  const std::vector<std::string> vocab{"<pad>", "the", "cat"};
  const std::string text = "the 0.5 -1\r\n\ncat 2 3\n";
  manual_seed(3);
  WordVectors v = parse_word_vectors(text, vocab, /*reserved=*/1, "mine.txt");
  CHECK(v.dim == 2);
  CHECK(v.missing.empty());
  CHECK(v.weights.select(0, 0).to_vector<float>() == std::vector<float>{0, 0});
  CHECK(v.weights.select(0, 1).to_vector<float>() == std::vector<float>{0.5f, -1});
  CHECK(v.weights.select(0, 2).to_vector<float>() == std::vector<float>{2, 3});
  const auto path = temp_file("spool_parse_same.txt", text);
  CHECK(load_word_vectors(path, vocab, 1).weights.to_vector<float>() == v.weights.to_vector<float>());
  // Errors name the source and the line (blank lines count).
  CHECK_ERROR(parse_word_vectors("the 1 2\n\ncat 1\n", vocab, 0, "mine.txt"), "load_word_vectors", "mine.txt:3:",
              "1 values, expected 2");
  CHECK_ERROR(parse_word_vectors("the 1\n", vocab, 4), "reserved 4 out of range");
  // A word2vec header with no vector after it holds nothing.
  CHECK_ERROR(parse_word_vectors("3 100000000\n", vocab), "holds no vectors");
  CHECK_ERROR(parse_word_vectors("3 0\nthe 1\n", vocab), "dimension 0 in the word2vec header");
  // One-dimensional GloVe vectors of numeric words are no header: "3 0.5" is
  // the word "3" with the value 0.5.
  WordVectors numeric = parse_word_vectors("3 0.5\nthe 2\n", {"3", "the"});
  CHECK(numeric.dim == 1);
  CHECK(numeric.weights.to_vector<float>() == std::vector<float>{0.5f, 2});
}
