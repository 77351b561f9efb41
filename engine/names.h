// Names both worlds write and the results library reads: the events the
// simulator and the bare-metal image count, and the bare-metal micro-
// benchmarks' names. Freestanding, so the image, the driver and the
// reports share one spelling and neither side includes the other.
#ifndef TTBENCH_ENGINE_NAMES_H_
#define TTBENCH_ENGINE_NAMES_H_

#include "engine/arch.h"
#include "engine/tlbi.h"

namespace ttb {

// Events in one fixed order: each TLBI kind, local then inner shareable
// ("tlbi.vale1", "tlbi.vale1is"), each DSB ("dsb.ish"), then these.
enum class Event : unsigned char {
  kIsb,
  kTtbr0Writes,
  kWalks,
  kDescriptorReads,
  kTlbHits,
  kFaults,  // Taken, handled or delivered.
  kContextSwitches,
  kIpis,
  // In 4 KiB units, the unit their costs are priced in: a 64 KiB page
  // copied (or table allocated and zeroed) counts 16.
  kPagesCopied,
  kTablesAllocated,
  kFramesShared,
  kInstructionSyncs,
  // DSBs that waited for TLB maintenance to complete (ArchCounters::
  // tlbi_completions): local only, or broadcast.
  kLocalTlbiCompletions,
  kBroadcastTlbiCompletions,
  // Descriptors the kernel's software walk of the tables read and wrote
  // (engine/table_walk.h), apart from the hardware walker's reads.
  kSoftwareDescriptorReads,
  kSoftwareDescriptorWrites,
};
inline constexpr int kEventCount = 16;

constexpr const char* EventName(Event e) {
  switch (e) {
    case Event::kIsb:
      return "isb";
    case Event::kTtbr0Writes:
      return "ttbr0_writes";
    case Event::kWalks:
      return "walks";
    case Event::kDescriptorReads:
      return "descriptor_reads";
    case Event::kTlbHits:
      return "tlb_hits";
    case Event::kFaults:
      return "faults";
    case Event::kContextSwitches:
      return "context_switches";
    case Event::kIpis:
      return "ipis";
    case Event::kPagesCopied:
      return "pages_copied";
    case Event::kTablesAllocated:
      return "tables_allocated";
    case Event::kFramesShared:
      return "frames_shared";
    case Event::kInstructionSyncs:
      return "instruction_syncs";
    case Event::kLocalTlbiCompletions:
      return "tlbi_completions.local";
    case Event::kBroadcastTlbiCompletions:
      return "tlbi_completions.broadcast";
    case Event::kSoftwareDescriptorReads:
      return "sw_descriptor_reads";
    case Event::kSoftwareDescriptorWrites:
      return "sw_descriptor_writes";
  }
  return "?";
}
static_assert(EventName(static_cast<Event>(kEventCount - 1))[0] != '?');

// Where each event sits in that order.
constexpr int TlbiEventIndex(tlbi::Op op, bool inner) {
  return static_cast<int>(op) * 2 + (inner ? 1 : 0);
}
constexpr int DsbEventIndex(Barrier b) {
  return tlbi::kOpCount * 2 + static_cast<int>(b);
}
constexpr int EventIndex(Event e) {
  return tlbi::kOpCount * 2 + kBarrierCount + static_cast<int>(e);
}
inline constexpr int kAllEventCount = EventIndex(Event{}) + kEventCount;

// A name built in a fixed buffer: freestanding code has no strings. Room
// for every name below with a strategy's name inside.
class Name {
 public:
  constexpr Name& operator<<(const char* s) {
    while (*s != '\0') Put(*s++);
    return *this;
  }
  // A number in decimal.
  constexpr Name& operator<<(uint64_t n) {
    char digits[20] = {};
    int count = 0;
    do {
      digits[count++] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    while (count > 0) Put(digits[--count]);
    return *this;
  }
  constexpr const char* c_str() const { return text_; }

 private:
  constexpr void Put(char c) {
    if (length_ + 1 < sizeof(text_)) text_[length_++] = c;
  }
  char text_[64] = {};
  unsigned length_ = 0;
};

// "tlbi.vale1", "tlbi.vale1is"; "dsb.ish".
constexpr Name TlbiEventName(tlbi::Op op, bool inner) {
  return Name() << "tlbi." << tlbi::OpName(op) << (inner ? "is" : "");
}
constexpr Name DsbEventName(Barrier b) {
  return Name() << "dsb." << BarrierName(b);
}

// The strategy every report sets beside the others as what arm64 Linux's
// fork does (variants/linux_fork.h).
inline constexpr char kLinuxReference[] = "linux_fork";

// TLBIs issued back to back before one DSB in the batched micro-benchmarks
// ("tlbi/vale1is*16+dsb_ish"). With the single ones they separate a TLBI's
// issue cost (the slope) from the completion the DSB waits for (the
// intercept), as the cost model charges them.
inline constexpr int kTlbiBatch = 16;
static_assert(kTlbiBatch > 1);  // A slope needs two points.

// The micro-benchmark of `count` TLBIs of `op` and the DSB completing
// them: "tlbi/<op>[is][_512pages][*<count>]+dsb_<ish|nsh>"; range forms
// cover 512 pages.
constexpr Name TlbiBenchmarkName(tlbi::Op op, bool inner, int count) {
  const bool range = op == tlbi::Op::kRvae1 || op == tlbi::Op::kRvale1;
  Name name;
  name << "tlbi/" << tlbi::OpName(op) << (inner ? "is" : "")
       << (range ? "_512pages" : "");
  if (count > 1) name << "*" << static_cast<uint64_t>(count);
  return name << (inner ? "+dsb_ish" : "+dsb_nsh");
}

// A dense fork of `mib` MiB by `strategy`, named as the simulator's
// workload registry names it ("fork/<strategy>/dense/<N>MiB"), so the
// image's fork and the simulator's share a row of the report.
constexpr Name DenseForkBenchmarkName(const char* strategy, uint64_t mib) {
  return Name() << "fork/" << strategy << "/dense/" << mib << "MiB";
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_NAMES_H_
