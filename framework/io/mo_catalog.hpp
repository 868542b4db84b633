// GNU gettext .mo catalogs as a source of parallel sentences (msgid ->
// msgstr), e.g. the translations Debian packages ship under
// /usr/share/locale/<lang>/LC_MESSAGES/.
//   auto pairs = spool::read_mo_catalog("/usr/share/locale/de/LC_MESSAGES/coreutils.mo");
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace spool {

using SentencePairs = std::vector<std::pair<std::string, std::string>>;

// Every translated message (the header entry and untranslated ones
// skipped; for plural messages, the singular forms). The whole file is
// validated: magic number, table bounds, string bounds and terminators.
SentencePairs read_mo_catalog(const std::string& path);
SentencePairs parse_mo_catalog(const std::string& bytes, const std::string& source = "mo");

}  // namespace spool
