#include <filesystem>
#include <fstream>
#include <limits>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("time series: windows, differencing and its inverse, scalers, splits") {
  Tensor s = arange(0.0, 10.0, 1.0, kFloat64);  // 0..9
  auto w = sliding_windows(s, 3, 2, 2);
  CHECK(w.inputs.sizes() == Shape{3, 3});
  CHECK(w.inputs.to_vector<double>() == std::vector<double>{0, 1, 2, 2, 3, 4, 4, 5, 6});
  CHECK(w.targets.to_vector<double>() == std::vector<double>{3, 4, 5, 6, 7, 8});
  Tensor multi = reshape(arange(0.0, 12.0, 1.0, kFloat64), {6, 2});
  CHECK(sliding_windows(multi, 2, 1).inputs.sizes() == Shape{4, 2, 2});
  CHECK_THROWS_WITH_AS(sliding_windows(s, 8, 3), doctest::Contains("shorter than one window"), Error);
  CHECK_THROWS_WITH_AS(sliding_windows(s, std::numeric_limits<int64_t>::max(), 2), doctest::Contains("shorter than one window"), Error);

  Tensor seasonal = tensor({1.0, 5.0, 2.0, 7.0, 4.0, 8.0}, {6}, kFloat64);
  Tensor d = difference(seasonal, 2);  // season of 2
  CHECK(d.to_vector<double>() == std::vector<double>{1, 2, 2, 1});
  CHECK(inverse_difference(d, narrow(seasonal, 0, 0, 2), 2).to_vector<double>() == seasonal.to_vector<double>());
  CHECK_THROWS_AS(difference(seasonal, 6), Error);

  auto [train, val, test] = time_split(s, 0.2, 0.2);
  CHECK(train.to_vector<double>() == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(val.to_vector<double>() == std::vector<double>{6, 7});
  CHECK(test.to_vector<double>() == std::vector<double>{8, 9});
  StandardScaler sc;
  sc.fit(train);  // fitted on the training split only
  CHECK(sc.mean.item<double>() == doctest::Approx(2.5));
  CHECK(sc.std.item<double>() == doctest::Approx(std::sqrt(17.5 / 6)));
  Tensor z = sc.transform(test);
  CHECK(z.at<double>({0}) == doctest::Approx((8 - 2.5) / std::sqrt(17.5 / 6)));
  spool::testing::check_close(sc.inverse_transform(z), {8, 9});
  MinMaxScaler mm(-1, 1);
  mm.fit(multi);
  spool::testing::check_close(mm.transform(multi).select(0, 0), {-1, -1});
  spool::testing::check_close(mm.transform(multi).select(0, 5), {1, 1});
  spool::testing::check_close(mm.inverse_transform(mm.transform(multi)), multi.to_vector<double>());
  CHECK_THROWS_WITH_AS(StandardScaler().transform(s), doctest::Contains("fit() first"), Error);
  CHECK_THROWS_AS(time_split(s, 0.6, 0.5), Error);
}

TEST_CASE("csv: header, quoting, columns by name, and bad files are clear errors") {
  auto t = parse_csv("date,close,note\n2024-01-01,1.5,\"a, b\"\n2024-01-02,2.25,\"say \"\"hi\"\"\"\n");
  CHECK(t.header == std::vector<std::string>{"date", "close", "note"});
  CHECK(t.rows.size() == 2);
  CHECK(t.column("note") == std::vector<std::string>{"a, b", "say \"hi\""});
  CHECK(t.numeric_column("close").to_vector<double>() == std::vector<double>{1.5, 2.25});
  CHECK_THROWS_WITH_AS(t.column("open"), doctest::Contains("no column \"open\"; columns are [date, close, note]"), Error);
  CHECK_THROWS_WITH_AS(t.numeric_column("date"), doctest::Contains("\"2024-01-01\" is not a number"), Error);
  CHECK_THROWS_WITH_AS(parse_csv("a,b\n1,2\n3\n", true, ',', "x.csv"), doctest::Contains("x.csv:3: 1 fields, expected 2"),
                       Error);
  CHECK_THROWS_WITH_AS(parse_csv("a\n\"open"), doctest::Contains("unterminated"), Error);
  CHECK_THROWS_WITH_AS(parse_csv(""), doctest::Contains("empty"), Error);
  auto headless = parse_csv("1;2\r\n3;4\r\n", false, ';');
  CHECK(headless.numeric_column("1").to_vector<double>() == std::vector<double>{2, 4});
  auto path = std::filesystem::temp_directory_path() / "spool_lines.txt";
  std::ofstream(path) << "first line\r\n\nsecond\n";
  CHECK(read_lines(path.string()) == std::vector<std::string>{"first line", "second"});
  CHECK_THROWS_AS(read_csv("/nonexistent.csv"), Error);
}
