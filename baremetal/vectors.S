// EL1 exception vectors: 16 entries of 0x80 bytes in a 2 KiB aligned table.
// For now every exception is unexpected: the handler reports it and exits.
    .section .text.vectors, "ax"
    .balign 0x800
    .global vectors
vectors:
    .rept 16
    .balign 0x80
    b       unexpected_exception
    .endr
