// Traces of real programs (bench/trace/FORMAT.md): what is written reads
// back the same, and each broken rule is one line naming the file, the
// line and the problem.
#include "bench/trace/trace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bench/trace/gzip.h"
#include "bench/trace/summary.h"
#include "tests/temp_dir.h"

namespace ttb::bench {
namespace {

Trace Sample() {
  Trace t;
  t.provenance = {{"program", "redis-server 7.0.15"},
                  {"command", "redis-server --port 0"},
                  {"host", "x86_64 AMD EPYC"},
                  {"kernel", "Linux 6.1"},
                  {"date", "2026-11-30"},
                  {"resolution_us", "5000"}};
  t.mappings = {{0x10000, 4, "rw-p", "[heap]"},
                {0x7f0000000000, 2, "r-xp", "/usr/lib/my lib.so"}};
  t.present = {{0x10000, 0x1a2b},
               {0x11000, 0x99},
               {0x13000, std::nullopt},
               {0x7f0000001000, 5}};
  t.fork_us = 1000;
  t.writes = {{1500, 0x11000}, {1500, 0x10000}, {9000, 0x13000}};
  t.reported = {{"latest_fork_usec", 24837}, {"rdb_last_cow_size", 4096}};
  return t;
}

// The sample's text with `from` replaced by `to`, parsed.
std::string ErrorAfter(const std::string& from, const std::string& to) {
  std::string text = FormatTrace(Sample());
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const absl::StatusOr<Trace> t = ParseTrace(text, "t.ttrace");
  return t.ok() ? "" : std::string(t.status().message());
}

TEST(Trace, WhatIsWrittenReadsBackTheSame) {
  const Trace t = Sample();
  const absl::StatusOr<Trace> text = ParseTrace(FormatTrace(t), "t.ttrace");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, t);
  EXPECT_EQ(FormatTrace(t).rfind("ttbench-trace 1\n", 0), 0u);
  EXPECT_NE(FormatTrace(t).find("page 0x13000 -\n"), std::string::npos);
}

// One rule broken in the sample's text: `from` replaced by `to`.
struct Broken {
  const char* from;
  const char* to;
  const char* error;
};
constexpr Broken kBroken[] = {
    {"ttbench-trace 1", "ttbench-trace 2",
     "line 1: version 'ttbench-trace 2' is not 1"},
    {"ttbench-trace 1", "hello",
     "line 1: not a ttbench trace (no 'ttbench-trace 1' line)"},
    {"kernel Linux 6.1\n", "", "line 7: the header lacks 'kernel'"},
    {"map 0x7f0000000000", "map 0x11000",
     "line 10: mappings overlap or are out of order"},
    {"map 0x10000 4", "map 0x10001 4",
     "line 9: want 'map START PAGES PERMS NAME'"},
    {"page 0x13000", "page 0x14000", "line 13: a page outside every mapping"},
    {"page 0x11000", "page 0x10000",
     "line 12: pages are out of order or repeated"},
    {"write 1500 0x11000", "write 999 0x11000",
     "line 16: a write before the fork or the last one"},
    {"write 9000 0x13000", "write 9000 0x11000",
     "line 18: a page written twice"},
    {"write 9000 0x13000", "write 9000 0x12000",
     "line 18: a write to a page not present"},
    {"fork 1000\n", "", "line 15: a write with no fork before it"},
    {"fork 1000\n", "fork 1000\nfork 1001\n", "line 16: a second fork"},
    {"page 0x10000 0x1a2b\n", "page 0x10000 0x1a2b\nmap 0x90000 1 rw-p x\n",
     "line 12: a 'map' record after later ones"},
    {"report latest_fork_usec 24837", "report latest_fork_usec soon",
     "line 19: want 'report KEY VALUE' (VALUE a whole number)"},
    {"write 9000 0x13000\n", "write 9000 0x13000\nsnap\n",
     "line 19: unknown record 'snap'"},
};

TEST(Trace, EachBrokenRuleIsOneLineWithItsLine) {
  for (const Broken& b : kBroken) {
    EXPECT_EQ(ErrorAfter(b.from, b.to), std::string("t.ttrace: ") + b.error);
  }
  const std::string text = FormatTrace(Sample());
  EXPECT_EQ(ParseTrace(text.substr(0, text.find("---")), "t.ttrace")
                .status()
                .message(),
            "t.ttrace: line 8: the header has no '---' end");
}

using TraceFileTest = TempDirTest;

TEST_F(TraceFileTest, AFileIsGzipAndATruncatedOrForeignOneIsRefused) {
  std::filesystem::create_directories(dir_);
  const std::string path = (dir_ / "t.ttrace.gz").string();
  ASSERT_TRUE(WriteTrace(path, Sample()).ok());
  const absl::StatusOr<Trace> back = LoadTrace(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, Sample());
  // Only the trace: the temporary name it was written under is gone.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);

  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  const auto load = [&](const std::string& contents) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
    const absl::StatusOr<Trace> t = LoadTrace(path);
    return t.ok() ? "" : std::string(t.status().message());
  };
  EXPECT_EQ(load(bytes.substr(0, bytes.size() / 2)),
            path + ": truncated gzip (a trace is gzip-compressed text)");
  EXPECT_EQ(load(FormatTrace(Sample())),
            path + ": not gzip (a trace is gzip-compressed text)");
  std::string corrupt = bytes;
  corrupt[corrupt.size() / 2] ^= 0x55;
  EXPECT_NE(load(corrupt).find(path + ": "), std::string::npos);
  EXPECT_EQ(load(Gzip("{\"benchmarks\": []}\n")),
            path +
                ": line 1: not a ttbench trace (no 'ttbench-trace 1' "
                "line)");
  EXPECT_EQ(LoadTrace((dir_ / "none.gz").string()).status().message(),
            (dir_ / "none.gz").string() + ": cannot open");
}

TEST(Gzip, ReadsConcatenatedMembersAndStopsAtItsLimit) {
  const absl::StatusOr<std::string> two = Gunzip(Gzip("ab") + Gzip("cd"), 100);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(*two, "abcd");
  const std::string zeros(1 << 20, '\0');
  EXPECT_EQ(Gunzip(Gzip(zeros), 1000).status().message(),
            "inflates past 1000 bytes");
}

TEST(Trace, ItsSummarySaysWhatItHolds) {
  const std::string s = SummarizeTrace(Sample());
  EXPECT_NE(s.find("program: redis-server 7.0.15\n"), std::string::npos) << s;
  EXPECT_NE(s.find("2 mappings of 6 pages; 4 present at the fork (0.0 MiB), "
                   "3 with their frame\n3 first writes after the fork, over "
                   "0.008 s\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("reported latest_fork_usec: 24837\n"), std::string::npos);
}

}  // namespace
}  // namespace ttb::bench
