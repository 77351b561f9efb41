// System register access for the bare-metal image.
#ifndef TTBENCH_BAREMETAL_SYSREG_H_
#define TTBENCH_BAREMETAL_SYSREG_H_

#include <stdint.h>

#define TTB_READ_SYSREG(reg)                         \
  ({                                                 \
    uint64_t ttb_value;                              \
    asm volatile("mrs %0, " #reg : "=r"(ttb_value)); \
    ttb_value;                                       \
  })

#define TTB_WRITE_SYSREG(reg, value)               \
  asm volatile("msr " #reg ", %0"                  \
               :                                   \
               : "r"(static_cast<uint64_t>(value)) \
               : "memory")

#endif  // TTBENCH_BAREMETAL_SYSREG_H_
