#include <filesystem>
#include <fstream>
#include <atomic>
#include <thread>

#include <sys/stat.h>

#include "test_util.hpp"

using namespace spool;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "spool_safetensors_test";
  fs::create_directories(dir);
  return dir / name;
}

// Temporary files a save left beside `path`.
int leftovers(const std::string& path) {
  const fs::path p(path);
  int n = 0;
  for (const auto& e : fs::directory_iterator(p.parent_path()))
    n += e.path().filename().string().starts_with(p.filename().string() + ".tmp");
  return n;
}

std::string header_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}
}  // namespace

TEST_CASE("safetensors: round trip of every dtype, with metadata") {
  manual_seed(1);
  NamedTensors in{{"w", randn({3, 4})},
                  {"d", randn({2}, kFloat64)},
                  {"i", tensor(std::vector<int64_t>{1, -2, 3})},
                  {"m", tensor(std::vector<bool>{true, false})},
                  {"s", scalar_tensor(4.5)},
                  {"t", randn({4, 3}).t()}};  // non-contiguous: saved in logical order
  const auto path = scratch("round_trip.safetensors").string();
  save_safetensors(path, in, {{"note", "hello"}});
  std::map<std::string, std::string> meta;
  auto out = load_safetensors(path, &meta);
  CHECK(meta.at("note") == "hello");
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    CHECK(out[i].first == in[i].first);
    CHECK(out[i].second.dtype() == in[i].second.dtype());
    CHECK(out[i].second.sizes() == in[i].second.sizes());
    CHECK(out[i].second.to_vector<double>() == in[i].second.to_vector<double>());
  }
  CHECK(leftovers(path) == 0);
}

TEST_CASE("safetensors: a failed save leaves the previous file intact") {
  const auto path = scratch("keep.safetensors");
  save_safetensors(path.string(), {{"a", ones({2})}});
  // Saving over a directory's path fails at the rename; the old file is untouched.
  const auto dir_path = scratch("a_directory");
  fs::create_directories(dir_path / "inner");
  CHECK_THROWS_AS(save_safetensors(dir_path.string(), {{"a", zeros({2})}}), Error);
  CHECK(load_safetensors(path.string())[0].second.to_vector<float>() == std::vector<float>{1, 1});
  CHECK_THROWS_WITH_AS(save_safetensors((scratch("missing_dir") / "x" / "f").string(), {{"a", zeros({1})}}),
                       doctest::Contains("cannot create"), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(path.string(), {{"a", zeros({1})}, {"a", zeros({1})}}),
                       doctest::Contains("appears twice"), Error);
}

TEST_CASE("safetensors: truncated and corrupted files are clear errors") {
  const std::string good_header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string data(8, '\0');
  CHECK_NOTHROW(parse_safetensors(header_file(good_header, data)));
  CHECK_THROWS_WITH_AS(parse_safetensors("abc"), doctest::Contains("too short"), Error);
  CHECK_THROWS_WITH_AS(parse_safetensors(header_file(good_header, data).substr(0, 20)),
                       doctest::Contains("does not fit"), Error);
  CHECK_THROWS_WITH_AS(parse_safetensors(header_file(good_header, data.substr(0, 5))),
                       doctest::Contains("outside the 5 data bytes"), Error);
  CHECK_THROWS_WITH_AS(parse_safetensors(header_file("{not json", data)), doctest::Contains("not valid JSON"), Error);
  CHECK_THROWS_WITH_AS(parse_safetensors(header_file("[1,2]", data)), doctest::Contains("JSON object"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", data)),
      doctest::Contains("unsupported dtype"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data)),
      doctest::Contains("8 bytes for shape [3]"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data)),
      doctest::Contains("invalid shape"), Error);
  CHECK_THROWS_WITH_AS(parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[2]}})", data)),
                       doctest::Contains("needs dtype, shape and data_offsets"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(
          R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
          data)),
      doctest::Contains("overlap"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x07", 2))),
      doctest::Contains("not 0 or 1"), Error);
  // A shape whose element count wraps to 0 in 64 bits is refused before use.
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[549755813887,549755813887,64],"data_offsets":[0,0]}})", "")),
      doctest::Contains("too large"), Error);
  CHECK_THROWS_WITH_AS(load_safetensors(scratch("nope.safetensors").string()), doctest::Contains("cannot open"), Error);
}

TEST_CASE("safetensors: a header nested 100,000 deep is an error, not a stack overflow") {
  // Parsing is iterative; the error message once printed the value by a recursive dump().
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":)" + deep + R"(,"data_offsets":[0,0]}})", "")),
      doctest::Contains("invalid shape (an array of 1 values)"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":)" + deep + R"(,"shape":[],"data_offsets":[0,0]}})", "")),
      doctest::Contains("unsupported dtype (an array of 1 values)"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[],"data_offsets":)" + deep + "}}", "")),
      doctest::Contains("invalid data_offsets"), Error);
}

TEST_CASE("safetensors: duplicate names, gaps and trailing bytes are refused, as the reference does") {
  const std::string data(8, '\0');
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(
          R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
          data)),
      doctest::Contains("names \"a\" twice"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(
          R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}})",
          data)),
      doctest::Contains("bytes 4 to 8 of the data belong to no tensor"), Error);
  CHECK_THROWS_WITH_AS(
      parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data)),
      doctest::Contains("bytes 0 to 4"), Error);
  CHECK_THROWS_WITH_AS(parse_safetensors(header_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", data)),
                       doctest::Contains("4 bytes after the last tensor"), Error);
  // Nested keys may repeat names of other entries; empty tensors sit anywhere in the tiling.
  auto ok = parse_safetensors(header_file(
      R"({"__metadata__":{"a":"x"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
      R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
      data));
  CHECK(ok.size() == 3);
}

TEST_CASE("safetensors: concurrent saves to one path all succeed, and readers see whole files") {
  const std::string path = scratch("concurrent.safetensors").string();
  save_safetensors(path, {{"v", full({1000}, -1.0)}});
  const int rounds = spool::testing::stress_rounds(20);
  std::atomic<int> failures{0}, bad_reads{0};
  for (int r = 0; r < rounds; ++r) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        try {
          save_safetensors(path, {{"v", full({1000}, static_cast<double>(t))}});
        } catch (const Error&) {
          ++failures;
        }
      });
    threads.emplace_back([&] {
      for (int k = 0; k < 4; ++k) {
        try {
          auto v = load_safetensors(path).at(0).second.to_vector<float>();
          if (v.size() != 1000 || v.front() != v.back()) ++bad_reads;
        } catch (const Error&) {
          ++bad_reads;
        }
      }
    });
    for (auto& th : threads) th.join();
  }
  CHECK(failures.load() == 0);
  CHECK(bad_reads.load() == 0);
  const float last = load_safetensors(path).at(0).second.to_vector<float>()[0];
  CHECK((last >= 0 && last <= 3));
  CHECK(leftovers(path) == 0);
}

TEST_CASE("safetensors: a save keeps the replaced file's permissions, and a new file gets 0666 less the umask") {
  const std::string path = scratch("mode.safetensors").string();
  fs::remove(path);
  save_safetensors(path, {{"a", ones({1})}});
  const mode_t mask = ::umask(022);
  ::umask(mask);
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  save_safetensors(path, {{"a", zeros({1})}});
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(load_safetensors(path)[0].second.to_vector<float>() == std::vector<float>{0});
}
