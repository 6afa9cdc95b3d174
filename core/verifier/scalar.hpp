#pragma once
// What the checker knows of a 64-bit number: unsigned and signed bounds plus known bits, kept
// consistent with each other the way the kernel's reg_bounds_sync() keeps them. The same
// struct is a pointer's variable offset.
// The low half's unsigned range is kept apart (the kernel's u32_min/u32_max_value): a JMP32
// comparison bounds the word of a register whose upper half is unknown (the result of a 32-bit
// pointer subtraction, w6 = data_end - data), and a 32-bit mov then gives exactly that range.
#include <cstdint>

#include "core/verifier/tnum.hpp"

namespace bpfplay::verifier {

struct Scalar {
    Tnum var = Tnum::unknown();
    uint64_t umin = 0, umax = ~0ull;
    int64_t smin = INT64_MIN, smax = INT64_MAX;
    uint32_t u32min = 0, u32max = UINT32_MAX;

    static Scalar unknown() { return {}; }
    static Scalar constant(uint64_t v) {
        return {Tnum::constant(v), v, v, int64_t(v), int64_t(v), uint32_t(v), uint32_t(v)};
    }
    static Scalar range(uint64_t lo, uint64_t hi);  // unsigned [lo, hi]
    bool is_const() const { return var.is_const(); }
    uint64_t value() const { return var.value; }
    // Bounds and known bits of `other` are all inside ours.
    bool covers(const Scalar& other) const;
    void sync();  // reg_bounds_sync(): each view narrows the others
    // Some view is empty: no number has all these properties (a branch that cannot be taken).
    bool empty() const;
    friend bool operator==(const Scalar&, const Scalar&) = default;
};

// The ALU operations the checker tracks (BPF_ADD..BPF_ARSH, BPF_NEG, BPF_MOV).
enum class AluOp : uint8_t { Add, Sub, Mul, Div, Mod, Or, And, Xor, Lsh, Rsh, Arsh, Neg, Mov };

// dst = dst OP src on 64 bits (alu64) or on the low 32 bits, zero-extended (alu32), as the
// kernel's adjust_scalar_min_max_vals computes it: sound, never narrower than the truth.
Scalar scalar_alu(AluOp op, const Scalar& dst, const Scalar& src, bool alu32);
// The low 32 bits, zero-extended (what a 32-bit mov or ALU op leaves in the register).
Scalar scalar_zext32(const Scalar& s);

}  // namespace bpfplay::verifier
