#include "bench/trace/trace.h"

#include <fstream>
#include <iterator>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bench/results/text_file.h"
#include "bench/trace/gzip.h"

namespace ttb::bench {
namespace {

// The most text a trace may inflate to: a 64 GiB process's pages and
// writes fit well within it.
constexpr size_t kMaxTraceText = size_t{4} << 30;

std::string Hex(uint64_t v) { return absl::StrCat("0x", absl::Hex(v)); }

// Reads the trace a line at a time, keeping the line number for errors.
class Parser {
 public:
  Parser(absl::string_view text, const std::string& source)
      : lines_(absl::StrSplit(text, '\n')), source_(source) {
    // The text ends with a newline: no record after it.
    if (!lines_.empty() && lines_.back().empty()) lines_.pop_back();
  }

  absl::StatusOr<Trace> Parse() {
    if (lines_.empty() ||
        lines_[0] != absl::StrCat("ttbench-trace ", kTraceVersion)) {
      line_ = 1;
      return Error(lines_.empty() ||
                           !absl::StartsWith(lines_[0], "ttbench-trace ")
                       ? "not a ttbench trace (no 'ttbench-trace 1' line)"
                       : absl::StrCat("version '", absl::CEscape(lines_[0]),
                                      "' is not ", kTraceVersion));
    }
    Trace t;
    size_t i = 1;
    for (; i < lines_.size() && lines_[i] != "---"; ++i) {
      line_ = i + 1;
      const std::vector<absl::string_view> kv =
          absl::StrSplit(lines_[i], absl::MaxSplits(' ', 1));
      if (kv.size() != 2 || kv[0].empty() || kv[1].empty()) {
        return Error("a header line is 'key value'");
      }
      if (!t.provenance.emplace(kv[0], kv[1]).second) {
        return Error(absl::StrCat("'", absl::CEscape(kv[0]), "' twice"));
      }
    }
    line_ = i + 1;
    if (i == lines_.size()) return Error("the header has no '---' end");
    for (const char* key : kRequiredProvenance) {
      if (!t.provenance.count(key)) {
        return Error(absl::StrCat("the header lacks '", key, "'"));
      }
    }
    for (++i; i < lines_.size(); ++i) {
      line_ = i + 1;
      if (absl::Status s = Record(lines_[i], t); !s.ok()) return s;
    }
    if (!forked_) return Error("the trace has no fork");
    return t;
  }

 private:
  // One record after the header, in the order the format allows.
  absl::Status Record(absl::string_view line, Trace& t) {
    const std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    const absl::string_view kind = f[0];
    const int order = kind == "map"      ? 0
                      : kind == "page"   ? 1
                      : kind == "fork"   ? 2
                      : kind == "write"  ? 3
                      : kind == "report" ? 4
                                         : -1;
    if (order < 0) {
      return Error(absl::StrCat("unknown record '", absl::CEscape(kind), "'"));
    }
    if (order < stage_) {
      return Error(absl::StrCat("a '", kind, "' record after later ones"));
    }
    stage_ = order;
    switch (order) {
      case 0:
        return Map(f, t);
      case 1:
        return Page(f, t);
      case 2:
        return Fork(f, t);
      case 3:
        return Write(f, t);
      default:
        return Report(f, t);
    }
  }

  absl::Status Map(const std::vector<absl::string_view>& f, Trace& t) {
    TraceMapping m;
    if (f.size() < 5 || !Address(f[1], &m.start) ||
        !absl::SimpleAtoi(f[2], &m.pages) || m.pages == 0 || f[3].size() != 4) {
      return Error("want 'map START PAGES PERMS NAME'");
    }
    m.perms = std::string(f[3]);
    // A name may hold spaces (a file's path).
    m.name = absl::StrJoin(f.begin() + 4, f.end(), " ");
    if (m.pages > (~uint64_t{0} - m.start) / kTracePageBytes) {
      return Error("the mapping runs past the end of the address space");
    }
    if (!t.mappings.empty()) {
      const TraceMapping& last = t.mappings.back();
      if (m.start < last.start + last.pages * kTracePageBytes) {
        return Error("mappings overlap or are out of order");
      }
    }
    t.mappings.push_back(std::move(m));
    return absl::OkStatus();
  }

