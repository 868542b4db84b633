// Writes a whole file so that readers, concurrent writers and a crash never
// see it half written: the bytes go to a unique temporary file beside it,
// which is synced and renamed over the path; the directory is synced so the
// new name survives a power loss. Every file spool saves goes through it.
#pragma once

#include <string>
#include <string_view>

namespace spool {

// Replaces (or creates) `path` with `bytes`. A replaced file keeps its
// permission bits; a new one gets 0666 less the umask, as a plain open()
// would. Throws spool::Error "<op>: ..." with the system's reason; the
// original file is then untouched and no temporary file is left behind.
void write_file(const std::string& path, std::string_view bytes, const char* op = "write_file");

}  // namespace spool
