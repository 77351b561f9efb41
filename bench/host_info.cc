#include "bench/host_info.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ttb::bench {
namespace {

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      }
    }
  }
  return "unknown";
}

// Opens a cycles counter for this process; the error says why not.
std::string PerfUnavailable() {
  perf_event_attr attr{};
  attr.type = PERF_TYPE_HARDWARE;
  attr.size = sizeof(attr);
  attr.config = PERF_COUNT_HW_CPU_CYCLES;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  const long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  if (fd >= 0) {
    close(static_cast<int>(fd));
    return "";
  }
  return absl::StrCat("perf_event_open(cycles): ", std::strerror(errno),
                      " (no hardware counters, as in most VMs)");
}

}  // namespace

HostInfo HostInfo::Probe() {
  utsname u{};
  uname(&u);
  HostInfo h;
  h.arch = u.machine;
  h.kernel = absl::StrCat(u.sysname, " ", u.release);
  h.host = u.nodename;
  h.cpu = CpuModel();
#if defined(__clang__)
  h.compiler = absl::StrCat("clang ", __clang_version__);
#else
  h.compiler = absl::StrCat("gcc ", __VERSION__);
#endif
  h.perf_unavailable = PerfUnavailable();
  return h;
}

std::string HostInfo::MachineName() const {
  std::string name = absl::StrCat(arch, "-", cpu);
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace ttb::bench
