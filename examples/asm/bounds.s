; bounds.s -- read a little-endian 32-bit number from the input, safely.
;
; Teaches: the VM checks every load against the memory a program may touch. A program must
; check the length (r2) itself before it reads: here the answer is 0xffffffff when the input
; is shorter than 4 bytes.
;
;   bpfvm run examples/asm/bounds.s --mem 78563412   r0 = 0x12345678 (305419896)
;   bpfvm run examples/asm/bounds.s --mem 0102       r0 = 0xffffffff (4294967295)
;
; Try it: delete the "if" line and run with --mem 0102 to see how the VM reports a load past
; the end of the input.
        w0 = -1                         ; the answer for short input
        if r2 < 4 goto +1
        r0 = *(u32 *)(r1 + 0)
        exit
