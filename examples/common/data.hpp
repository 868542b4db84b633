// Where the examples' data come from, and the one message they print when
// the data are missing or malformed (what to install or fix), instead of a
// crash. Every corpus is a Debian package that tools/setup installs, or a
// small public-domain file committed beside the example.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace spool::examples {

// Missing or malformed data; run_example prints it and exits with status 3.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws DataError "<what> not found at <path>: install Debian's <package>
// (tools/setup installs it)" unless `path` is a readable file.
void require_file(const std::string& path, const std::string& package, const std::string& what);

// Debian's fortunes and fortunes-min put their quotation files here.
inline constexpr const char* kFortuneDir = "/usr/share/games/fortunes";

struct Quote {
  std::string text;      // the quotation, overstrikes removed, trimmed
  std::string category;  // the file it came from ("science", "food", ...)
};

// The quotations of a fortune file's text: entries separated by lines that
// are a single '%'; empty entries skipped; "x\bx" overstrike (bold and
// underline in the old files) reduced to the character it draws.
std::vector<std::string> parse_fortunes(const std::string& text);

// The quotations of <dir>/<category> for each category, in file order.
// A missing file is a DataError naming the package; a file with no
// quotations is a DataError too.
std::vector<Quote> read_fortunes(const std::vector<std::string>& categories, const std::string& dir = kFortuneDir);

}  // namespace spool::examples
