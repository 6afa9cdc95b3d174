; fnv1a.s -- the 32-bit FNV-1a hash of the input memory.
;
; Teaches: walking memory with a pointer (r3) up to an end pointer (r4 = r1 + r2), byte
; loads, and 32-bit arithmetic: a "w" register is the low half of the "r" register, and every
; w-operation wraps at 2^32 and clears the upper half -- exactly what FNV-1a needs.
;
;   bpfvm run examples/asm/fnv1a.s --mem 68656c6c6f   r0 = 0x4f9f2cab ("hello")
;   bpfvm run examples/asm/fnv1a.s                    r0 = 0x811c9dc5 (the empty input)
        w0 = -2128831035                ; offset basis 0x811c9dc5
        r3 = r1                         ; cursor
        r4 = r1
        r4 += r2                        ; end of the input
        if r3 >= r4 goto +5             ; 4: done when the cursor reaches the end
        r5 = *(u8 *)(r3 + 0)
        w0 ^= w5                        ; hash ^= byte
        w0 *= 16777619                  ; hash *= FNV prime 0x01000193
        r3 += 1
        goto -6                         ; back to 4
        exit
