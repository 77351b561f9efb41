#include "bench/capture/capture.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/capture/proc_pages.h"

namespace ttb::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Mappings larger than this (sanitizer shadows, reserved arenas of many
// TiB) are listed but their pages not read: pagemap has 8 bytes for every
// page of a range, present or not.
constexpr uint64_t kMaxReadPages = (uint64_t{16} << 30) / kTracePageBytes;

// A page the fork may share: present and the parent's alone before it.
struct Candidate {
  uint64_t va;
  bool written = false;
};

// The pages of one mapping to watch.
struct Watched {
  TraceMapping mapping;
  std::vector<size_t> index;  // Page index within the mapping, per page.
  std::vector<Candidate> pages;
};

bool Succeeds(const std::string& command) {
  return std::system(command.c_str()) == 0;
}

// The children of every thread of `pid` (/proc/PID/task/TID/children).
std::set<pid_t> ChildrenOf(pid_t pid) {
  std::set<pid_t> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(
           absl::StrCat("/proc/", pid, "/task"), ec)) {
    std::ifstream in(task.path() / "children");
    pid_t child = 0;
    while (in >> child) out.insert(child);
  }
  return out;
}

// The numeric "key:value" lines of `command`'s output whose key is kept.
std::map<std::string, uint64_t> Reported(const CaptureOptions& o) {
  std::map<std::string, uint64_t> out;
  if (o.report.empty()) return out;
  FILE* pipe = popen(o.report.c_str(), "r");
  if (pipe == nullptr) return out;
  char line[4096];
  while (std::fgets(line, sizeof(line), pipe) != nullptr) {
    const std::vector<std::string> kv =
        absl::StrSplit(absl::StripAsciiWhitespace(line), ':');
    uint64_t value = 0;
    if (kv.size() == 2 &&
        std::find(o.report_keys.begin(), o.report_keys.end(), kv[0]) !=
            o.report_keys.end() &&
        absl::SimpleAtoi(kv[1], &value)) {
      out[kv[0]] = value;
    }
  }
  pclose(pipe);
  return out;
}

}  // namespace

bool HoldsItsMemory(pid_t pid) {
  std::ifstream statm(absl::StrCat("/proc/", pid, "/statm"));
  uint64_t pages = 0;
  return static_cast<bool>(statm >> pages) && pages != 0;
}

absl::StatusOr<Trace> Capture(const CaptureOptions& o) {
  const Clock::time_point start = Clock::now();
  const auto us = [&] {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                              start)
            .count());
  };
  Trace t;
  t.provenance = o.provenance;
  t.provenance["resolution_us"] = absl::StrCat(o.resolution_us);
  absl::StatusOr<std::vector<TraceMapping>> maps = ReadMappings(o.pid);
  if (!maps.ok()) return maps.status();
  t.mappings = *std::move(maps);
  absl::StatusOr<Pagemap> pagemap = Pagemap::Open(o.pid);
  if (!pagemap.ok()) return pagemap.status();
  std::vector<Watched> watched;
  uint64_t skipped = 0;
  for (const TraceMapping& m : t.mappings) {
    if (m.pages > kMaxReadPages) {
      ++skipped;
      continue;
    }
    absl::StatusOr<std::vector<PageState>> states = pagemap->Read(m);
    if (!states.ok()) return states.status();
    Watched w{m, {}, {}};
    for (size_t i = 0; i < states->size(); ++i) {
      const PageState& s = (*states)[i];
      if (!s.present) continue;
      const uint64_t va = m.start + i * kTracePageBytes;
      t.present.push_back(
          {va, s.frame != 0 ? std::optional<uint64_t>(s.frame) : std::nullopt});
      if (s.exclusive) {
        w.index.push_back(i);
        w.pages.push_back({va});
      }
    }
    if (!w.pages.empty()) watched.push_back(std::move(w));
  }
  if (skipped != 0) {
    t.provenance["unread_mappings"] =
        absl::StrCat(skipped, " larger than 16 GiB, pages not recorded");
  }
  const std::set<pid_t> before = ChildrenOf(o.pid);
  if (!Succeeds(o.trigger)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the trigger '", o.trigger, "' failed"));
  }
  t.fork_us = us();
  std::vector<pid_t> forked;
  for (pid_t c : ChildrenOf(o.pid)) {
    if (!before.count(c)) forked.push_back(c);
  }
  if (forked.size() != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "after the trigger, process ", o.pid, " has ", forked.size(),
        " new children, not the one its fork made"));
  }
  const pid_t child = forked[0];
  while (true) {
    std::this_thread::sleep_for(std::chrono::microseconds(o.resolution_us));
    const uint64_t now = us();
    std::vector<std::pair<Candidate*, uint64_t>> seen;
    for (Watched& w : watched) {
      absl::StatusOr<std::vector<PageState>> states = pagemap->Read(w.mapping);
      if (!states.ok()) return states.status();
      for (size_t k = 0; k < w.pages.size(); ++k) {
        Candidate& c = w.pages[k];
        if (!c.written && (*states)[w.index[k]].exclusive) {
          seen.emplace_back(&c, now);
        }
      }
    }
    // A child gone before the sample ended may have unshared the pages.
    if (!HoldsItsMemory(child)) break;
    for (auto& [c, when] : seen) {
      c->written = true;
      t.writes.push_back({when, c->va});
    }
    if (o.watch_us != 0 && now - t.fork_us >= o.watch_us) break;
    if (now > o.max_seconds * 1000000) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the fork's child ", child, " lived past ", o.max_seconds, " s"));
    }
  }
  t.reported = Reported(o);
  return t;
}

}  // namespace ttb::bench
