#include <filesystem>
#include <fstream>

#include "common/cli.hpp"
#include "common/data.hpp"
#include "test_util.hpp"

using namespace spool;
using namespace spool::examples;
namespace fs = std::filesystem;

namespace {

std::string data_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("common: fortune files split at % lines, lose their overstrikes and empty entries") {
  const auto q = parse_fortunes("First line\n  second line\n%\n%\nB\bBo\bol\bld and _\bu_\bn\r\n%\n\n");
  REQUIRE(q.size() == 2);
  CHECK(q[0] == "First line\n  second line");
  CHECK(q[1] == "Bold and un");
  CHECK(parse_fortunes("").empty());
  CHECK(parse_fortunes("%\n%\n").empty());
  CHECK(parse_fortunes("no separator at all") == std::vector<std::string>{"no separator at all"});
}

TEST_CASE("common: missing or empty data is a DataError saying what to install") {
  const fs::path dir = fs::temp_directory_path() / "spool_examples_common_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string missing = data_error_of([&] { read_fortunes({"science"}, dir.string()); });
  CHECK(missing.find("science") != std::string::npos);
  CHECK(missing.find((dir / "science").string()) != std::string::npos);
  CHECK(missing.find("install Debian's fortunes") != std::string::npos);
  std::ofstream(dir / "empty") << "%\n%\n";
  CHECK(data_error_of([&] { read_fortunes({"empty"}, dir.string()); }).find("holds no quotations") !=
        std::string::npos);
  std::ofstream(dir / "two") << "a\n%\nb\n";
  const auto quotes = read_fortunes({"two"}, dir.string());
  REQUIRE(quotes.size() == 2);
  CHECK(quotes[1].text == "b");
  CHECK(quotes[1].category == "two");
  // A folder is not a file.
  CHECK(data_error_of([&] { require_file(dir.string(), "pkg", "thing"); }).find("install Debian's pkg") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("common: run files: JSON round trip, and a missing or broken file says which command writes it") {
  const fs::path dir = make_run_dir((fs::temp_directory_path() / "spool_examples_run" / "nested").string());
  save_json(dir / "config.json", {{"hidden", 64}, {"name", "x"}});
  CHECK(load_json(dir / "config.json", "demo train")["hidden"] == 64);
  CHECK(data_error_of([&] { load_json(dir / "absent.json", "demo train"); }).find("demo train writes it") !=
        std::string::npos);
  std::ofstream(dir / "bad.json") << "{not json";
  CHECK(data_error_of([&] { load_json(dir / "bad.json", "demo train"); }).find("not valid JSON") !=
        std::string::npos);
  fs::remove_all(dir.parent_path());
}

TEST_CASE("common: run_example turns a DataError into status 3 and other errors into 1") {
  CHECK(run_example("t", [] { return 0; }) == 0);
  CHECK(run_example("t", []() -> int { throw DataError("no data"); }) == 3);
  CHECK(run_example("t", []() -> int { throw std::runtime_error("boom"); }) == 1);
}
