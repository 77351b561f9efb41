#include "bench/results/calibrate.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/sim/tlb_profile.h"

namespace ttb::bench {
namespace {

// A base cost model with one range of each kind calibrate handles: a page
// TLBI split from its batch, another TLBI less its DSB, a DSB and the
// waits it adds, a figure measured whole, a range TLBI, and ones no
// micro-benchmark on one PE measures.
nlohmann::json Base() {
  nlohmann::json costs;
  for (const char* event :
       {"tlbi.vale1is", "tlbi.aside1is", "tlbi.vae1", "dsb.ish", "dsb.nsh",
        "tlbi_completions.local", "tlbi_completions.broadcast", "isb",
        "pages_copied", "tlbi.rvale1is", "descriptor_reads",
        "broadcast_tlbi.per_other_pe"}) {
    costs[event] = {
        {"low", 1}, {"typical", 2}, {"high", 3}, {"source", "a paper"}};
  }
  return {{"profile", "neoverse-n1-80"},
          {"core", "neoverse-n1"},
          {"note", "published"},
          {"costs", costs}};
}

Measured Cycles(double c) { return Measured{{1.0}, {{"cycles", c}}}; }

// Local: c(1) = 100, c(16) = 850: 50 a TLBI, 50 for the DSB.
// Inner: c(1) = 400, c(16) = 2650: 150 a TLBI, 250 for the DSB.
Timings Run() {
  return {{"tlbi/vale1+dsb_nsh", Cycles(100)},
          {"tlbi/vale1*16+dsb_nsh", Cycles(850)},
          {"tlbi/vale1is+dsb_ish", Cycles(400)},
          {"tlbi/vale1is*16+dsb_ish", Cycles(2650)},
          {"tlbi/aside1is+dsb_ish", Cycles(3250)},
          {"tlbi/vae1+dsb_nsh", Cycles(30)},  // Below the DSB: noise.
          {"isb", Cycles(12)},
          {"copy/4KiB", Cycles(900)},
          {"dsb/ish", Cycles(20)},
          {"dsb/nsh", Cycles(10)}};
}

std::map<std::string, std::string> Kvm(const std::string& midr = "0x0") {
  return {{"ttbench_world", "baremetal"},
          {"kvm", "true"},
          {"midr", midr},
          {"timing", "KVM"},
          {"ttbench_commit", "abc1234"},
          {"date", "2026-11-25"}};
}

struct Fixture {
  Timings timings = Run();
  std::map<std::string, std::string> context = Kvm();
  nlohmann::json base = Base();

