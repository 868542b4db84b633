// Reading CSV files and plain-text corpora, validated with clear errors.
//   auto table = spool::read_csv("prices.csv");
//   Tensor close = table.numeric_column("close");   // float64 [rows]
#pragma once

#include <string>
#include <vector>

#include "../core/tensor.hpp"

namespace spool {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Index of a column by name; throws naming the available columns.
  size_t column_index(const std::string& name) const;
  std::vector<std::string> column(const std::string& name) const;
  // The column as numbers; a cell that is not a number is an error naming it.
  Tensor numeric_column(const std::string& name, ScalarType dtype = kFloat64) const;
};

// RFC 4180 quoting ("a, b" and "" for a quote). Every row must have as
// many fields as the header (or the first row when header is false; columns
// are then named "0", "1", ...).
CsvTable read_csv(const std::string& path, bool header = true, char delimiter = ',');
CsvTable parse_csv(const std::string& text, bool header = true, char delimiter = ',', const std::string& source = "csv");

// The lines of a text file (without line ends), e.g. one sentence per line.
std::vector<std::string> read_lines(const std::string& path, bool skip_empty = true);

}  // namespace spool
