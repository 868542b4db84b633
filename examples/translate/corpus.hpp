// The parallel corpus of the translation example: the short English
// messages of the French gettext catalogues that Debian packages install,
// with their French translations, tokenized, filtered, deduplicated and
// split by message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace translate {

// Where Debian puts the French translations of its packages' messages.
inline constexpr const char* kLocaleDir = "/usr/share/locale/fr/LC_MESSAGES";

// A gettext domain (<domain>.mo) and the Debian package that installs it.
struct Catalog {
  std::string domain, package;
  bool optional = false;  // read when present; its absence is not an error
};

// The default catalogues: packages of every Debian system (coreutils, tar,
// bash, dpkg, apt, ...), those tools/setup installs anyway (binutils-common
// comes with g++, make) and light data packages tools/setup adds for this
// example (libexif12, shared-mime-info, gnupg-l10n, libgtk2.0-common,
// libc-l10n, libglib2.0-data, procps, xkb-data).
const std::vector<Catalog>& default_catalogs();
// The catalogues of these domains (the default list's package when it has
// the domain, "the package that ships it" otherwise).
std::vector<Catalog> catalogs_named(const std::vector<std::string>& domains);

// Splits a message into tokens: words (letters and digits, with inner '-',
// '.' and '_' kept: "en-tête", "1.2", "SEC_MERGE"), a French elision with
// its apostrophe ("l'", "qu'"; ’ read as '), "..." and every other
// punctuation character on its own. A lone gettext accelerator ("_File",
// "&Open") loses its marker first. Case is kept: the vocabulary lowers it.
std::vector<std::string> split_message(const std::string& message);
// Tokens back to readable text: no space after an elision's apostrophe or
// "(", none before ",", ".", "...", ")".
std::string join_tokens(const std::vector<std::string>& tokens);

struct Pair {
  std::string english, french;  // tokens joined by single spaces (case kept)
  std::string domain;
};

struct CorpusStats {
  int64_t messages = 0;     // translated messages read
  int64_t plain = 0;        // without printf formats ('%') or line breaks
  int64_t short_ones = 0;   // 1..max_tokens tokens on both sides
  int64_t unique = 0;       // one translation per distinct (lower-cased) English message
};

// Reads every catalogue in `dir`; a missing one (unless optional) or one
// that is not a valid .mo file is a DataError naming the package.
std::vector<Pair> read_corpus(const std::string& dir, const std::vector<Catalog>& catalogs, int64_t max_tokens,
                              CorpusStats& stats);

}  // namespace translate
