// The whole of a file as bytes. Every reader goes through it, then parses in
// memory: the parse functions are what tools/fuzz feeds arbitrary bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spool {

// Throws spool::Error "<op>: cannot open <path>: <reason>" (the system's
// errno text: no such file, permission denied, is a directory...).
std::string read_file(const std::string& path, const char* op = "read_file");

// The lines of a text, split at '\n' (a '\r' before it is kept), empty lines
// included so that index + 1 is the line number; no line after a final '\n'.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace spool
