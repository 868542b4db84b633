#include "data.hpp"

#include <spool/spool.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "common/data.hpp"

namespace forecast {

using spool::examples::DataError;

namespace {

constexpr const char* kStatsmodelsDir = "/usr/lib/python3/dist-packages/statsmodels/datasets";

// The CSV table, or a DataError naming the file and what is wrong with it.
spool::CsvTable read_table(const std::string& path, const std::vector<std::string>& columns) {
  spool::CsvTable t;
  try {
    t = spool::read_csv(path);
    for (const std::string& c : columns) t.column_index(c);
  } catch (const spool::Error& e) {
    throw DataError(fmt::format("{} is malformed ({}); restore it from examples/forecast/data", path, e.what()));
  }
  return t;
}

// A cell as a finite number (an empty cell only when allow_empty: NaN).
double number(const std::string& path, size_t row, const std::string& column, const std::string& cell,
              bool allow_empty = false) {
  if (cell.empty() && allow_empty) return NAN;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (cell.empty() || *end != '\0' || !std::isfinite(v))
    throw DataError(fmt::format("{} is malformed (row {}, column \"{}\": \"{}\" is not a finite number); restore it "
                                "from examples/forecast/data",
                                path, row + 1, column, cell));
  return v;
}

std::string month_label(int64_t year, int64_t month) { return fmt::format("{}-{:02d}", year, month); }

}  // namespace

std::string Series::label_after(int64_t k) const {
  if (name == "sunspots") return std::to_string(std::lround(time.back()) + k);
  const int64_t m = std::lround(time.back() * 12) + k;  // months since year 0
  return month_label(m / 12, m % 12 + 1);
}

double Series::time_after(int64_t k) const { return time.back() + double(k) / (name == "sunspots" ? 1 : 12); }

std::string find_csv(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  for (const fs::path p : {fs::path(dir) / (name + ".csv"), fs::path(dir) / name / (name + ".csv")})
    if (fs::is_regular_file(p)) return p.string();
  throw DataError(fmt::format(
      "{}.csv not found in {} (nor in {}/{}/): pass --data the folder holding sunspots.csv and co2.csv, "
      "examples/forecast/data in spool's sources, or install Debian's python3-statsmodels and pass --data {}",
      name, dir, dir, name, kStatsmodelsDir));
}

Series load_sunspots(const std::string& dir) {
  Series s{.name = "sunspots", .unit = "sunspot number", .path = find_csv(dir, "sunspots"), .season = 11};
  const spool::CsvTable t = read_table(s.path, {"YEAR", "SUNACTIVITY"});
  const size_t year_col = t.column_index("YEAR"), value_col = t.column_index("SUNACTIVITY");
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const double year = number(s.path, r, "YEAR", t.rows[r][year_col]);
    const double v = number(s.path, r, "SUNACTIVITY", t.rows[r][value_col]);
    if (year != std::floor(year) || (r > 0 && year != s.time.back() + 1))
      throw DataError(fmt::format("{} is malformed (row {}: year {} does not follow {})", s.path, r + 1,
                                  t.rows[r][year_col], r > 0 ? s.labels.back() : "nothing"));
    if (v < 0) throw DataError(fmt::format("{} is malformed (row {}: a negative sunspot number {})", s.path, r + 1, v));
    s.y.push_back(v);
    s.time.push_back(year);
    s.labels.push_back(std::to_string(std::lround(year)));
  }
  if (s.y.size() < 100)
    throw DataError(fmt::format("{} holds {} years; the example needs at least 100", s.path, s.y.size()));
  return s;
}

Series load_co2(const std::string& dir) {
  Series s{.name = "co2", .unit = "CO2 ppmv", .path = find_csv(dir, "co2"), .season = 12};
  const spool::CsvTable t = read_table(s.path, {"date", "co2"});
  const size_t date_col = t.column_index("date"), value_col = t.column_index("co2");
  // Sum and count of the weekly values per month (months since year 0);
  // a month with weeks but no values keeps count 0.
  std::map<int64_t, std::pair<double, int>> months;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string& date = t.rows[r][date_col];
    const double v = number(s.path, r, "co2", t.rows[r][value_col], /*allow_empty=*/true);
    char* end = nullptr;
    const long d = std::strtol(date.c_str(), &end, 10);
    const int64_t year = d / 10000, month = d / 100 % 100, day = d % 100;
    if (date.size() != 8 || *end != '\0' || month < 1 || month > 12 || day < 1 || day > 31)
      throw DataError(fmt::format("{} is malformed (row {}: date \"{}\" is not YYYYMMDD)", s.path, r + 1, date));
    const int64_t key = year * 12 + month - 1;
    if (!months.empty() && key < months.rbegin()->first)
      throw DataError(fmt::format("{} is malformed (row {}: date {} is out of order)", s.path, r + 1, date));
    auto& [sum, count] = months[key];
    if (!std::isnan(v)) {
      if (v <= 0) throw DataError(fmt::format("{} is malformed (row {}: CO2 {} ppmv)", s.path, r + 1, v));
      sum += v;
      ++count;
    }
  }
  // Start after the last month without a value (a month without any week
  // in the file counts as one too).
  int64_t first = months.empty() ? 0 : months.begin()->first;
  for (int64_t m = first; !months.empty() && m <= months.rbegin()->first; ++m)
    if (!months.contains(m) || months[m].second == 0) first = m + 1;
  for (auto it = months.lower_bound(first); it != months.end(); ++it) {
    s.y.push_back(it->second.first / it->second.second);
    s.time.push_back(double(it->first) / 12);
    s.labels.push_back(month_label(it->first / 12, it->first % 12 + 1));
  }
  if (s.y.size() < 120)
    throw DataError(fmt::format("{} gives {} months without a gap at its end; the example needs at least 120", s.path,
                                s.y.size()));
  return s;
}

Series load_series(const std::string& name, const std::string& dir) {
  return name == "sunspots" ? load_sunspots(dir) : load_co2(dir);
}

}  // namespace forecast
