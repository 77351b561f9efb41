// Cost files: every term a range with its source, checked on load; and the
// reach of a verdict, checked against brute force over the cost box.
#include "bench/results/cost_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/results/compare.h"
#include "bench/results/reach.h"
#include "bench/results/validate.h"
#include "engine/sim/tlb_profile.h"
#include "nlohmann/json.hpp"

namespace ttb::bench {
namespace {

// A valid model: every term 1..2..4 cycles from "a paper".
nlohmann::json ValidModel() {
  nlohmann::json costs;
  for (const std::string& term : CostModel::Terms()) {
    costs[term] = {
        {"low", 1}, {"typical", 2}, {"high", 4}, {"source", "a paper"}};
  }
  return {{"profile", "p"},
          {"core", "neoverse-n1"},
          {"pes", 8},
          {"clock_ghz",
           {{"low", 2}, {"typical", 2.5}, {"high", 3}, {"source", "a sheet"}}},
          {"costs", costs}};
}

std::string Error(const nlohmann::json& doc) {
  const absl::StatusOr<CostModel> m = CostModel::Parse(doc.dump(), "c.json");
  return m.ok() ? "" : std::string(m.status().message());
}

TEST(CostModel, TheShippedProfilesLoadWithACoreAndAMachineSize) {
  for (const char* name :
       {"cortex-a53", "cortex-a72", "neoverse-n1", "neoverse-n1-80"}) {
    const absl::StatusOr<CostModel> m = CostModel::Load(
        std::string(TTB_SOURCE_DIR "/bench/costs/") + name + ".json");
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->profile(), name);
    EXPECT_NE(sim::FindTlbProfile(m->core()), nullptr) << name;
    // A published range is cited; every other one says it has none.
    for (const CostRange& r : m->ranges()) {
      EXPECT_TRUE(r.published() || r.source.rfind(kNoPublishedFigure, 0) == 0);
    }
  }
  EXPECT_EQ(
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1-80.json")->pes(),
      80);
}

TEST(CostModel, EachBadFigureIsOneLineNamingTheFileAndTheTerm) {
  EXPECT_EQ(Error(ValidModel()), "");
  nlohmann::json no_source = ValidModel();
  no_source["costs"]["isb"].erase("source");
  EXPECT_EQ(Error(no_source),
            "c.json: \"isb\" has no source (cite one, or say \"no published "
            "figure\" and give a wide range)");
  nlohmann::json inverted = ValidModel();
  inverted["costs"]["walks"]["low"] = 9;
  EXPECT_EQ(Error(inverted),
            "c.json: \"walks\": want low <= typical <= high, not 9, 2, 4");
  nlohmann::json unknown = ValidModel();
  unknown["costs"]["tlbi.bogus"] = unknown["costs"]["isb"];
  EXPECT_EQ(Error(unknown),
            "c.json: \"tlbi.bogus\" is not an event the simulator counts");
  nlohmann::json missing = ValidModel();
  missing["costs"].erase("tlbi_completions.broadcast");
  EXPECT_EQ(Error(missing).rfind("c.json: no cost for "
                                 "\"tlbi_completions.broadcast\"",
                                 0),
            0u);
  nlohmann::json narrow = ValidModel();
  narrow["costs"]["ipis"]["source"] = "no published figure: a guess";
  narrow["costs"]["ipis"]["high"] = 3;
  EXPECT_EQ(Error(narrow).rfind("c.json: \"ipis\" has no published figure, "
                                "so its range must span 4x",
                                0),
            0u);
  narrow["costs"]["ipis"]["high"] = 4;
  EXPECT_EQ(Error(narrow), "");  // 1 to 4 is wide enough.
  nlohmann::json no_pes = ValidModel();
  no_pes["pes"] = 0;
  EXPECT_NE(Error(no_pes).find("\"pes\""), std::string::npos);
  nlohmann::json no_clock = ValidModel();
  no_clock.erase("clock_ghz");
  EXPECT_EQ(Error(no_clock).rfind("c.json: no \"clock_ghz\"", 0), 0u);
  nlohmann::json stopped = ValidModel();
  stopped["clock_ghz"]["low"] = 0;
  EXPECT_EQ(Error(stopped), "c.json: \"clock_ghz\" must be above 0");
  nlohmann::json unsourced = ValidModel();
  unsourced["clock_ghz"].erase("source");
  EXPECT_EQ(Error(unsourced).rfind("c.json: \"clock_ghz\" has no source", 0),
            0u);
  for (const std::string& e :
       {Error(no_source), Error(inverted), Error(unknown), Error(missing)}) {
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

TEST(CostModel, BroadcastsAreChargedForEveryOtherPe) {
  CostModel m = *CostModel::Parse(ValidModel().dump(), "c.json");
  const auto count = [](const std::string& name) {
    return name == "tlbi.vale1is"    ? 10.0
           : name == "tlbi.aside1is" ? 1.0
           : name == "tlbi.vale1"    ? 7.0
                                     : 0.0;
  };
  const std::vector<std::string>& terms = CostModel::Terms();
  std::vector<double> c = m.Coefficients(count);
  EXPECT_EQ(c.back(), 11 * 7);  // 8 PEs: 7 others, local TLBIs not.
  EXPECT_EQ(terms.back(), kPerOtherPeTerm);
  m.set_pes(80);
  c = m.Coefficients(count);
  EXPECT_EQ(c.back(), 11 * 79);
  // Every term at typical costs 2 cycles.
  EXPECT_EQ(m.Cycles(c), 2 * (10 + 1 + 7 + 11 * 79));
  EXPECT_EQ(m.Cycles(c, CostPoint::kHigh), 4 * (10 + 1 + 7 + 11 * 79));
}

// The margin of `winner` over `rival` at `costs`.
double Margin(const std::vector<double>& winner,
              const std::vector<double>& rival,
              const std::vector<double>& costs) {
  double m = 0;
  for (size_t i = 0; i < costs.size(); ++i)
    m += (rival[i] - winner[i]) * costs[i];
  return m;
}

// Random count vectors differing in a few terms, random ranges: the reach
// must agree with every corner of the box, and each flip it names must
// level the two exactly, inside its range.
TEST(Reach, AgreesWithBruteForceOverEveryCornerOfTheCostBox) {
  std::mt19937_64 rng(20261130);
  const size_t n = CostModel::Terms().size();
  int held = 0, flipped = 0, together = 0;
  for (int trial = 0; trial < 400; ++trial) {
    nlohmann::json doc = ValidModel();
    for (const std::string& term : CostModel::Terms()) {
      const double low = static_cast<double>(rng() % 50);
      const double typical = low + static_cast<double>(rng() % 50);
      const double high = typical + static_cast<double>(rng() % 100);
      doc["costs"][term] = {{"low", low},
                            {"typical", typical},
                            {"high", high},
                            {"source", "a paper"}};
    }
    const CostModel m = *CostModel::Parse(doc.dump(), "c.json");
    const std::vector<double> lo = m.Costs(CostPoint::kLow);
    const std::vector<double> typ = m.Costs(CostPoint::kTypical);
    const std::vector<double> hi = m.Costs(CostPoint::kHigh);
    // Up to 8 terms differ; the rest are charged the same to both.
    std::vector<double> a(n, 5), b(n, 5);
    std::vector<size_t> differ;
    for (int k = 0, count = 1 + static_cast<int>(rng() % 8); k < count; ++k) {
      const size_t i = rng() % n;
      a[i] = static_cast<double>(rng() % 1000);
      b[i] = static_cast<double>(rng() % 1000);
      differ.push_back(i);
    }
    if (Margin(a, b, typ) < 0) std::swap(a, b);
    if (Margin(a, b, typ) == 0) continue;
    const Reach r = VerdictReach(m, a, b);
    EXPECT_DOUBLE_EQ(r.typical_margin, Margin(a, b, typ));

    double worst = INFINITY;
    for (uint32_t corner = 0; corner < (1u << differ.size()); ++corner) {
      std::vector<double> at = typ;
      for (size_t k = 0; k < differ.size(); ++k) {
        at[differ[k]] = (corner >> k & 1) ? hi[differ[k]] : lo[differ[k]];
      }
      worst = std::min(worst, Margin(a, b, at));
    }
    EXPECT_NEAR(r.worst_margin, worst, 1e-6 * (1 + std::fabs(worst)));
    EXPECT_EQ(r.holds(), worst >= 0);
    held += r.holds();

    std::vector<bool> flips(n, false);
    for (const Flip& f : r.flips) {
      flips[f.term] = true;
      EXPECT_GE(f.at, lo[f.term] - 1e-9);
      EXPECT_LE(f.at, hi[f.term] + 1e-9);
      std::vector<double> at = typ;
      at[f.term] = f.at;
      EXPECT_NEAR(Margin(a, b, at), 0, 1e-6 * (1 + r.typical_margin));
      // Beyond it, on the side named, the rival wins.
      at[f.term] = f.above ? hi[f.term] : lo[f.term];
      EXPECT_LE(Margin(a, b, at), 1e-9);
    }
    // A term not named cannot turn it alone anywhere in its range.
    for (size_t i = 0; i < n; ++i) {
      if (flips[i]) continue;
      for (double cost : {lo[i], hi[i]}) {
        std::vector<double> at = typ;
        at[i] = cost;
        EXPECT_GE(Margin(a, b, at), -1e-9) << CostModel::Terms()[i];
      }
    }
    flipped += !r.flips.empty();
    if (!r.together.empty()) {
      ++together;
      EXPECT_TRUE(r.flips.empty());
      std::vector<double> at = typ;
      for (const auto& [term, high] : r.together) {
        at[term] = high ? hi[term] : lo[term];
      }
      EXPECT_LE(Margin(a, b, at), 1e-9);
    }
    // The description says which.
    const std::string text = DescribeReach(m, r);
    EXPECT_EQ(text.rfind(r.holds()          ? "holds"
                         : !r.flips.empty() ? "unless"
                                            : "no one cost",
                         0),
              0u)
        << text;
  }
  // The trials reach every kind of verdict.
  EXPECT_GT(held, 10);
  EXPECT_GT(flipped, 10);
  EXPECT_GT(together, 0);
}

// Two result sets of one simulated benchmark: what changed in the machine's
// work decides, exactly, not host time.
TEST(Compare, ASimulatedBenchmarkIsJudgedByItsModelledCycles) {
  const CostModel m = *CostModel::Parse(ValidModel().dump(), "c.json");
  const auto run = [](double ns, double tlbis) {
    return Timings{
        {"fork/lazy_cow/dense/1MiB", Measured{{ns}, {{"tlbi.vale1", tlbis}}}}};
  };
  CompareOptions o;
  o.costs = &m;
  std::ostringstream out;
  // Twice the TLBIs, though faster on the host: a regression.
  EXPECT_EQ(Compare(run(100, 100), run(50, 200), o, out), 1);
  EXPECT_NE(out.str().find("B dearer in modelled cycles (B/A 2.000), holds "
                           "across every cost range, REGRESSION"),
            std::string::npos)
      << out.str();
  // The same work, ten times slower on the host: the simulator's speed.
  out.str("");
  EXPECT_EQ(Compare(run(100, 100), run(1000, 100), o, out), 0);
  EXPECT_NE(out.str().find("the same modelled work"), std::string::npos)
      << out.str();
}

// A bare-metal run's timed fork with its events and PMU cycles, and a
// micro-benchmark with cycles but no events.
struct ValidateFixture {
  Timings timings = {
      {"fork/lazy_cow/dense/1MiB",
       Measured{{1.0}, {{"cycles", 10000}, {"tlbi.vale1", 100}}}},
      {"isb", Measured{{1.0}, {{"cycles", 10}}}}};
  std::map<std::string, std::string> context = {{"ttbench_world", "baremetal"},
                                                {"kvm", "true"}};
  CostModel costs = *CostModel::Parse(ValidModel().dump(), "c.json");

  ValidationInput Input(bool allow_emulated = false) {
    return {&timings, &context, "bm.json", &costs, allow_emulated};
  }
};

TEST(Validate, PredictsEachCountedWorkloadAtEveryPointOfTheRanges) {
  ValidateFixture f;
  const absl::StatusOr<std::vector<Prediction>> p = Predict(f.Input());
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 1u);  // The micro-benchmark counted no event.
  const Prediction& fork = (*p)[0];
  EXPECT_EQ(fork.workload, "fork/lazy_cow/dense/1MiB");
  EXPECT_EQ(fork.measured, 10000);
  EXPECT_EQ(fork.low, 100);  // 100 TLBIs at 1, 2 and 4 cycles.
  EXPECT_EQ(fork.typical, 200);
  EXPECT_EQ(fork.high, 400);
  EXPECT_DOUBLE_EQ(fork.error(), -0.98);
  EXPECT_FALSE(fork.within());
  const std::string table = ValidationTable(*p, f.Input());
  EXPECT_NE(table.find("-98.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("0 of 1 workloads measured inside"), std::string::npos);
  EXPECT_EQ(table.find("QEMU"), std::string::npos);
}

TEST(Validate, RefusesEmulatedRunsUnlessAllowedAndThenSaysWhatTheyMean) {
  ValidateFixture f;
  f.context["kvm"] = "false";
  EXPECT_NE(std::string(Predict(f.Input()).status().message())
                .find("bm.json: measured under QEMU TCG"),
            std::string::npos);
  const absl::StatusOr<std::vector<Prediction>> p = Predict(f.Input(true));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_NE(ValidationTable(*p, f.Input(true))
                .find("these errors say nothing about any core"),
            std::string::npos);
  f.timings.erase("fork/lazy_cow/dense/1MiB");
  EXPECT_NE(std::string(Predict(f.Input(true)).status().message())
                .find("no workload with both event counts and PMU cycles"),
            std::string::npos);
  f.context.erase("ttbench_world");
  EXPECT_NE(std::string(Predict(f.Input(true)).status().message())
                .find("not a bare-metal result set"),
            std::string::npos);
}

}  // namespace
}  // namespace ttb::bench
