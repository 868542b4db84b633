#include <pty.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <functional>

#include <spool/framework/io/read_file.hpp>

#include "test_util.hpp"

using namespace spool;

namespace {

// What fn prints on standard output (redirected to a file: not a terminal).
// The file is this process's own: ctest runs each case as a process, in parallel.
std::string captured_stdout(const std::function<void()>& fn) {
  const auto path = std::filesystem::temp_directory_path() / ("spool_progress_bar_test_" + std::to_string(::getpid()) + ".txt");
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  REQUIRE(std::freopen(path.c_str(), "w", stdout) != nullptr);
  fn();
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  const std::string text = read_file(path.string());
  std::filesystem::remove(path);
  return text;
}

}  // namespace

TEST_CASE("ProgressBar: off a terminal only the summary line is printed, with the label and values") {
  const std::string out = captured_stdout([] {
    ProgressBar bar(10, "Epoch 2/5");
    CHECK_FALSE(bar.drawing());
    for (int64_t i = 1; i <= 10; ++i) bar.update(i, {{"loss", 1.0 / double(i)}});
    bar.finish({{"loss", 0.125}, {"val_loss", 0.25}});
  });
  CHECK(out.rfind("Epoch 2/5 - ", 0) == 0);
  CHECK(out.find(" - loss: 0.125 - val_loss: 0.25\n") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(out.find('\r') == std::string::npos);
}

TEST_CASE("ProgressBar: verbose = false prints nothing, and no label puts the time first") {
  CHECK(captured_stdout([] {
          ProgressBar bar(3, "quiet", false);
          bar.update(3);
          bar.finish({{"loss", 1}});
        }).empty());
  const std::string out = captured_stdout([] { ProgressBar(0).finish(); });
  CHECK(out.back() == '\n');
  CHECK(out.find("s") != std::string::npos);
  CHECK(out.find(" - ") == std::string::npos);
}

TEST_CASE("ProgressBar: on a terminal the bar is redrawn in place, then cleared for the summary") {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  ::dup2(slave, STDOUT_FILENO);
  {
    ProgressBar bar(4, "Epoch 1/1");
    const bool drawing = bar.drawing();
    bar.update(2, {{"loss", 0.5}});
    bar.update(4, {{"loss", 0.25}});  // the last step is drawn however soon it comes
    bar.finish({{"loss", 0.25}});
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    CHECK(drawing);
  }
  ::close(saved);
  ::close(slave);
  // A pseudo-terminal hands its output over in pieces: read until it is
  // drained (with the slave side closed, read then fails with EIO).
  std::string out;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, size_t(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  ::close(master);
  REQUIRE(!out.empty());
  CHECK(out.find("\rEpoch 1/1 [============............] 2/4") != std::string::npos);
  CHECK(out.find("loss 0.5000") != std::string::npos);
  CHECK(out.find("[========================] 4/4") != std::string::npos);
  CHECK(out.find("\r\033[KEpoch 1/1 - ") != std::string::npos);
  CHECK(out.find(" - loss: 0.25") != std::string::npos);
}
