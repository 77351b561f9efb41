# Freestanding AArch64 with Debian's clang and ld.lld: no C or C++ library,
# no exceptions or RTTI. FP/SIMD registers stay unused (-mgeneral-regs-only)
# and accesses aligned (-mstrict-align) so code is safe before the MMU is on.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_CXX_COMPILER_TARGET aarch64-none-elf)
set(CMAKE_ASM_COMPILER_TARGET aarch64-none-elf)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_CXX_FLAGS_INIT
    "-ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -mgeneral-regs-only -mstrict-align")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -nostdlib -static")
