// Facts about the host a result set records: CPU, kernel, compiler, and
// whether hardware performance counters can be read.
#ifndef TTBENCH_BENCH_CLI_HOST_INFO_H_
#define TTBENCH_BENCH_CLI_HOST_INFO_H_

#include <string>

namespace ttb::bench {

struct HostInfo {
  std::string arch;    // uname -m
  std::string kernel;  // uname -sr
  std::string host;    // uname -n
  std::string cpu;     // /proc/cpuinfo "model name"
  std::string compiler;
  // Empty when perf_event_open gives hardware counters, else why not.
  std::string perf_unavailable;

  static HostInfo Probe();
  // A directory name for results from this kind of machine.
  std::string MachineName() const;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_CLI_HOST_INFO_H_