  absl::Status Page(const std::vector<absl::string_view>& f, Trace& t) {
    TracePage p;
    uint64_t frame = 0;
    if (f.size() != 3 || !Address(f[1], &p.va) ||
        (f[2] != "-" && !Number(f[2], &frame))) {
      return Error("want 'page VA FRAME' (FRAME a hex number or '-')");
    }
    if (f[2] != "-") p.frame = frame;
    if (!t.present.empty() && p.va <= t.present.back().va) {
      return Error("pages are out of order or repeated");
    }
    while (mapping_ < t.mappings.size() &&
           p.va >= t.mappings[mapping_].start +
                       t.mappings[mapping_].pages * kTracePageBytes) {
      ++mapping_;
    }
    if (mapping_ == t.mappings.size() || p.va < t.mappings[mapping_].start) {
      return Error("a page outside every mapping");
    }
    present_.insert(p.va);
    t.present.push_back(p);
    return absl::OkStatus();
  }

  absl::Status Fork(const std::vector<absl::string_view>& f, Trace& t) {
    if (forked_) return Error("a second fork");
    if (f.size() != 2 || !absl::SimpleAtoi(f[1], &t.fork_us)) {
      return Error("want 'fork T_US'");
    }
    forked_ = true;
    return absl::OkStatus();
  }

  absl::Status Write(const std::vector<absl::string_view>& f, Trace& t) {
    TraceWrite w;
    if (f.size() != 3 || !absl::SimpleAtoi(f[1], &w.t_us) ||
        !Address(f[2], &w.va)) {
      return Error("want 'write T_US VA'");
    }
    if (!forked_) return Error("a write with no fork before it");
    const uint64_t after = t.writes.empty() ? t.fork_us : t.writes.back().t_us;
    if (w.t_us < after) return Error("a write before the fork or the last one");
    if (!present_.count(w.va)) return Error("a write to a page not present");
    if (!written_.insert(w.va).second) return Error("a page written twice");
    t.writes.push_back(w);
    return absl::OkStatus();
  }

  absl::Status Report(const std::vector<absl::string_view>& f, Trace& t) {
    uint64_t value = 0;
    if (f.size() != 3 || f[1].empty() || !absl::SimpleAtoi(f[2], &value)) {
      return Error("want 'report KEY VALUE' (VALUE a whole number)");
    }
    if (!t.reported.emplace(f[1], value).second) {
      return Error(absl::StrCat("'", absl::CEscape(f[1]), "' reported twice"));
    }
    return absl::OkStatus();
  }

  // A hex number with 0x.
  static bool Number(absl::string_view s, uint64_t* v) {
    return absl::ConsumePrefix(&s, "0x") && !s.empty() &&
           absl::SimpleHexAtoi(s, v);
  }
  static bool Address(absl::string_view s, uint64_t* v) {
    return Number(s, v) && *v % kTracePageBytes == 0;
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": line ", line_, ": ", what));
  }

  std::vector<absl::string_view> lines_;
  const std::string& source_;
  size_t line_ = 0;
  int stage_ = 0;       // The last record kind seen, in format order.
  size_t mapping_ = 0;  // The mapping the last page was in.
  bool forked_ = false;
  std::set<uint64_t> present_, written_;
};

}  // namespace

std::string FormatTrace(const Trace& t) {
  std::string out = absl::StrCat("ttbench-trace ", kTraceVersion, "\n");
  for (const auto& [key, value] : t.provenance) {
    absl::StrAppend(&out, key, " ", value, "\n");
  }
  out += "---\n";
  for (const TraceMapping& m : t.mappings) {
    absl::StrAppend(&out, "map ", Hex(m.start), " ", m.pages, " ", m.perms, " ",
                    m.name, "\n");
  }
  for (const TracePage& p : t.present) {
    absl::StrAppend(&out, "page ", Hex(p.va), " ",
                    p.frame ? Hex(*p.frame) : "-", "\n");
  }
  absl::StrAppend(&out, "fork ", t.fork_us, "\n");
  for (const TraceWrite& w : t.writes) {
    absl::StrAppend(&out, "write ", w.t_us, " ", Hex(w.va), "\n");
  }
  for (const auto& [key, value] : t.reported) {
    absl::StrAppend(&out, "report ", key, " ", value, "\n");
  }
  return out;
}

absl::StatusOr<Trace> ParseTrace(std::string_view text,
                                 const std::string& source) {
  return Parser(absl::string_view(text.data(), text.size()), source).Parse();
}

absl::StatusOr<Trace> LoadTrace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  absl::StatusOr<std::string> text = Gunzip(bytes, kMaxTraceText);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", text.status().message(),
                     " (a trace is gzip-compressed text)"));
  }
  return ParseTrace(*text, path);
}

absl::Status WriteTrace(const std::string& path, const Trace& trace) {
  return WriteTextFile(path, Gzip(FormatTrace(trace)));
}

}  // namespace ttb::bench
