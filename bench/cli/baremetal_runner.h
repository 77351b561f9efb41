// `ttbench baremetal`: boots the bare-metal image under qemu-system-aarch64
// -M virt (or KVM), streams its JSON lines, and writes them as a result set
// in the host results' schema (Google Benchmark JSON).
#ifndef TTBENCH_BENCH_CLI_BAREMETAL_RUNNER_H_
#define TTBENCH_BENCH_CLI_BAREMETAL_RUNNER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace ttb::bench {

struct BaremetalOptions {
  std::string image;
  std::string qemu_cpu = "max";
  std::string suite = "default";  // quick, default or full.
  bool kvm = false;
  int timeout_seconds = 600;
  std::vector<std::string> variants;  // Empty: all.
};

// Whether this host's qemu-system-aarch64 can emulate CPU model `cpu`:
// InvalidArgument naming it when not (or when it is no model name at all),
// FailedPrecondition when QEMU is not installed.
absl::Status CheckQemuCpu(const std::string& cpu);

// Runs the guest and returns the result document, or why there is none
// (the guest crashed, hung, or reported failed checks).
absl::StatusOr<nlohmann::json> RunBaremetal(const BaremetalOptions& options);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_CLI_BAREMETAL_RUNNER_H_
