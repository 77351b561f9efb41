#include "bench/capture/proc_pages.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ttb::bench {
namespace {

// Pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst).
constexpr uint64_t kPresent = uint64_t{1} << 63;
constexpr uint64_t kExclusive = uint64_t{1} << 56;
constexpr uint64_t kFrameMask = (uint64_t{1} << 55) - 1;

}  // namespace

absl::StatusOr<std::vector<TraceMapping>> ReadMappings(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/maps");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::vector<TraceMapping> out;
  std::string line;
  while (std::getline(in, line)) {
    // start-end perms offset dev inode [name]
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, name;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, name);
    const std::vector<std::string> ends = absl::StrSplit(range, '-');
    uint64_t start = 0, end = 0;
    if (ends.size() != 2 || !absl::SimpleHexAtoi(ends[0], &start) ||
        !absl::SimpleHexAtoi(ends[1], &end) || end <= start) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": cannot read '", line, "'"));
    }
    // vsyscall sits above the user range and has no pagemap entries.
    if (name == "[vsyscall]") continue;
    out.push_back({start, (end - start) / kTracePageBytes, perms,
                   name.empty() ? "[anon]" : name});
  }
  return out;
}

absl::StatusOr<Pagemap> Pagemap::Open(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/pagemap");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  return Pagemap(fd);
}

Pagemap::Pagemap(Pagemap&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

Pagemap::~Pagemap() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::vector<PageState>> Pagemap::Read(
    const TraceMapping& m) const {
  std::vector<uint64_t> entries(m.pages);
  const off_t at = static_cast<off_t>(m.start / kTracePageBytes * 8);
  const size_t bytes = entries.size() * 8;
  size_t done = 0;
  while (done < bytes) {
    const ssize_t n = pread(fd_, reinterpret_cast<char*>(entries.data()) + done,
                            bytes - done, at + static_cast<off_t>(done));
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("pagemap read failed: ",
                       n == 0 ? "the process is gone" : std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  std::vector<PageState> out(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    out[i] = {(entries[i] & kPresent) != 0, (entries[i] & kExclusive) != 0,
              entries[i] & kFrameMask};
  }
  return out;
}

}  // namespace ttb::bench
