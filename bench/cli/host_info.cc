#include "bench/cli/host_info.h"

#include <sys/utsname.h>

#include <cctype>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/workloads/hw_counters.h"

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
  h.perf_unavailable = HwCounters().error();
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
