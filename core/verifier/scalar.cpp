#include "core/verifier/scalar.hpp"

#include <algorithm>

namespace bpfplay::verifier {

Scalar Scalar::range(uint64_t lo, uint64_t hi) {
    Scalar s;
    s.umin = lo;
    s.umax = hi;
    s.var = tnum_range(lo, hi);
    s.sync();
    return s;
}

bool Scalar::covers(const Scalar& o) const {
    return umin <= o.umin && umax >= o.umax && smin <= o.smin && smax >= o.smax && u32min <= o.u32min &&
           u32max >= o.u32max && tnum_in(var, o.var);
}

bool Scalar::empty() const { return umin > umax || smin > smax || u32min > u32max; }

namespace {

constexpr uint64_t kHigh32 = ~0ull << 32;

// The low half's range from the known bits, and from the 64-bit range when the upper half is
// the same all over it (__update_reg32_bounds, __reg32_deduce_bounds).
void narrow_u32(Scalar& s) {
    s.u32min = std::max(s.u32min, uint32_t(s.var.value));
    s.u32max = std::min(s.u32max, uint32_t(s.var.value | s.var.mask));
    if ((s.umin & kHigh32) == (s.umax & kHigh32)) {
        s.u32min = std::max(s.u32min, uint32_t(s.umin));
        s.u32max = std::min(s.u32max, uint32_t(s.umax));
    }
}

}  // namespace

void Scalar::sync() {
    narrow_u32(*this);
    // A fixed upper half with the low half's range bounds the 64-bit value (__reg_deduce_mixed_bounds).
    if ((umin & kHigh32) == (umax & kHigh32) && u32min <= u32max) {
        umin = std::max(umin, (umin & kHigh32) | u32min);
        umax = std::min(umax, (umax & kHigh32) | u32max);
    }
    // The low half's range bounds its known bits (__reg_bound_offset's var32_off).
    if (u32min <= u32max) {
        const Tnum low = tnum_intersect(tnum_subreg(var), tnum_range(u32min, u32max));
        var = {(var.value & kHigh32) | low.value, (var.mask & kHigh32) | low.mask};
    }
    // Known bits bound both views (__update_reg64_bounds).
    smin = std::max<int64_t>(smin, int64_t(var.value | (var.mask & (1ull << 63))));
    smax = std::min<int64_t>(smax, int64_t(var.value | (var.mask & ~(1ull << 63))));
    umin = std::max(umin, var.value);
    umax = std::min(umax, var.value | var.mask);
    // Each range narrows the other where it does not cross the sign boundary (__reg64_deduce_bounds).
    if (int64_t(umin) <= int64_t(umax)) {
        smin = std::max<int64_t>(smin, int64_t(umin));
        smax = std::min<int64_t>(smax, int64_t(umax));
    }
    if (smin >= 0 || smax < 0) {
        umin = std::max(umin, uint64_t(smin));
        umax = std::min(umax, uint64_t(smax));
    }
    var = tnum_intersect(var, tnum_range(umin, umax));
    umin = std::max(umin, var.value);
    umax = std::min(umax, var.value | var.mask);
    narrow_u32(*this);
}

Scalar scalar_zext32(const Scalar& s) {
    if (s.umax <= 0xffffffffull) return s;
    Scalar r;
    r.var = tnum_subreg(s.var);
    r.umin = r.u32min = s.u32min;
    r.umax = r.u32max = s.u32max;
    r.sync();
    return r;
}

namespace {

bool add_overflows_s(int64_t a, int64_t b) {
    int64_t r;
    return __builtin_add_overflow(a, b, &r);
}
bool sub_overflows_s(int64_t a, int64_t b) {
    int64_t r;
    return __builtin_sub_overflow(a, b, &r);
}

Scalar unknown_with(Tnum var) {
    Scalar r;
    r.var = var;
    r.sync();
    return r;
}

Scalar alu64(AluOp op, const Scalar& a, const Scalar& b) {
    Scalar r;
    switch (op) {
    case AluOp::Mov: return b;
    case AluOp::Add:
        r.var = tnum_add(a.var, b.var);
        if (!add_overflows_s(a.smin, b.smin) && !add_overflows_s(a.smax, b.smax)) {
            r.smin = a.smin + b.smin;
            r.smax = a.smax + b.smax;
        }
        if (a.umin + b.umin >= a.umin && a.umax + b.umax >= a.umax) {
            r.umin = a.umin + b.umin;
            r.umax = a.umax + b.umax;
        }
        break;
    case AluOp::Sub:
        r.var = tnum_sub(a.var, b.var);
        if (!sub_overflows_s(a.smin, b.smax) && !sub_overflows_s(a.smax, b.smin)) {
            r.smin = a.smin - b.smax;
            r.smax = a.smax - b.smin;
        }
        if (a.umin >= b.umax) {
            r.umin = a.umin - b.umax;
            r.umax = a.umax - b.umin;
        }
        break;
    case AluOp::Mul:
        r.var = tnum_mul(a.var, b.var);
        if (a.umax <= 0xffffffffull && b.umax <= 0xffffffffull) {
            r.umin = a.umin * b.umin;
            r.umax = a.umax * b.umax;
        }
        break;
    case AluOp::And:
        r.var = tnum_and(a.var, b.var);
        r.umin = r.var.value;
        r.umax = std::min(a.umax, b.umax);
        break;
    case AluOp::Or:
        r.var = tnum_or(a.var, b.var);
        r.umin = std::max(a.umin, b.umin);
        r.umax = r.var.value | r.var.mask;
        break;
    case AluOp::Xor:
        r.var = tnum_xor(a.var, b.var);
        r.umin = r.var.value;
        r.umax = r.var.value | r.var.mask;
        break;
    case AluOp::Lsh:
        if (!b.is_const() || b.value() > 63) return Scalar::unknown();
        r.var = tnum_lshift(a.var, unsigned(b.value()));
        if (b.value() == 0 || a.umax <= (~0ull >> b.value())) {
            r.umin = a.umin << b.value();
            r.umax = a.umax << b.value();
        }
        break;
    case AluOp::Rsh:
        if (!b.is_const() || b.value() > 63) return Scalar::unknown();
        r.var = tnum_rshift(a.var, unsigned(b.value()));
        r.umin = a.umin >> b.value();
        r.umax = a.umax >> b.value();
        break;
    case AluOp::Arsh:
        if (!b.is_const() || b.value() > 63) return Scalar::unknown();
        r.var = tnum_arshift(a.var, unsigned(b.value()), 64);
        r.smin = a.smin >> b.value();
        r.smax = a.smax >> b.value();
        break;
    case AluOp::Neg: return alu64(AluOp::Sub, Scalar::constant(0), a);
    case AluOp::Div:
    case AluOp::Mod:
        // The kernel does not track division, not even of two constants
        // (is_safe_to_compute_dst_reg_range): the result is any number.
        return Scalar::unknown();
    }
    r.sync();
    return r;
}

}  // namespace

Scalar scalar_alu(AluOp op, const Scalar& dst, const Scalar& src, bool alu32) {
    if (!alu32) return alu64(op, dst, src);
    // 32-bit: operate on the zero-extended low halves; the low 32 bits of the 64-bit result
    // are the 32-bit result (known bits are exact per bit; bounds are redone from them when
    // the result leaves 32 bits).
    const Scalar a = scalar_zext32(dst), b = scalar_zext32(src);
    // What is_safe_to_compute_dst_reg_range rules out (a division or modulo, a shift by a
    // variable) the kernel marks unknown in all 64 bits, before its zero extension of 32-bit
    // results: Linux 6.18 logs "w1 /= 3 ; R1=scalar()". bcc's cpufreq indexes an array with such
    // a quotient bounded by a 32-bit compare only, and the kernel refuses it.
    const bool shift = op == AluOp::Lsh || op == AluOp::Rsh || op == AluOp::Arsh;
    if (op == AluOp::Div || op == AluOp::Mod || (shift && (!b.is_const() || b.value() > 31)))
        return Scalar::unknown();
    if (op == AluOp::Arsh) return unknown_with(tnum_subreg(tnum_arshift(a.var, unsigned(b.value()), 32)));
    if (op == AluOp::Neg) return scalar_zext32(alu64(AluOp::Sub, Scalar::constant(0), a));
    return scalar_zext32(alu64(op, a, b));
}

}  // namespace bpfplay::verifier
