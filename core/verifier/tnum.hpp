#pragma once
// Tracked numbers (the kernel's kernel/bpf/tnum.c): a value of which some bits are known.
// `value` holds the known bits, `mask` the unknown ones (a bit is never set in both).
#include <cstdint>

namespace bpfplay::verifier {

struct Tnum {
    uint64_t value = 0;
    uint64_t mask = ~0ull;

    static constexpr Tnum constant(uint64_t v) { return {v, 0}; }
    static constexpr Tnum unknown() { return {0, ~0ull}; }
    bool is_const() const { return mask == 0; }
    friend bool operator==(const Tnum&, const Tnum&) = default;
};

// The smallest tnum holding every value of [min, max].
inline Tnum tnum_range(uint64_t min, uint64_t max) {
    const uint64_t chi = min ^ max;
    if (chi == 0) return Tnum::constant(min);
    const int bits = 64 - __builtin_clzll(chi);
    if (bits > 63) return Tnum::unknown();
    const uint64_t delta = (1ull << bits) - 1;
    return {min & ~delta, delta};
}
inline Tnum tnum_add(Tnum a, Tnum b) {
    const uint64_t sm = a.mask + b.mask, sv = a.value + b.value, sigma = sm + sv;
    const uint64_t chi = sigma ^ sv, mu = chi | a.mask | b.mask;
    return {sv & ~mu, mu};
}
inline Tnum tnum_sub(Tnum a, Tnum b) {
    const uint64_t dv = a.value - b.value, alpha = dv + a.mask, beta = dv - b.mask;
    const uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;
    return {dv & ~mu, mu};
}
inline Tnum tnum_and(Tnum a, Tnum b) {
    const uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;
    return {v, alpha & beta & ~v};
}
inline Tnum tnum_or(Tnum a, Tnum b) {
    const uint64_t v = a.value | b.value, mu = a.mask | b.mask;
    return {v, mu & ~v};
}
inline Tnum tnum_xor(Tnum a, Tnum b) {
    const uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;
    return {v & ~mu, mu};
}
inline Tnum tnum_lshift(Tnum a, unsigned s) { return {a.value << s, a.mask << s}; }
inline Tnum tnum_rshift(Tnum a, unsigned s) { return {a.value >> s, a.mask >> s}; }
inline Tnum tnum_arshift(Tnum a, unsigned s, unsigned width) {
    if (width == 32) return {uint64_t(uint32_t(int32_t(uint32_t(a.value)) >> s)), uint64_t(uint32_t(int32_t(uint32_t(a.mask)) >> s))};
    return {uint64_t(int64_t(a.value) >> s), uint64_t(int64_t(a.mask) >> s)};
}
// The kernel's tnum_mul: long multiplication, one bit of b at a time.
inline Tnum tnum_mul(Tnum a, Tnum b) {
    Tnum acc_v = Tnum::constant(a.value * b.value), acc_m = Tnum::constant(0);
    while (a.value || a.mask) {
        if (a.value & 1) acc_m = tnum_add(acc_m, Tnum{0, b.mask});
        else if (a.mask & 1) acc_m = tnum_add(acc_m, Tnum{0, b.value | b.mask});
        a = tnum_rshift(a, 1);
        b = tnum_lshift(b, 1);
    }
    return tnum_add(acc_v, acc_m);
}
inline Tnum tnum_intersect(Tnum a, Tnum b) {
    const uint64_t v = a.value | b.value, mu = a.mask & b.mask;
    return {v & ~mu, mu};
}
// The low 32 bits, zero-extended.
inline Tnum tnum_subreg(Tnum a) { return {a.value & 0xffffffffull, a.mask & 0xffffffffull}; }
// Every value `b` may hold, `a` may hold too.
inline bool tnum_in(Tnum a, Tnum b) {
    if (b.mask & ~a.mask) return false;
    return a.value == (b.value & ~a.mask);
}

}  // namespace bpfplay::verifier
