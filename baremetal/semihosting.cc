#include "baremetal/semihosting.h"

extern "C" [[noreturn]] void semihosting_exit(uint64_t status) {
  // SYS_EXIT_EXTENDED (0x20) with {ADP_Stopped_ApplicationExit, status}:
  // unlike SYS_EXIT it carries a non-zero status to QEMU's exit code.
  const uint64_t block[2] = {0x20026, status};
  register uint64_t op asm("x0") = 0x20;
  register const uint64_t* arg asm("x1") = block;
  asm volatile("hlt #0xf000" : : "r"(op), "r"(arg) : "memory");
  for (;;) {
  }
}

namespace ttb::baremetal {

bool SemihostingCommandLine(char* buffer, uint64_t size) {
  // SYS_GET_CMDLINE (0x15): {buffer, size} in, the length written back.
  uint64_t block[2] = {reinterpret_cast<uint64_t>(buffer), size};
  register uint64_t op asm("x0") = 0x15;
  register uint64_t* arg asm("x1") = block;
  asm volatile("hlt #0xf000" : "+r"(op) : "r"(arg) : "memory");
  return op == 0;
}

}  // namespace ttb::baremetal
