// SmallFunction (the backward closure holder): closures inline and pooled,
// moves, and release of what they captured.
#include <array>
#include <memory>

#include "test_util.hpp"

using spool::SmallFunction;

TEST_CASE("small function: inline and pooled closures call, move and release their captures") {
  auto token = std::make_shared<int>(7);
  std::array<double, 32> big{};  // 256 bytes: too large to sit inline
  big[31] = 0.5;
  {
    SmallFunction<int(int)> small = [token](int x) { return x + *token; };
    SmallFunction<double(int)> large = [token, big](int x) { return x * big[31] + *token; };
    CHECK(token.use_count() == 3);
    CHECK(static_cast<bool>(small));
    CHECK(small(1) == 8);
    CHECK(large(4) == 9.0);

    SmallFunction<int(int)> moved = std::move(small);
    CHECK_FALSE(static_cast<bool>(small));
    CHECK(moved(2) == 9);
    SmallFunction<double(int)> moved_large;
    moved_large = std::move(large);
    CHECK(moved_large(2) == 8.0);
    CHECK(token.use_count() == 3);  // moves neither copy nor drop the captures

    moved = nullptr;  // releases the capture now, as the engine does after backward
    CHECK_FALSE(static_cast<bool>(moved));
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("small function: a throwing closure propagates and stays callable") {
  int calls = 0;
  SmallFunction<int(int)> f = [&calls](int x) {
    ++calls;
    if (x < 0) throw std::runtime_error("negative");
    return x;
  };
  CHECK_THROWS_AS(f(-1), std::runtime_error);
  CHECK(f(3) == 3);
  CHECK(calls == 2);
}