  absl::StatusOr<Calibration> Calibrate(bool allow_emulated = false) {
    CalibrationInput in;
    in.baremetal = &timings;
    in.context = &context;
    in.source = "run.json";
    in.base = &base;
    in.allow_emulated = allow_emulated;
    return bench::Calibrate(in);
  }
};

// A measured figure: its range collapsed onto one point.
double Figure(const Calibration& c, const char* event) {
  const nlohmann::json& r = c.costs["costs"][event];
  EXPECT_EQ(r["low"], r["typical"]) << event;
  EXPECT_EQ(r["high"], r["typical"]) << event;
  return r["typical"].get<double>();
}

TEST(Calibrate, SplitsATlbiFromTheDsbThatCompletesIt) {
  Fixture f;
  const absl::StatusOr<Calibration> c = f.Calibrate();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi.vale1is"), 150);
  // The intercept is the DSB alone plus its wait for the TLBI.
  EXPECT_DOUBLE_EQ(Figure(*c, "dsb.ish"), 20);
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi_completions.broadcast"), 230);
  EXPECT_DOUBLE_EQ(Figure(*c, "dsb.nsh"), 10);
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi_completions.local"), 40);
  // Whole-ASID flush: its one measurement less the DSB's intercept.
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi.aside1is"), 3000);
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi.vae1"), 0);  // 30 - 50, not negative.
  EXPECT_DOUBLE_EQ(Figure(*c, "isb"), 12);
  EXPECT_DOUBLE_EQ(Figure(*c, "pages_copied"), 900);
  const std::string source =
      c->costs["costs"]["tlbi.vale1is"]["source"].get<std::string>();
  EXPECT_NE(source.find("measured: slope of tlbi/vale1is+dsb_ish and "
                        "tlbi/vale1is*16+dsb_ish"),
            std::string::npos)
      << source;
  EXPECT_NE(source.find("run.json (KVM; MIDR 0x0; ttbench commit abc1234"),
            std::string::npos)
      << source;
}

TEST(Calibrate, KeepsWhatTheRunDoesNotMeasureAndSaysSo) {
  Fixture f;
  const absl::StatusOr<Calibration> c = f.Calibrate();
  ASSERT_TRUE(c.ok()) << c.status();
  // No range TLBI on this core, no benchmark of descriptor reads, and one
  // PE cannot show what each other PE adds to a broadcast.
  EXPECT_EQ(c->kept,
            (std::vector<std::string>{"broadcast_tlbi.per_other_pe",
                                      "descriptor_reads", "tlbi.rvale1is"}));
  EXPECT_EQ(c->measured.size(), 9u);
  EXPECT_EQ(c->costs["costs"]["descriptor_reads"],
            f.base["costs"]["descriptor_reads"]);
  const std::string note = c->costs["note"];
  EXPECT_NE(note.find("9 figures measured (their ranges replaced by the "
                      "point); 3 ranges kept from the neoverse-n1-80 profile "
                      "(broadcast_tlbi.per_other_pe, descriptor_reads, "
                      "tlbi.rvale1is)"),
            std::string::npos)
      << note;
}

TEST(Calibrate, NoiseCannotMakeAFigureNegative) {
  Fixture f;
  f.timings["tlbi/vale1is*16+dsb_ish"] = Cycles(300);  // Below one TLBI.
  const absl::StatusOr<Calibration> c = f.Calibrate();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi.vale1is"), 0);
  EXPECT_DOUBLE_EQ(Figure(*c, "tlbi_completions.broadcast"), 380);
}

std::string Error(Fixture& f, bool allow_emulated = false) {
  const absl::StatusOr<Calibration> c = f.Calibrate(allow_emulated);
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(Calibrate, RefusesTheEmulatorUnlessAllowed) {
  Fixture f;
  f.context["kvm"] = "false";
  EXPECT_NE(Error(f).find("run.json: measured under QEMU TCG"),
            std::string::npos);
  EXPECT_EQ(Error(f, /*allow_emulated=*/true), "");
}

TEST(Calibrate, RefusesHostRunsOldImagesAndCoresWithoutAPmu) {
  Fixture host;
  host.context.erase("ttbench_world");
  EXPECT_NE(Error(host).find("not a bare-metal result set"), std::string::npos);

  Fixture old;
  old.timings.erase("tlbi/vale1is*16+dsb_ish");
  EXPECT_NE(Error(old).find("lacks tlbi/vale1is*16+dsb_ish"),
            std::string::npos);

  Fixture no_pmu;
  no_pmu.timings["isb"].counters.clear();
  EXPECT_NE(Error(no_pmu).find("isb has no cycle count"), std::string::npos);
}

TEST(Calibrate, RefusesABaseProfileOtherThanTheCoreMeasured) {
  Fixture f;
  f.context = Kvm("0x410fd083");  // Cortex-A72 r0p3.
  EXPECT_NE(Error(f).find("MIDR 0x410fd083 is a cortex-a72, not a "
                          "neoverse-n1 (use a --profile of that core, such as "
                          "cortex-a72)"),
            std::string::npos);
  f.base["core"] = "cortex-a72";
  EXPECT_EQ(Error(f), "");
}

TEST(ProfileOfMidr, NamesTheCoresWithProfiles) {
  EXPECT_EQ(ProfileOfMidr("0x410fd034"), "cortex-a53");
  EXPECT_EQ(ProfileOfMidr("0x410fd083"), "cortex-a72");
  EXPECT_EQ(ProfileOfMidr("0x414fd0c1"), "neoverse-n1");
  EXPECT_EQ(ProfileOfMidr("0xf0510"), "");     // QEMU max.
  EXPECT_EQ(ProfileOfMidr("0x410fd400"), "");  // Neoverse V1: no profile.
  EXPECT_EQ(ProfileOfMidr("0x51"), "");        // Not Arm's.
  EXPECT_EQ(ProfileOfMidr("0xzz"), "");
  EXPECT_EQ(ProfileOfMidr(""), "");
  for (const char* midr : {"0x410fd034", "0x410fd083", "0x414fd0c1"}) {
    const std::string name = ProfileOfMidr(midr);
    const auto& profiles = sim::TlbProfiles();
    EXPECT_TRUE(
        std::any_of(profiles.begin(), profiles.end(),
                    [&](const sim::TlbProfile& p) { return name == p.name; }))
        << name;
  }
}

}  // namespace
}  // namespace ttb::bench
