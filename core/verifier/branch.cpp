#include "core/verifier/branch.hpp"

#include <algorithm>

namespace bpfplay::verifier {

Cond negate(Cond c) {
    switch (c) {
    case Cond::Eq: return Cond::Ne;
    case Cond::Ne: return Cond::Eq;
    case Cond::Gt: return Cond::Le;
    case Cond::Ge: return Cond::Lt;
    case Cond::Lt: return Cond::Ge;
    case Cond::Le: return Cond::Gt;
    case Cond::Sgt: return Cond::Sle;
    case Cond::Sge: return Cond::Slt;
    case Cond::Slt: return Cond::Sge;
    case Cond::Sle: return Cond::Sgt;
    case Cond::Set: return Cond::NotSet;
    case Cond::NotSet: return Cond::Set;
    }
    return c;
}

Cond swap_sides(Cond c) {
    switch (c) {
    case Cond::Gt: return Cond::Lt;
    case Cond::Ge: return Cond::Le;
    case Cond::Lt: return Cond::Gt;
    case Cond::Le: return Cond::Ge;
    case Cond::Sgt: return Cond::Slt;
    case Cond::Sge: return Cond::Sle;
    case Cond::Slt: return Cond::Sgt;
    case Cond::Sle: return Cond::Sge;
    case Cond::Eq:
    case Cond::Ne:
    case Cond::Set:
    case Cond::NotSet: return c;  // symmetric
    }
    return c;
}

namespace {

bool is_signed(Cond c) { return c == Cond::Sgt || c == Cond::Sge || c == Cond::Slt || c == Cond::Sle; }

Taken taken64(Cond c, const Scalar& a, const Scalar& b) {
    auto yes_no = [](bool always, bool never) { return always ? Taken::Always : never ? Taken::Never : Taken::Maybe; };
    switch (c) {
    case Cond::Eq:
    case Cond::Ne: {
        const bool eq = a.is_const() && b.is_const() && a.value() == b.value();
        const bool disjoint = a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin ||
                              ((a.var.value ^ b.var.value) & ~(a.var.mask | b.var.mask)) != 0;
        return c == Cond::Eq ? yes_no(eq, disjoint) : yes_no(disjoint, eq);
    }
    case Cond::Gt: return yes_no(a.umin > b.umax, a.umax <= b.umin);
    case Cond::Ge: return yes_no(a.umin >= b.umax, a.umax < b.umin);
    case Cond::Lt: return yes_no(a.umax < b.umin, a.umin >= b.umax);
    case Cond::Le: return yes_no(a.umax <= b.umin, a.umin > b.umax);
    case Cond::Sgt: return yes_no(a.smin > b.smax, a.smax <= b.smin);
    case Cond::Sge: return yes_no(a.smin >= b.smax, a.smax < b.smin);
    case Cond::Slt: return yes_no(a.smax < b.smin, a.smin >= b.smax);
    case Cond::Sle: return yes_no(a.smax <= b.smin, a.smin > b.smax);
    case Cond::Set:
    case Cond::NotSet: {
        const bool some = (a.var.value & b.var.value) != 0;
        const bool none = ((a.var.value | a.var.mask) & (b.var.value | b.var.mask)) == 0;
        return c == Cond::Set ? yes_no(some, none) : yes_no(none, some);
    }
    }
    return Taken::Maybe;
}

// 32-bit comparisons are decided on the low halves; signed ones only when both halves are
// known to be non-negative as s32 (then signed and unsigned order agree).
bool fits32(const Scalar& s, Cond c) { return s.umax <= (is_signed(c) ? 0x7fffffffull : 0xffffffffull); }

Cond as_unsigned(Cond c) {
    switch (c) {
    case Cond::Sgt: return Cond::Gt;
    case Cond::Sge: return Cond::Ge;
    case Cond::Slt: return Cond::Lt;
    case Cond::Sle: return Cond::Le;
    case Cond::Eq: case Cond::Ne: case Cond::Gt: case Cond::Ge: case Cond::Lt: case Cond::Le: case Cond::Set:
    case Cond::NotSet: return c;  // no sign to drop
    }
    return c;
}

}  // namespace

Taken branch_taken(Cond c, const Scalar& a, const Scalar& b, bool is32) {
    if (!is32) return taken64(c, a, b);
    const Scalar a32 = scalar_zext32(a), b32 = scalar_zext32(b);
    if (!is_signed(c)) return taken64(c, a32, b32);
    if (fits32(a32, c) && fits32(b32, c)) return taken64(as_unsigned(c), a32, b32);
    if (a32.is_const() && b32.is_const()) {
        // Two known words (a negative `const volatile` setting from .rodata): compared as s32.
        auto sext = [](const Scalar& s) { return Scalar::constant(uint64_t(int64_t(int32_t(uint32_t(s.value()))))); };
        return taken64(c, sext(a32), sext(b32));
    }
    return Taken::Maybe;
}

// A register that is the sign extension of its low half (s32 bounds in 64 bits: a loaded int
// shifted up and arithmetically back down) compared as a word with a constant: what the kernel
// learns from its 32-bit bounds and carries to the 64-bit ones (__reg_deduce_mixed_bounds).
// A signed comparison of two such numbers is the 64-bit one; an unsigned upper bound of at most
// S32_MAX leaves only the non-negative words, whose 64-bit value is the word itself.
namespace {

bool sign_extended_word(const Scalar& s) { return s.smin >= INT32_MIN && s.smax <= INT32_MAX; }

// The low halves, zero-extended, compared as 64-bit numbers (exact for an unsigned or equality
// comparison), then what was learnt put back into the low half of each: false when the
// comparison cannot come out this way.
bool refine_low_halves(Cond c, Scalar& a, Scalar& b) {
    Scalar a32 = scalar_zext32(a), b32 = scalar_zext32(b);
    if (!refine(c, a32, b32, false)) return false;
    auto put_back = [](Scalar& whole, const Scalar& low) {
        whole.u32min = std::max(whole.u32min, uint32_t(low.umin));
        whole.u32max = std::min(whole.u32max, uint32_t(low.umax));
        constexpr uint64_t high = ~0ull << 32;
        const Tnum bits = tnum_intersect(tnum_subreg(whole.var), low.var);
        whole.var = {(whole.var.value & high) | bits.value, (whole.var.mask & high) | bits.mask};
        whole.sync();
        return !whole.empty();
    };
    return put_back(a, a32) && put_back(b, b32);
}

bool refine_sext32(Cond c, Scalar& a, Scalar& b) {
    if (is_signed(c) && sign_extended_word(a) && sign_extended_word(b)) return refine(c, a, b, false);
    if (!sign_extended_word(a) || !b.is_const() || b.value() > 0x7fffffffull) return true;
    if (c != Cond::Le && c != Cond::Lt) return true;
    const int64_t limit = int64_t(b.value()) - (c == Cond::Lt ? 1 : 0);
    if (limit < 0) return false;
    a.smin = std::max<int64_t>(a.smin, 0);
    a.smax = std::min<int64_t>(a.smax, limit);
    if (a.smin > a.smax) return false;
    a.umin = uint64_t(a.smin);
    a.umax = uint64_t(a.smax);
    a.var = tnum_intersect(a.var, tnum_range(a.umin, a.umax));
    a.sync();
    return true;
}

}  // namespace

bool refine(Cond c, Scalar& a, Scalar& b, bool is32) {
    if (is32) {
        // Only when the 64-bit values are the 32-bit ones is what holds for the low halves
        // true of the registers as a whole; otherwise an unsigned comparison still bounds the
        // low halves (their u32 range and known bits), as the kernel's reg_set_min_max does on
        // the 32-bit bounds before reg_bounds_sync carries them to the 64-bit ones.
        if (!fits32(a, c) || !fits32(b, c)) {
            if (!is_signed(c) && !refine_low_halves(c, a, b)) return false;
            return refine_sext32(c, a, b);
        }
        c = as_unsigned(c);
    }
    switch (c) {
    case Cond::Eq: {
        a.umin = b.umin = std::max(a.umin, b.umin);
        a.umax = b.umax = std::min(a.umax, b.umax);
        a.smin = b.smin = std::max(a.smin, b.smin);
        a.smax = b.smax = std::min(a.smax, b.smax);
        a.var = b.var = tnum_intersect(a.var, b.var);
        a.u32min = b.u32min = std::max(a.u32min, b.u32min);
        a.u32max = b.u32max = std::min(a.u32max, b.u32max);
        break;
    }
    case Cond::Ne: {
        // A constant at the edge of the other's range moves the edge.
        auto trim = [](Scalar& x, const Scalar& k) {
            if (!k.is_const()) return;
            const uint64_t v = k.value();
            if (x.umin == v && x.umin != ~0ull) x.umin++;
            else if (x.umax == v && x.umax != 0) x.umax--;
            if (x.smin == int64_t(v) && x.smin != INT64_MAX) x.smin++;
            else if (x.smax == int64_t(v) && x.smax != INT64_MIN) x.smax--;
        };
        trim(a, b);
        trim(b, a);
        break;
    }
    case Cond::Gt:
        if (b.umin == ~0ull || a.umax == 0) return false;
        a.umin = std::max(a.umin, b.umin + 1);
        b.umax = std::min(b.umax, a.umax - 1);
        break;
    case Cond::Ge:
        a.umin = std::max(a.umin, b.umin);
        b.umax = std::min(b.umax, a.umax);
        break;
    case Cond::Lt: return refine(Cond::Gt, b, a, false);
    case Cond::Le: return refine(Cond::Ge, b, a, false);
    case Cond::Sgt:
        if (b.smin == INT64_MAX || a.smax == INT64_MIN) return false;
        a.smin = std::max(a.smin, b.smin + 1);
        b.smax = std::min(b.smax, a.smax - 1);
        break;
    case Cond::Sge:
        a.smin = std::max(a.smin, b.smin);
        b.smax = std::min(b.smax, a.smax);
        break;
    case Cond::Slt: return refine(Cond::Sgt, b, a, false);
    case Cond::Sle: return refine(Cond::Sge, b, a, false);
    case Cond::Set: break;
    case Cond::NotSet:
        if (b.is_const()) a.var = tnum_and(a.var, Tnum::constant(~b.value()));
        break;
    }
    if (a.empty() || b.empty()) return false;
    a.sync();
    b.sync();
    return !a.empty() && !b.empty();
}

}  // namespace bpfplay::verifier
