// Entry from QEMU: CPU 0 only, at EL2 or EL1. Drops to EL1, sets the stack,
// clears BSS, installs the vectors, enables FP/SIMD (the compiler may use
// it in C++ code built without -mgeneral-regs-only) and calls kernel_main,
// whose return value is the exit status.
    .section .text.boot, "ax"
    .global _start
_start:
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbz     x0, 1f
0:  wfe
    b       0b
1:  mrs     x0, CurrentEL
    lsr     x0, x0, #2
    cmp     x0, #2
    b.ne    el1_entry
    // EL2: EL1 runs AArch64 (HCR_EL2.RW) with the counters untrapped.
    mov     x0, #(1 << 31)
    msr     hcr_el2, x0
    mov     x0, #3
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr
    mov     x0, #0x3c5              // EL1h with D, A, I, F masked.
    msr     spsr_el2, x0
    adr     x0, el1_entry
    msr     elr_el2, x0
    eret
el1_entry:
    // The top 272 bytes of the stack hold the saved EL0 context (struct
    // Frame in kernel.cc); kernel code runs below them.
    ldr     x0, =__stack_top
    sub     sp, x0, #272
    mov     x0, #(3 << 20)          // CPACR_EL1.FPEN: no FP/SIMD traps.
    msr     cpacr_el1, x0
    mov     x0, #(1 << 1)           // CNTKCTL_EL1.EL0VCTEN: EL0 reads CNTVCT.
    msr     cntkctl_el1, x0
    isb
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
2:  cmp     x0, x1
    b.hs    3f
    str     xzr, [x0], #8
    b       2b
3:  ldr     x0, =vectors
    msr     vbar_el1, x0
    isb
    bl      kernel_main
    bl      semihosting_exit
4:  b       4b
