#include <filesystem>
#include <fstream>

#include "test_util.hpp"

using namespace spool;

namespace {
std::string write_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("word vectors: GloVe and word2vec text formats") {
  const std::vector<std::string> vocab{"<pad>", "the", "cat", "zebra"};
  auto glove = write_file("spool_glove.txt", "the 0.5 -1 2\ncat 1e-1 0 3\ndog 9 9 9\n");
  manual_seed(1);
  WordVectors v = load_word_vectors(glove, vocab, /*reserved=*/1);
  CHECK(v.dim == 3);
  CHECK(v.weights.sizes() == Shape{4, 3});
  CHECK(v.weights.select(0, 0).to_vector<float>() == std::vector<float>{0, 0, 0});
  CHECK(v.weights.select(0, 1).to_vector<float>() == std::vector<float>{0.5f, -1, 2});
  CHECK(v.weights.select(0, 2).to_vector<float>() == std::vector<float>{0.1f, 0, 3});
  CHECK(v.missing == std::vector<std::string>{"zebra"});
  auto w2v = write_file("spool_w2v.txt", "2 2\nthe 1 2\nzebra 3 4\n");
  WordVectors w = load_word_vectors(w2v, vocab);
  CHECK(w.dim == 2);
  CHECK(w.weights.select(0, 3).to_vector<float>() == std::vector<float>{3, 4});
  auto emb = nn::Embedding::from_pretrained(w.weights);
  CHECK(emb(tensor(std::vector<int64_t>{1})).reshape({-1}).to_vector<float>() == std::vector<float>{1, 2});
}

TEST_CASE("word vectors: bad files are clear errors") {
  const std::vector<std::string> vocab{"a"};
  CHECK_THROWS_WITH_AS(load_word_vectors(write_file("spool_ragged.txt", "a 1 2\nb 1\n"), vocab),
                       doctest::Contains(":2: 1 values, expected 2"), Error);
  CHECK_THROWS_WITH_AS(load_word_vectors(write_file("spool_nan.txt", "a 1 x2\n"), vocab),
                       doctest::Contains("\"x2\" is not a number"), Error);
  CHECK_THROWS_WITH_AS(load_word_vectors(write_file("spool_empty.txt", ""), vocab), doctest::Contains("no vectors"),
                       Error);
  CHECK_THROWS_WITH_AS(load_word_vectors("/nonexistent/vectors.txt", vocab), doctest::Contains("cannot open"), Error);
}
