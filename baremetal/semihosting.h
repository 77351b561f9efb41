// Arm semihosting, which QEMU's -semihosting option serves: ends the
// emulation with an exit status.
#ifndef TTBENCH_BAREMETAL_SEMIHOSTING_H_
#define TTBENCH_BAREMETAL_SEMIHOSTING_H_

#include <stdint.h>

extern "C" [[noreturn]] void semihosting_exit(uint64_t status);

#endif  // TTBENCH_BAREMETAL_SEMIHOSTING_H_
