#include "write_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <atomic>

#include <fmt/format.h>

#include "../core/error.hpp"

namespace spool {

namespace {

// Retries a call that a signal interrupted.
template <typename F>
auto retry(F&& f) {
  for (;;) {
    auto r = f();
    if (r >= 0 || errno != EINTR) return r;
  }
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Creates a new file beside `path` under a name no other writer uses (this
// process's id and a counter; O_EXCL skips leftovers of a crashed process).
// Mode 0666 less the umask, as the kernel applies it.
int create_unique(const std::string& path, std::string& name) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 1000; ++attempt) {
    name = fmt::format("{}.tmp-{}-{}", path, ::getpid(), counter.fetch_add(1, std::memory_order_relaxed));
    const int fd = retry([&] { return ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); });
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

}  // namespace

void write_file(const std::string& path, std::string_view bytes, const char* op) {
  SPOOL_CHECK(!path.empty(), op, "the file name is empty");
  std::string tmp;
  const int fd = create_unique(path, tmp);
  SPOOL_CHECK(fd >= 0, op, "cannot create a temporary file beside {}: {}", path, std::strerror(errno));
  const char* tmp_name = tmp.c_str();
  auto fail = [&](const char* what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp_name);
    detail::fail(op, "{} {} failed: {}", what, path, std::strerror(err));
  };
  // A replaced file keeps its permission bits.
  struct stat old;
  if (::stat(path.c_str(), &old) == 0 && ::fchmod(fd, old.st_mode & 07777) != 0) fail("keeping the permissions of");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = retry([&] { return ::write(fd, bytes.data() + done, bytes.size() - done); });
    if (w < 0) fail("writing");
    done += static_cast<size_t>(w);
  }
  if (retry([&] { return ::fsync(fd); }) != 0) fail("syncing");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp_name);
    detail::fail(op, "writing {} failed: {}", path, std::strerror(err));
  }
  if (std::rename(tmp_name, path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp_name);
    detail::fail(op, "could not replace {}: {}", path, std::strerror(err));
  }
  // The rename is durable once the directory is synced; a failure here
  // leaves the new file in place, so it is not an error.
  const int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    retry([&] { return ::fsync(dir); });
    ::close(dir);
  }
}

}  // namespace spool
