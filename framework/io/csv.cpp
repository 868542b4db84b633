#include "csv.hpp"

#include <fmt/ranges.h>

#include <cstdlib>

#include "read_file.hpp"

namespace spool {

CsvTable parse_csv(const std::string& text, bool header, char delim, const std::string& source) {
  const char* op = "read_csv";
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, any = false;
  int64_t line = 1, record_line = 1;
  std::vector<int64_t> lines;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == delim) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      fields.push_back(std::move(field));
      field.clear();
      if (!(fields.size() == 1 && fields[0].empty())) {
        records.push_back(std::move(fields));
        lines.push_back(record_line);
      }
      fields.clear();
      any = false;
      record_line = ++line;
    } else {
      field += c;
    }
  }
  SPOOL_CHECK(!quoted, op, "{}: unterminated quoted field starting on line {}", source, record_line);
  if (any) {
    fields.push_back(std::move(field));
    records.push_back(std::move(fields));
    lines.push_back(record_line);
  }
  SPOOL_CHECK(!records.empty(), op, "{} is empty", source);
  CsvTable t;
  size_t first = 0;
  if (header) {
    t.header = records[0];
    first = 1;
  } else {
    for (size_t c = 0; c < records[0].size(); ++c) t.header.push_back(std::to_string(c));
  }
  for (size_t r = first; r < records.size(); ++r) {
    SPOOL_CHECK(records[r].size() == t.header.size(), op, "{}:{}: {} fields, expected {} like the {}", source,
                lines[r], records[r].size(), t.header.size(), header ? "header" : "first row");
    t.rows.push_back(std::move(records[r]));
  }
  return t;
}

CsvTable read_csv(const std::string& path, bool header, char delimiter) {
  return parse_csv(read_file(path, "read_csv"), header, delimiter, path);
}

size_t CsvTable::column_index(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  detail::fail("read_csv", "no column \"{}\"; columns are [{}]", name, fmt::join(header, ", "));
}

std::vector<std::string> CsvTable::column(const std::string& name) const {
  const size_t c = column_index(name);
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r[c]);
  return out;
}

Tensor CsvTable::numeric_column(const std::string& name, ScalarType dtype) const {
  const size_t c = column_index(name);
  std::vector<double> v;
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::string& cell = rows[r][c];
    char* end = nullptr;
    const double x = std::strtod(cell.c_str(), &end);
    SPOOL_CHECK(!cell.empty() && end && *end == '\0', "read_csv", "row {} of column \"{}\": \"{}\" is not a number",
                r + 1, name, cell);
    v.push_back(x);
  }
  return tensor(v, {static_cast<int64_t>(v.size())}, kFloat64).to(dtype);
}

std::vector<std::string> read_lines(const std::string& path, bool skip_empty) {
  const std::string text = read_file(path, "read_lines");
  std::vector<std::string> out;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (skip_empty && line.empty()) continue;
    out.emplace_back(line);
  }
  return out;
}

}  // namespace spool
