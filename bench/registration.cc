#include "bench/suite.h"

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

}  // namespace ttb::bench
