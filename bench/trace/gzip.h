// gzip in memory with zlib, for trace files: what `zcat` reads and gzip
// writes. Errors say what is wrong with the bytes in one line.
#ifndef TTBENCH_BENCH_TRACE_GZIP_H_
#define TTBENCH_BENCH_TRACE_GZIP_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ttb::bench {

std::string Gzip(std::string_view text);
// The text of one or more gzip members; an error for bytes that are not
// gzip, are corrupt, or end before the stream does. At most `limit`
// bytes of text, so a small file cannot inflate without bound.
absl::StatusOr<std::string> Gunzip(std::string_view bytes, size_t limit);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_TRACE_GZIP_H_
