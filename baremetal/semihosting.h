// Arm semihosting, which QEMU's -semihosting option serves: ends the
// emulation with an exit status.
#ifndef TTBENCH_BAREMETAL_SEMIHOSTING_H_
#define TTBENCH_BAREMETAL_SEMIHOSTING_H_

#include <stdint.h>

extern "C" [[noreturn]] void semihosting_exit(uint64_t status);

namespace ttb::baremetal {

// The command line QEMU passes (the image's path, then -append's text),
// NUL-terminated in `buffer`; false when there is none.
bool SemihostingCommandLine(char* buffer, uint64_t size);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_SEMIHOSTING_H_
