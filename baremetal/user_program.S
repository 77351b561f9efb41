// The EL0 workload, copied into each first process's text page. It uses
// only registers and its data pages (PC-relative code, no literals), so it
// runs wherever it is mapped.
//   in:  x0 = data base, x1 = pages, x2 = 0 for the workload below, or
//        k+1 for fork + write k%: fork, the child exits at once, the parent
//        writes the first k% of its pages while the child lives, collects
//        it, and reports the CNTVCT ticks from before fork to the end;
//        x3 = log2 of the page size.
//   svc: x8 = 0 exit(x0), 1 fork() -> child pid or 0, 2 wait(x0) -> status,
//        3 report(x0 = CNTVCT ticks, x1 = writes, x2 = 0 child / 1 parent),
//        4 yield(), 5 write(x0 = text, x1 = bytes)
// The parent stores i in page i and forks. The child checks it sees them,
// overwrites each page (a CoW fault per page) and exits 0. The parent waits,
// checks its pages kept their values, overwrites them too and exits with
// the child's status: 0 means both sides kept their own data.
    .section .text.user, "ax"
    .balign 4096
    .global user_program_start, user_program_end
user_program_start:
    mov     x19, x0
    mov     x20, x1
    mov     x15, x3                 // Page shift.
    cbnz    x2, fork_write
    mov     x21, #0
1:  lsl     x9, x21, x15
    strb    w21, [x19, x9]
    add     x21, x21, #1
    cmp     x21, x20
    b.lo    1b
    mov     x8, #1
    svc     #0
    cbz     x0, child
    mov     x8, #2
    svc     #0
    mov     x23, x0                 // The child's status.
    mov     w12, #0x55
    mov     x2, #1
    bl      timed_check_and_overwrite
    cbnz    x0, fail
    mov     x0, x23
    b       exit
child:
    mov     x8, #4                  // Yield: the parent waits, so the
    svc     #0                      // child is the only one to run.
    adr     x0, greeting
    mov     x1, #(greeting_end - greeting)
    mov     x8, #5
    svc     #0
    mov     w12, #0xAA
    mov     x2, #0
    bl      timed_check_and_overwrite
    cbnz    x0, fail
    mov     x0, #0
    b       exit
fail:
    mov     x0, #1
exit:
    mov     x8, #0
    svc     #0
4:  b       4b

fork_write:
    sub     x22, x2, #1             // k
    mul     x22, x22, x20
    mov     x9, #100
    udiv    x22, x22, x9            // Pages to write.
    isb
    mrs     x24, cntvct_el0
    mov     x8, #1
    svc     #0
    cbnz    x0, 7f
    mov     x8, #0                  // The child exits at once.
    svc     #0
7:  mov     x23, x0
    mov     x21, #0
    mov     w12, #0x77
8:  cmp     x21, x22
    b.hs    9f
    lsl     x9, x21, x15
    strb    w12, [x19, x9]
    add     x21, x21, #1
    b       8b
9:  mov     x0, x23
    mov     x8, #2
    svc     #0
    isb
    mrs     x25, cntvct_el0
    sub     x0, x25, x24
    mov     x1, #1
    add     x2, x22, #2             // report kind: 2 + pages written.
    mov     x8, #3
    svc     #0
    mov     x0, #0
    b       exit

// check_and_overwrite, timed with CNTVCT_EL0 and reported (x2 says who).
timed_check_and_overwrite:
    mov     x26, x30
    mov     x27, x2
    isb
    mrs     x24, cntvct_el0
    bl      check_and_overwrite
    isb
    mrs     x25, cntvct_el0
    mov     x28, x0
    sub     x0, x25, x24
    mov     x1, x20
    mov     x2, x27
    mov     x8, #3
    svc     #0
    mov     x0, x28
    ret     x26

// Page i must still hold i; then it takes w12, which must read back.
// Returns x0 = 0, or 1 at the first page that fails.
check_and_overwrite:
    mov     x21, #0
5:  lsl     x9, x21, x15
    ldrb    w10, [x19, x9]
    and     x11, x21, #0xff
    cmp     x10, x11
    b.ne    6f
    strb    w12, [x19, x9]
    ldrb    w10, [x19, x9]
    cmp     w10, w12
    b.ne    6f
    add     x21, x21, #1
    cmp     x21, x20
    b.lo    5b
    mov     x0, #0
    ret
6:  mov     x0, #1
    ret
greeting:
    .ascii  "child running at EL0"
greeting_end:
    .balign 4
user_program_end:
