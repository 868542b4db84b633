#include <spool/framework/io/read_file.hpp>

#include <filesystem>
#include <fstream>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("read_file: every byte, and errors naming the path and the reason") {
  const auto path = (std::filesystem::temp_directory_path() / "spool_read_file.bin").string();
  const std::string bytes("a\0b\r\n\xff", 6);
  std::ofstream(path, std::ios::binary) << bytes;
  CHECK(read_file(path) == bytes);
  CHECK_ERROR(read_file("/nonexistent/spool.bin", "load_x"), "load_x: cannot open /nonexistent/spool.bin",
              "No such file or directory");
  const auto dir = std::filesystem::temp_directory_path().string();
  CHECK_ERROR(read_file(dir), "cannot read", dir.c_str(), "Is a directory");
  // Every reader goes through it.
  CHECK_ERROR(read_csv("/nonexistent/a.csv"), "read_csv", "No such file");
  CHECK_ERROR(read_lines("/nonexistent/a.txt"), "read_lines", "No such file");
  CHECK_ERROR(read_mo_catalog("/nonexistent/a.mo"), "read_mo_catalog", "No such file");
  CHECK_ERROR(load_safetensors("/nonexistent/a.safetensors"), "load_safetensors", "No such file");
  CHECK_ERROR(load_word_vectors("/nonexistent/a.txt", {"a"}), "load_word_vectors", "No such file");
  CHECK_ERROR(Tokenizer::load("/nonexistent/a.json"), "Tokenizer::load", "No such file");
}

TEST_CASE("split_lines: line numbers stay line numbers") {
  using V = std::vector<std::string_view>;
  CHECK(split_lines("") == V{});
  CHECK(split_lines("a\n\nb\r\nc") == V{"a", "", "b\r", "c"});
  CHECK(split_lines("a\n") == V{"a"});
  CHECK(split_lines("\n") == V{""});
}

TEST_CASE("read_lines: line ends, empty lines") {
  const auto path = (std::filesystem::temp_directory_path() / "spool_read_lines.txt").string();
  std::ofstream(path, std::ios::binary) << "one\r\n\ntwo\nthree";
  CHECK(read_lines(path) == std::vector<std::string>{"one", "two", "three"});
  CHECK(read_lines(path, /*skip_empty=*/false) == std::vector<std::string>{"one", "", "two", "three"});
}
