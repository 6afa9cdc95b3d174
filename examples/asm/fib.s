; fib.s -- the Fibonacci numbers, in a loop.
;
; Teaches: registers as variables, a backward jump (a loop), and that a program's answer is
; whatever r0 holds when it exits. Jump offsets count instructions after the jump itself:
; "goto -7" from instruction 11 lands on 11 + 1 - 7 = 5.
;
;   bpfvm run examples/asm/fib.s              r0 = 0x37 (55), fib(10)
;   bpfvm run examples/asm/fib.s --mem 14     r0 = 0x1a6d (6765), fib(0x14) = fib(20)
;   bpfvm run examples/asm/fib.s --trace      watch each instruction as it runs
;
; r1/r2 hold the input memory and its length; the first byte, if any, is n.
        r3 = 10                         ; n when there is no input
        if r2 == 0 goto +1
        r3 = *(u8 *)(r1 + 0)            ; n = first input byte
        r0 = 0                          ; a = fib(0)
        r4 = 1                          ; b = fib(1)
        if r3 == 0 goto +6              ; 5: loop while n != 0
        r5 = r0
        r5 += r4                        ; (a, b) = (b, a + b)
        r0 = r4
        r4 = r5
        r3 -= 1
        goto -7                         ; back to 5
        exit
