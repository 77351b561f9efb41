#include "bench/results/text_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/temp_dir.h"

namespace ttb::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using TextFileTest = TempDirTest;

size_t Entries(const fs::path& dir) {
  return std::distance(fs::directory_iterator(dir), fs::directory_iterator());
}

TEST_F(TextFileTest, ReplacesTheFileWholeAndLeavesNoPartial) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / "report.md";
  ASSERT_TRUE(WriteTextFile(path, "first, and longer\n").ok());
  ASSERT_TRUE(WriteTextFile(path, "second\n").ok());
  EXPECT_EQ(ReadFile(path), "second\n");
  EXPECT_EQ(Entries(dir_), 1u);
}

TEST_F(TextFileTest, AMissingDirectoryIsAnErrorNamingThePath) {
  const fs::path path = dir_ / "gone" / "report.md";
  const absl::Status s = WriteTextFile(path, "x");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(path.string()));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(TextFileTest, WhatCannotBeReplacedIsLeftAsItWasWithNoPartial) {
  // A directory where the file should go: the rename fails.
  const fs::path path = dir_ / "report.md";
  fs::create_directories(path / "inside");
  const absl::Status s = WriteTextFile(path, "x");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot write"));
  EXPECT_TRUE(fs::is_directory(path / "inside"));
  EXPECT_EQ(Entries(dir_), 1u);
}

}  // namespace
}  // namespace ttb::bench
