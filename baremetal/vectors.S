// EL1 exception vectors (16 entries of 0x80 bytes, 2 KiB aligned). Only a
// synchronous exception from EL0 (SVC, data or instruction abort) is
// expected; everything else is reported and ends the run.
    .section .text.vectors, "ax"
    .balign 0x800
    .global vectors
vectors:
    .rept 4                       // Current EL with SP_EL0.
    .balign 0x80
    b       unexpected_exception
    .endr
    .balign 0x80                  // Current EL with SP_ELx, synchronous.
    b       el1_sync
    .rept 3
    .balign 0x80
    b       unexpected_exception
    .endr
    .balign 0x80                  // Lower EL, AArch64, synchronous.
    b       el0_sync
    .rept 7
    .balign 0x80
    b       unexpected_exception
    .endr

// A BRK at EL1 returns to the next instruction: the benchmarks time an
// exception's entry and return with it. Anything else is unexpected.
el1_sync:
    stp     x9, x10, [sp, #-16]!
    mrs     x9, esr_el1
    lsr     x9, x9, #26
    cmp     x9, #0x3c             // EC: BRK from AArch64.
    b.ne    1f
    mrs     x9, elr_el1
    add     x9, x9, #4
    msr     elr_el1, x9
    ldp     x9, x10, [sp], #16
    eret
1:  ldp     x9, x10, [sp], #16
    b       unexpected_exception

// The saved user context: x0-x30, SP_EL0, ELR_EL1, SPSR_EL1 (struct Frame).
    .equ    FRAME, 272

el0_sync:
    sub     sp, sp, #FRAME
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x9, sp_el0
    stp     x30, x9, [sp, #240]
    mrs     x9, elr_el1
    mrs     x10, spsr_el1
    stp     x9, x10, [sp, #256]
    mov     x0, sp
    bl      el0_sync_handler      // May replace the frame (a switch).
    b       restore

// enter_user(frame): returns to EL0 with the context in `frame`, which must
// sit FRAME bytes below the kernel stack's top.
    .global enter_user
enter_user:
    mov     sp, x0
restore:
    ldp     x9, x10, [sp, #256]
    msr     elr_el1, x9
    msr     spsr_el1, x10
    ldp     x30, x9, [sp, #240]
    msr     sp_el0, x9
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    add     sp, sp, #FRAME
    eret
