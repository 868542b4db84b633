// The two series of the forecasting example, read from the CSV files that
// statsmodels ships (committed in data/, see data/SOURCE): yearly sunspot
// numbers, and Mauna Loa CO2 turned from weekly values into monthly means.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace forecast {

struct Series {
  std::string name;                 // "sunspots" or "co2"
  std::string unit;                 // what y is measured in
  std::string path;                 // the file it was read from
  int64_t season = 1;               // the seasonal-naive lag: 11 years, 12 months
  std::vector<double> y;            // the values, oldest first
  std::vector<double> time;         // decimal years (1700, 1964.333 for May 1964)
  std::vector<std::string> labels;  // "1700", "1964-05"
  // The label of the step `k` steps after the last one (k >= 1).
  std::string label_after(int64_t k) const;
  double time_after(int64_t k) const;
};

// <dir>/<name>.csv, or statsmodels' own layout <dir>/<name>/<name>.csv, so
// --data may point at this example's data/ folder or at the statsmodels
// datasets folder. Missing: a DataError saying where the files come from.
std::string find_csv(const std::string& dir, const std::string& name);

// YEAR, SUNACTIVITY: consecutive years, finite values >= 0.
Series load_sunspots(const std::string& dir);
// date (YYYYMMDD), co2 (ppmv, empty for a week without data): the mean of
// each calendar month's weekly values, from the month after the last month
// with no value at all to the end, so no month is filled in.
Series load_co2(const std::string& dir);
// "sunspots" or "co2".
Series load_series(const std::string& name, const std::string& dir);

}  // namespace forecast
