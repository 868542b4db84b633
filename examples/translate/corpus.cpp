#include "corpus.hpp"

#include <spool/spool.hpp>

#include <algorithm>
#include <cctype>
#include <common/data.hpp>
#include <filesystem>
#include <fstream>
#include <set>

namespace translate {

using spool::examples::DataError;

const std::vector<Catalog>& default_catalogs() {
  static const std::vector<Catalog> list = {
      // On every Debian system.
      {"coreutils", "coreutils"},
      {"tar", "tar"},
      {"bash", "bash"},
      {"dpkg", "dpkg"},
      {"apt", "apt"},
      {"findutils", "findutils"},
      {"diffutils", "diffutils"},
      {"grep", "grep"},
      {"sed", "sed"},
      // binutils-common comes with g++ (tools/setup); gold moved to its own
      // package after Debian 12, so it is optional.
      {"gas", "binutils-common"},
      {"binutils", "binutils-common"},
      {"bfd", "binutils-common"},
      {"ld", "binutils-common"},
      {"opcodes", "binutils-common"},
      {"gprof", "binutils-common"},
      {"gold", "binutils-common", true},
      {"make", "make"},
      // Light packages tools/setup adds for this example: MIME type names
      // ("PNG image" -> "image PNG" teaches reordering), EXIF tag names,
      // GTK+ 2 widget texts and properties, keyboard layouts, libc, GLib,
      // GnuPG and procps messages.
      {"shared-mime-info", "shared-mime-info"},
      {"libexif-12", "libexif12"},
      {"gtk20", "libgtk2.0-common"},
      {"gtk20-properties", "libgtk2.0-common"},
      {"xkeyboard-config", "xkb-data"},
      {"libc", "libc-l10n"},
      {"glib20", "libglib2.0-data"},
      {"gnupg2", "gnupg-l10n"},
      {"procps-ng", "procps"},
  };
  return list;
}

std::vector<Catalog> catalogs_named(const std::vector<std::string>& domains) {
  std::vector<Catalog> out;
  for (const std::string& d : domains) {
    Catalog c{d, ""};  // not one of the default domains: its package is unknown here
    for (const Catalog& known : default_catalogs())
      if (known.domain == d) c = {d, known.package};  // asked for by name: required
    out.push_back(c);
  }
  return out;
}

namespace {

bool is_ascii_word(unsigned char c) { return std::isalnum(c) != 0 || c == '_'; }

// The byte length of the UTF-8 character starting with byte c (1 for a stray byte).
size_t utf8_length(unsigned char c) { return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; }

// Non-ASCII characters that are punctuation or space rather than letters.
const std::set<std::string>& non_ascii_punctuation() {
  static const std::set<std::string> s = {"«", "»", "“", "”", "‘", "„", "…", "–", "—", "·", "•", "×", "→", "←", "©", "®", "°"};
  return s;
}

// Without the marker of a single accelerator key ("_Open", "Save _As",
// "&Quit"): messages with several underscores are identifiers, left alone.
std::string without_accelerator(const std::string& s) {
  for (char marker : {'_', '&'}) {
    const size_t at = s.find(marker);
    if (at != std::string::npos && s.find(marker, at + 1) == std::string::npos && at + 1 < s.size() &&
        (std::isalpha(static_cast<unsigned char>(s[at + 1])) || static_cast<unsigned char>(s[at + 1]) >= 0xC0))
      return s.substr(0, at) + s.substr(at + 1);
  }
  return s;
}

// Spaces French typography uses (no-break, narrow no-break, thin) become
// plain ones, the typographic apostrophe a straight one.
std::string normalized(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
    const std::string ch = s.substr(i, n);
    if (ch == "\u00a0" || ch == "\u202f" || ch == "\u2009") out += ' ';
    else if (ch == "\u2019") out += '\'';
    else out += ch;
    i += n;
  }
  return out;
}

}  // namespace

