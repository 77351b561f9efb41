// What a trace holds, in a few lines: `ttbench trace TRACE`.
#ifndef TTBENCH_BENCH_TRACE_SUMMARY_H_
#define TTBENCH_BENCH_TRACE_SUMMARY_H_

#include <string>

#include "bench/trace/trace.h"

namespace ttb::bench {

std::string SummarizeTrace(const Trace& trace);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_TRACE_SUMMARY_H_
