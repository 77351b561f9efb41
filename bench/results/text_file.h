// Writing a report or index whole or not at all, so a failed write (a full
// disk, a directory that is gone) never leaves a truncated file where a
// good one was.
#ifndef TTBENCH_BENCH_RESULTS_TEXT_FILE_H_
#define TTBENCH_BENCH_RESULTS_TEXT_FILE_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"

namespace ttb::bench {

// Writes `contents` under a hidden partial name beside `path`, then renames
// it to `path`. On failure nothing is left behind, and the error names
// `path` and the reason.
absl::Status WriteTextFile(const std::filesystem::path& path,
                           const std::string& contents);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_TEXT_FILE_H_
