#include "bench/cli/baremetal_runner.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/cli/host_info.h"

namespace ttb::bench {
namespace {

// The strategy a benchmark or event line is about, or "" for none.
std::string StrategyOf(const nlohmann::json& line) {
  if (line.contains("strategy")) return line["strategy"];
  const std::string name = line.value("name", "");
  const auto first = name.find('/');
  if (first == std::string::npos) return "";
  const auto second = name.find('/', first + 1);
  return name.substr(first + 1, second - first - 1);
}

bool Wanted(const BaremetalOptions& o, const nlohmann::json& line) {
  if (o.variants.empty()) return true;
  const std::string s = StrategyOf(line);
  if (line.value("event", "") == "bench" &&
      line.value("name", "").rfind("fork", 0) != 0 &&
      line.value("name", "").rfind("cow_fault", 0) != 0) {
    return true;  // Micro-benchmarks belong to no strategy.
  }
  for (const std::string& v : o.variants) {
    if (v == s) return true;
  }
  return false;
}

// One Google Benchmark entry, as compare.py reads it.
nlohmann::json Entry(const std::string& name, uint64_t iterations,
                     double ns_per_iteration) {
  return {{"name", name},
          {"run_name", name},
          {"run_type", "iteration"},
          {"repetitions", 1},
          {"repetition_index", 0},
          {"threads", 1},
          {"iterations", iterations},
          {"real_time", ns_per_iteration},
          {"cpu_time", ns_per_iteration},
          {"time_unit", "ns"}};
}

}  // namespace

absl::Status CheckQemuCpu(const std::string& cpu) {
  // Also keeps the name safe to put in the shell command RunBaremetal runs.
  if (cpu.empty() ||
      cpu.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") !=
          std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--qemu_cpu '", cpu, "' is not a QEMU CPU model name"));
  }
  FILE* pipe = popen("qemu-system-aarch64 -M virt -cpu help 2>/dev/null", "r");
  if (pipe == nullptr) return absl::InternalError("cannot start qemu");
  std::vector<std::string> models;
  char buffer[256];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    // "Available CPUs:", then one model per line, indented.
    std::string line(buffer);
    if (line.empty() || line[0] != ' ') continue;
    line.erase(0, line.find_first_not_of(' '));
    line.erase(line.find_last_not_of(" \r\n") + 1);
    models.push_back(line);
  }
  const int status = pclose(pipe);
  if (models.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::FailedPreconditionError(
        "qemu-system-aarch64 is missing (Debian package qemu-system-arm)");
  }
  if (std::find(models.begin(), models.end(), cpu) == models.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("QEMU has no CPU model '", cpu,
                     "' (qemu-system-aarch64 -M virt -cpu help lists them)"));
  }
  return absl::OkStatus();
}

namespace {

// What the guest printed that the result set needs.
struct GuestOutput {
  nlohmann::json boot, done;
  uint64_t walker_translations = 0;
  uint64_t walker_mismatches = 0;
  std::set<int> walker_granules_kib;  // The granules the walker was checked in.
  std::vector<nlohmann::json> lines;  // Wanted bench and fork_test events.
};

// Boots the image under QEMU on `cpu`, echoing its output as progress;
// the error says how the guest failed and what it printed last.
absl::StatusOr<GuestOutput> BootGuest(const BaremetalOptions& o,
                                      const std::string& cpu) {
  const std::string command = absl::StrCat(
      "timeout ", o.timeout_seconds, " qemu-system-aarch64 -M virt -cpu ", cpu,
      o.kvm ? " -enable-kvm" : "",
      " -m 256M -nic none -display none -monitor none -serial stdio "
      "-semihosting -append suite=",
      o.suite, " -kernel '", o.image, "' < /dev/null 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("cannot start qemu");
  GuestOutput g;
  std::string last;
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    std::string text(buffer);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    std::cout << "  " << text << "\n" << std::flush;  // Progress.
    if (!text.empty()) last = text;
    const nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) continue;
    const std::string event = line.value("event", "");
    if (event == "boot") g.boot = line;
    if (event == "walker_check") {  // One per regime.
      g.walker_translations += line.value("translations", 0);
      g.walker_mismatches += line.value("mismatches", 0);
      g.walker_granules_kib.insert(line.value("granule_kib", 0));
    }
    if (event == "done") g.done = line;
    if ((event == "bench" || event == "counts" || event == "fork_test") &&
        Wanted(o, line)) {
      g.lines.push_back(line);
    }
  }
  const int raw = pclose(pipe);
  const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  if (status == 124) {
    return absl::DeadlineExceededError(
        absl::StrCat("the guest did not finish in ", o.timeout_seconds,
                     " s; its last output: ", last));
  }
  if (status != 0 || g.done.is_null() || g.boot.is_null()) {
    return absl::AbortedError(absl::StrCat(
        "the guest exited with status ", status, "; its last output: ", last));
  }
  return g;
}

