// Capturing a live process around its fork: a helper maps 64 pages and
// touches them, forks when told, then writes 16 of them while its child
// lives. The trace must hold its pages, see the fork, and name exactly the
// 16 as the parent's writes among the 64, though every page is the
// parent's alone again once the child has exited.
#include "bench/capture/capture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/temp_dir.h"

namespace ttb::bench {
namespace {

constexpr uint64_t kPages = 64;
constexpr uint64_t kWritten = 16;

// The helper: never returns.
[[noreturn]] void Helper(int ready_fd, const std::filesystem::path& dir) {
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, nullptr);
  auto* buffer = static_cast<volatile char*>(
      mmap(nullptr, kPages * 4096, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  for (uint64_t i = 0; i < kPages; ++i) buffer[i * 4096] = 1;
  const auto address = reinterpret_cast<uintptr_t>(buffer);
  if (write(ready_fd, &address, sizeof(address)) != sizeof(address)) _exit(1);
  int signal = 0;
  sigwait(&usr1, &signal);
  const pid_t child = fork();
  if (child == 0) {
    usleep(400 * 1000);  // Holds the shared pages while the parent writes.
    _exit(0);
  }
  std::ofstream(dir / "forked") << "1";
  usleep(50 * 1000);
  for (uint64_t i = 0; i < kWritten; ++i) buffer[i * 4 * 4096] = 2;
  waitpid(child, nullptr, 0);
  pause();
  _exit(0);
}

class CaptureTest : public TempDirTest {
 protected:
  // The helper's trace, captured with `watch_us`; its buffer's address, and
  // whether its child still held its memory when the capture ended.
  absl::StatusOr<Trace> CaptureHelper(uint64_t watch_us, uintptr_t* buffer,
                                      bool* child_alive) {
    std::filesystem::create_directories(dir_);
    int ready[2];
    EXPECT_EQ(pipe(ready), 0);
    const pid_t helper = fork();
    if (helper == 0) Helper(ready[1], dir_);
    close(ready[1]);  // A helper that dies unready then ends the read.
    EXPECT_EQ(read(ready[0], buffer, sizeof(*buffer)),
              static_cast<ssize_t>(sizeof(*buffer)));
    CaptureOptions o;
    o.pid = helper;
    const std::string forked = (dir_ / "forked").string();
    o.trigger = absl::StrCat("kill -USR1 ", helper, " && until [ -e ", forked,
                             " ]; do sleep 0.005; done");
    o.report = "echo latest_fork_usec:123; echo other:4";
    o.report_keys = {"latest_fork_usec"};
    o.resolution_us = 2000;
    o.watch_us = watch_us;
    o.provenance = {{"program", "helper 1"},
                    {"command", "capture_test"},
                    {"host", "here"},
                    {"kernel", "Linux"},
                    {"date", "2026-11-30"}};
    absl::StatusOr<Trace> t = Capture(o);
    std::ifstream children(
        absl::StrCat("/proc/", helper, "/task/", helper, "/children"));
    pid_t child = 0;
    // A child that has left its memory may not be reaped yet.
    *child_alive =
        static_cast<bool>(children >> child) && HoldsItsMemory(child);
    kill(helper, SIGKILL);
    waitpid(helper, nullptr, 0);
    return t;
  }
};

// Whether the trace has the helper's pages, and exactly the 16 written as
// writes.
void ExpectTheHelpersWrites(const Trace& t, uintptr_t buffer) {
  std::set<uint64_t> present, written;
  for (const TracePage& p : t.present) present.insert(p.va);
  for (const TraceWrite& w : t.writes) written.insert(w.va);
  for (uint64_t i = 0; i < kPages; ++i) {
    const uint64_t va = buffer + i * 4096;
    EXPECT_TRUE(present.count(va)) << i;
    const bool wrote = i % 4 == 0 && i / 4 < kWritten;
    EXPECT_EQ(written.count(va), wrote ? 1u : 0u) << i;
  }
  ASSERT_FALSE(t.writes.empty());
  EXPECT_GE(t.writes.front().t_us, t.fork_us);
}

TEST_F(CaptureTest, SeesThePagesTheParentWritesAfterItsFork) {
  uintptr_t buffer = 0;
  bool child_alive = true;
  const absl::StatusOr<Trace> t = CaptureHelper(0, &buffer, &child_alive);
  ASSERT_TRUE(t.ok()) << t.status();
  ExpectTheHelpersWrites(*t, buffer);
  EXPECT_FALSE(child_alive);
  EXPECT_EQ(t->reported,
            (std::map<std::string, uint64_t>{{"latest_fork_usec", 123}}));
  EXPECT_EQ(t->provenance.at("resolution_us"), "2000");
  // It is a trace the format accepts.
  const absl::StatusOr<Trace> parsed = ParseTrace(FormatTrace(*t), "t");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
}

// A preforked worker outlives any capture: watching ends after the time
// given, the child alive, with what the parent wrote by then.
TEST_F(CaptureTest, AWatchEndsWithTheChildAlive) {
  uintptr_t buffer = 0;
  bool child_alive = false;
  const absl::StatusOr<Trace> t = CaptureHelper(250'000, &buffer, &child_alive);
  ASSERT_TRUE(t.ok()) << t.status();
  ExpectTheHelpersWrites(*t, buffer);
  EXPECT_TRUE(child_alive);  // It lives 400 ms after the fork.
}

}  // namespace
}  // namespace ttb::bench
