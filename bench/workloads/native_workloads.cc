// The host kernel's own fork, beside the simulated strategies: fork latency
// of a process with N MiB resident, fork followed by exit, and the CoW fault
// a child takes on its first write.
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bench/results/latency.h"
#include "bench/workloads/suite.h"

namespace ttb::bench {
namespace {

constexpr uint64_t kPage = 4096;

// N MiB of anonymous memory, every page touched so it is resident.
class Resident {
 public:
  explicit Resident(uint64_t mib) : bytes_(mib << 20) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
    if (data_ != nullptr) std::memset(data_, 1, bytes_);
  }
  ~Resident() {
    if (data_ != nullptr) munmap(data_, bytes_);
  }
  uint8_t* data() const { return data_; }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_;
  uint8_t* data_;
};

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The parent's cost of fork(): the child exits at once, untimed.
void NativeFork(benchmark::State& state, uint64_t mib, bool with_exit) {
  Resident memory(mib);
  if (memory.data() == nullptr) state.SkipWithError("cannot map memory");
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const pid_t child = fork();
    if (child == 0) _exit(0);
    auto t1 = Clock::now();
    if (child < 0) {
      state.SkipWithError("fork failed");
      break;
    }
    waitpid(child, nullptr, 0);
    if (with_exit) t1 = Clock::now();
    const double t = Seconds(t0, t1);
    state.SetIterationTime(t);
    seconds += t;
  }
  SetNsPerPage(state, seconds, memory.bytes() / kPage);
}

// The child's first write to each of 64 shared pages, each timed in the
// child and reported through a pipe: one iteration is one CoW fault.
void NativeCowFault(benchmark::State& state, uint64_t mib) {
  constexpr int kFaults = 64;
  Resident memory(mib);
  if (memory.data() == nullptr) state.SkipWithError("cannot map memory");
  const uint64_t stride = memory.bytes() / kPage / kFaults * kPage;
  int done = kFaults;
  double fault_seconds[kFaults];
  LatencySamples latencies;
  for (auto _ : state) {
    if (done == kFaults) {
      int fds[2];
      if (pipe(fds) != 0) {
        state.SkipWithError("pipe failed");
        break;
      }
      const pid_t child = fork();
      if (child == 0) {
        double s[kFaults];
        for (int i = 0; i < kFaults; ++i) {
          const auto t0 = Clock::now();
          memory.data()[i * stride] = 2;
          s[i] = Seconds(t0, Clock::now());
        }
        (void)!write(fds[1], s, sizeof(s));
        _exit(0);
      }
      close(fds[1]);
      if (child < 0 || read(fds[0], fault_seconds, sizeof(fault_seconds)) !=
                           static_cast<ssize_t>(sizeof(fault_seconds))) {
        state.SkipWithError("child did not report");
        break;
      }
      close(fds[0]);
      waitpid(child, nullptr, 0);
      done = 0;
    }
    state.SetIterationTime(fault_seconds[done]);
    latencies.Add(fault_seconds[done]);
    ++done;
  }
  latencies.Export(state);
}

}  // namespace

void RegisterNativeBenchmarks(const SuiteOptions& o) {
  for (uint64_t mib : SizesMiB(o.suite)) {
    Register(
        absl::StrCat("native/fork/", mib, "MiB"),
        [mib](benchmark::State& s) { NativeFork(s, mib, false); },
        /*manual_time=*/true)
        ->Unit(benchmark::kMicrosecond);
    Register(
        absl::StrCat("native/fork_exit/", mib, "MiB"),
        [mib](benchmark::State& s) { NativeFork(s, mib, true); },
        /*manual_time=*/true)
        ->Unit(benchmark::kMicrosecond);
  }
  Register(
      "native/cow_fault/child_first_write",
      [](benchmark::State& s) { NativeCowFault(s, 16); }, /*manual_time=*/true)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace ttb::bench