// The result set, in Google Benchmark's format, of what the guest printed.
nlohmann::json ResultSet(const BaremetalOptions& o, const std::string& cpu,
                         const GuestOutput& g) {
  const HostInfo host = HostInfo::Probe();
  const double hz = g.boot.value("cntfrq", 0.0);
  nlohmann::json doc;
  doc["context"] = {
      {"ttbench_world", "baremetal"},
      {"qemu_cpu", cpu},
      {"ttbench_suite", o.suite},
      {"kvm", o.kvm},
      {"midr", g.boot.value("midr", "")},
      {"tlbi_range", g.boot.value("tlbi_range", false)},
      {"pmu", g.boot.value("pmu", false)},
      {"cntfrq_hz", hz},
      {"walker_translations", g.walker_translations},
      {"walker_mismatches", g.walker_mismatches},
      {"walker_granules_kib", absl::StrJoin(g.walker_granules_kib, ",")},
      {"host_arch", host.arch},
      {"host_kernel", host.kernel},
      {"timing", o.kvm ? "KVM: the guest runs on the host's MMU under stage 2"
                       : "QEMU TCG: timings measure the emulator, not a core"},
      {"library_build_type", "release"}};
  doc["benchmarks"] = nlohmann::json::array();
  for (const nlohmann::json& line : g.lines) {
    if (line["event"] == "bench") {
      const uint64_t iterations = line.value("iterations", 1);
      nlohmann::json e = Entry(
          line["name"], iterations,
          hz > 0 ? line.value("ticks", 0.0) * 1e9 / hz / iterations : 0.0);
      if (line.contains("cycles")) {
        e["cycles"] = line.value("cycles", 0.0) / iterations;
      }
      doc["benchmarks"].push_back(e);
    } else if (line["event"] == "counts") {
      // A timed benchmark's events over all its iterations: counters per
      // iteration of that benchmark, as the host's are.
      for (nlohmann::json& b : doc["benchmarks"]) {
        if (b["name"] != line["name"]) continue;
        const double iterations = b.value("iterations", 1.0);
        for (const auto& [key, value] : line.items()) {
          if (value.is_number()) b[key] = value.get<double>() / iterations;
        }
      }
    } else {
      // The EL0 workload's event counts in one layout, as counters of a
      // timeless entry: el0_workload/<strategy>/<granule>KiB/<mapping>.
      nlohmann::json e =
          Entry(absl::StrCat("el0_workload/", line.value("strategy", ""), "/",
                             line.value("granule_kib", 0), "KiB/",
                             line.value("mapping", "")),
                1, 0);
      for (const auto& [key, value] : line.items()) {
        if (key != "event" && key != "strategy" && key != "granule_kib" &&
            key != "mapping") {
          e[key] = value;
        }
      }
      doc["benchmarks"].push_back(e);
    }
  }
  return doc;
}

}  // namespace

absl::StatusOr<nlohmann::json> RunBaremetal(const BaremetalOptions& o) {
  if (!std::filesystem::exists(o.image)) {
    return absl::NotFoundError(
        absl::StrCat("no bare-metal image at ", o.image));
  }
  const std::string cpu = o.kvm ? "host" : o.qemu_cpu;
  const absl::StatusOr<GuestOutput> g = BootGuest(o, cpu);
  if (!g.ok()) return g.status();
  return ResultSet(o, cpu, *g);
}

}  // namespace ttb::bench
