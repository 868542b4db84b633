#include "cli.hpp"

#include <fmt/format.h>
#include <spool/spool.hpp>

#include <iostream>

#include "data.hpp"

namespace spool::examples {

int run_example(const char* name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const DataError& e) {
    fmt::print(stderr, "{}: {}\n", name, e.what());
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", name, e.what());
    return 1;
  }
}

std::vector<std::string> inputs_or_stdin(const std::vector<std::string>& given) {
  if (!given.empty()) return given;
  std::vector<std::string> lines;
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::filesystem::path make_run_dir(const std::string& dir) {
  std::filesystem::create_directories(dir);
  return dir;
}

void save_json(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file(path.string(), value.dump(2) + "\n", "save_json");
}

nlohmann::json load_json(const std::filesystem::path& path, const std::string& written_by) {
  std::string text;
  try {
    text = read_file(path.string(), "load_json");
  } catch (const Error&) {
    throw DataError(fmt::format("no {} (train first: {} writes it)", path.string(), written_by));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("{} is not valid JSON ({}); train again: {} writes it", path.string(), e.what(),
                                written_by));
  }
}

void add_common_options(CLI::App& app, CommonOptions& o, const std::string& default_dir) {
  o.dir = default_dir;
  app.add_option("--seed", o.seed, "random seed (weights, shuffling, splits)")->capture_default_str();
  app.add_option("--threads", o.threads, "threads to train on (0: every core)")->capture_default_str();
  app.add_option("--dir", o.dir, "folder for the checkpoint and the files the example writes")
      ->capture_default_str();
  app.add_flag("--short", o.short_run, "a few steps on a slice of the data (what ctest runs)");
}

void apply_common(const CommonOptions& o) {
  manual_seed(o.seed);
  if (o.threads > 0) set_num_threads(o.threads);
}

}  // namespace spool::examples
