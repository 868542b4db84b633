#include <filesystem>

#include <spool/framework/io/read_file.hpp>
#include <spool/framework/io/write_file.hpp>

#include "test_util.hpp"

using namespace spool;
namespace fs = std::filesystem;

TEST_CASE("write_file: replaces a file whole, leaves no temporary file, and names the path in errors") {
  const fs::path dir = fs::temp_directory_path() / "spool_write_file_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "f.txt").string();
  write_file(path, "first version, longer");
  CHECK(read_file(path) == "first version, longer");
  write_file(path, "second");
  CHECK(read_file(path) == "second");
  write_file(path, "");
  CHECK(read_file(path).empty());
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  // A relative path works too (its directory is ".").
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  write_file("relative.txt", "r");
  fs::current_path(cwd);
  CHECK(read_file((dir / "relative.txt").string()) == "r");

  CHECK_ERROR(write_file((dir / "no_such_dir" / "f").string(), "x", "my_save"), "my_save",
              "cannot create a temporary file beside", "no_such_dir", "No such file");
  CHECK_ERROR(write_file("", "x", "my_save"), "my_save", "file name is empty");
  // Over a directory: the rename fails, nothing is left behind.
  fs::create_directories(dir / "sub" / "inner");
  CHECK_ERROR(write_file((dir / "sub").string(), "x", "my_save"), "my_save", "could not replace");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 3);
}
