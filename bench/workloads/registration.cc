#include "bench/workloads/suite.h"

namespace ttb::bench {
namespace {

std::vector<std::string>& Names() {
  static auto* names = new std::vector<std::string>;
  return *names;
}

}  // namespace

benchmark::internal::Benchmark* Register(
    const std::string& name, std::function<void(benchmark::State&)> fn,
    bool manual_time) {
  Names().push_back(manual_time ? name + "/manual_time" : name);
  benchmark::internal::Benchmark* b =
      benchmark::RegisterBenchmark(name.c_str(), std::move(fn));
  return manual_time ? b->UseManualTime() : b;
}

const std::vector<std::string>& RegisteredNames() { return Names(); }

void SetNsPerPage(benchmark::State& state, double seconds, uint64_t pages) {
  if (pages != 0 && state.iterations() != 0) {
    state.counters["ns_per_page"] =
        seconds * 1e9 / (static_cast<double>(state.iterations()) * pages);
  }
}

}  // namespace ttb::bench
