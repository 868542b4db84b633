// What every example's command line shares: main() runs the example and
// turns its exceptions into one message and an exit status; a predict /
// generate / translate mode reads its inputs from the command line or, when
// none are given, one per line from standard input; the run folder holds the
// checkpoint, its configuration and the images an example writes.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace spool::examples {

// Calls body() and returns its status. A DataError prints
// "<name>: <message>" and returns 3; any other exception prints the same
// and returns 1. CLI11's parse errors are handled inside body by CLI11_PARSE.
int run_example(const char* name, const std::function<int()>& body);

// `given` when it is not empty, else the non-empty lines of standard input.
std::vector<std::string> inputs_or_stdin(const std::vector<std::string>& given);

// Creates the folder (and its parents) and returns it.
std::filesystem::path make_run_dir(const std::string& dir);

// A JSON file beside a checkpoint (vocabulary sizes, options), written
// atomically; load_json throws DataError naming the file when it is missing
// or not JSON, and says which command writes it.
void save_json(const std::filesystem::path& path, const nlohmann::json& value);
nlohmann::json load_json(const std::filesystem::path& path, const std::string& written_by);

// Options every training mode has: --seed, --threads (0: all cores) and --short
// (a few steps on a slice of the data, for tests). apply_common sets the seed
// and the thread count.
struct CommonOptions {
  uint64_t seed = 0;
  int threads = 0;
  bool short_run = false;
  std::string dir;
};
void add_common_options(CLI::App& app, CommonOptions& o, const std::string& default_dir);
void apply_common(const CommonOptions& o);

}  // namespace spool::examples
