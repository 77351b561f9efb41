// Output on QEMU virt's PL011 UART (0x0900_0000): text, hex and decimal.
#ifndef TTBENCH_BAREMETAL_CONSOLE_H_
#define TTBENCH_BAREMETAL_CONSOLE_H_

#include <stdint.h>

namespace ttb::baremetal {

void Print(const char* text);
void PrintHex(uint64_t value);
void PrintDec(uint64_t value);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_CONSOLE_H_