std::vector<std::string> split_message(const std::string& message) {
  const std::string s = normalized(without_accelerator(message));
  const auto& punct = non_ascii_punctuation();
  // A word character: ASCII letter, digit or '_', or a non-ASCII character
  // that is not listed as punctuation.
  auto word_at = [&](size_t i) -> size_t {  // its byte length, 0 when not a word character
    if (i >= s.size()) return 0;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return is_ascii_word(c) ? 1 : 0;
    const size_t n = std::min(utf8_length(c), s.size() - i);
    return punct.count(s.substr(i, n)) ? 0 : n;
  };
  std::vector<std::string> tokens;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (size_t n = word_at(i)) {
      size_t j = i + n;
      for (;;) {
        if (size_t m = word_at(j)) {
          j += m;
        } else if (j + 1 < s.size() && (s[j] == '-' || s[j] == '.') && word_at(j - 1) && word_at(j + 1)) {
          j += 1;  // "en-tête", "1.2"
        } else if (j + 1 < s.size() && s[j] == '\'' && word_at(j + 1)) {
          j += 1;  // "l'", "qu'": the elision ends the token
          break;
        } else {
          break;
        }
      }
      tokens.push_back(s.substr(i, j - i));
      i = j;
    } else if (s.compare(i, 3, "...") == 0) {
      tokens.push_back("...");
      i += 3;
    } else {
      const size_t m = std::min(utf8_length(c), s.size() - i);
      tokens.push_back(s.substr(i, m));
      i += m;
    }
  }
  return tokens;
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const bool glue = i == 0 || out.back() == '\'' || out.back() == '(' || t == "," || t == "." || t == "..." || t == ")";
    if (!glue) out += ' ';
    out += t;
  }
  return out;
}

namespace {

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += (out.empty() ? "" : " ") + t;
  return out;
}

// Minimal images (Docker's debian:*-slim) tell dpkg not to install
// translations: installing the packages then brings no catalogues.
std::string locale_exclusion_hint() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/etc/dpkg/dpkg.cfg.d", ec)) {
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);)
      if (line.rfind("path-exclude", 0) == 0 && line.find("/usr/share/locale") != std::string::npos)
        return fmt::format("; {} tells dpkg to leave out translations: remove that line, then reinstall them",
                           entry.path().string());
  }
  return "";
}

}  // namespace

std::vector<Pair> read_corpus(const std::string& dir, const std::vector<Catalog>& catalogs, int64_t max_tokens,
                              CorpusStats& stats) {
  if (!std::filesystem::is_directory(dir))
    throw DataError(fmt::format("no folder {}: the French catalogues live in {} (install Debian's {} and the "
                                "others tools/setup lists){}",
                                dir, kLocaleDir, catalogs.empty() ? "coreutils" : catalogs.front().package,
                                locale_exclusion_hint()));
  // Lower-cases as the vocabulary will, to find repeated English messages.
  const spool::Tokenizer lower({.filters = ""});
  std::set<std::string> seen;
  std::vector<Pair> pairs;
  for (const Catalog& c : catalogs) {
    const std::string path = dir + "/" + c.domain + ".mo";
    if (c.optional && !std::filesystem::exists(path)) continue;
    if (c.package.empty() && !std::filesystem::exists(path))
      throw DataError(fmt::format("the French catalogue {}.mo not found at {} (not one of the default domains: "
                                  "`dpkg -S {}.mo` names the package that ships it, where it is installed)",
                                  c.domain, path, c.domain));
    try {
      spool::examples::require_file(path, c.package, fmt::format("the French catalogue {}.mo", c.domain));
    } catch (const DataError& e) {
      throw DataError(e.what() + locale_exclusion_hint());
    }
    spool::SentencePairs messages;
    try {
      messages = spool::read_mo_catalog(path);
    } catch (const spool::Error& e) {
      throw DataError(fmt::format("{} is not a valid .mo catalogue ({}): {}", path, e.what(),
                                  c.package.empty() ? "replace it" : "reinstall Debian's " + c.package));
    }
    for (auto& [id, text] : messages) {
      ++stats.messages;
      // A message with a context is "context\x04message".
      const std::string english = id.substr(id.find('\x04') == std::string::npos ? 0 : id.find('\x04') + 1);
      if ((english + text).find_first_of("%\n\t") != std::string::npos) continue;
      ++stats.plain;
      const auto en = split_message(english), fr = split_message(text);
      if (en.empty() || fr.empty() || int64_t(en.size()) > max_tokens || int64_t(fr.size()) > max_tokens) continue;
      ++stats.short_ones;
      const std::string key = joined(en);
      if (!seen.insert(joined(lower.tokenize(key))).second) continue;  // the first translation stays
      pairs.push_back({key, joined(fr), c.domain});
    }
  }
  stats.unique = static_cast<int64_t>(pairs.size());
  if (pairs.empty())
    throw DataError(fmt::format("the catalogues in {} hold no short messages to learn from", dir));
  return pairs;
}

}  // namespace translate
