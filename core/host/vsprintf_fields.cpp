#include "core/host/vsprintf_fields.hpp"

namespace bpfplay::vsprintf {
namespace {

// The kernel pads with loops of the form `while (--width >= 0) emit(c);`. Such a loop emits
// max(width, 0) characters and leaves width at min(width, 0) - 1, which decides whether later
// loops on the same variable emit anything; this returns the count and updates width so.
uint64_t drain(int32_t& width) {
    if (width > 0) {
        const uint64_t n = uint64_t(width);
        width = -1;
        return n;
    }
    width -= 1;
    return 0;
}

}  // namespace

int32_t field_width_from(uint32_t parsed) {
    const uint32_t low = parsed & 0xffffffu;
    return (low & 0x800000u) ? int32_t(low) - 0x1000000 : int32_t(low);
}

void put_number(BoundedOut& out, uint64_t num, Spec spec) {
    const char locase = (spec.flags & kSmall) ? 0x20 : 0;
    if (spec.flags & kLeft) spec.flags &= uint8_t(~kZeroPad);
    int32_t field_width = spec.field_width;
    int32_t precision = spec.precision;

    char sign = 0;
    if (spec.flags & kSign) {
        if (int64_t(num) < 0) {
            sign = '-';
            num = 0 - num;  // unsigned negation: INT64_MIN stays representable
            --field_width;
        } else if (spec.flags & kPlus) {
            sign = '+';
            --field_width;
        } else if (spec.flags & kSpace) {
            sign = ' ';
            --field_width;
        }
    }
    // kSpecial ("0x" prefixes) is unreachable: bpf_trace_printk refuses the '#' flag.

    static constexpr char kDigits[] = "0123456789ABCDEF";
    char tmp[24];  // 20 decimal or 16 hex digits, reversed
    int i = 0;
    const unsigned base = spec.base == 16 ? 16 : 10;
    do {
        tmp[i++] = char(kDigits[num % base] | (base == 16 ? locase : 0));
        num /= base;
    } while (num);

    if (i > precision) precision = i;  // a width never truncates: %2d of 100 is "100"
    field_width -= precision;
    if (!(spec.flags & (kZeroPad | kLeft))) out.put_n(' ', drain(field_width));
    if (sign) out.put(sign);
    if (!(spec.flags & kLeft)) out.put_n((spec.flags & kZeroPad) ? '0' : ' ', drain(field_width));
    if (precision > i) out.put_n('0', uint64_t(precision - i));
    while (--i >= 0) out.put(tmp[i]);
    out.put_n(' ', drain(field_width));
}

void put_string(BoundedOut& out, std::string_view s, Spec spec) {
    // widen_string compares the length with the (possibly negative) width as ints.
    const int64_t n = int64_t(s.size());
    const uint64_t spaces = n < spec.field_width ? uint64_t(spec.field_width - n) : 0;
    if (!(spec.flags & kLeft)) out.put_n(' ', spaces);
    out.put(s);
    if (spec.flags & kLeft) out.put_n(' ', spaces);
}

void put_pointer_hex(BoundedOut& out, uint64_t ptr, Spec spec) {
    spec.base = 16;
    spec.flags |= kSmall;
    if (spec.field_width == -1) {
        spec.field_width = 16;  // 2 * sizeof(void *)
        spec.flags |= kZeroPad;
    }
    put_number(out, ptr, spec);
}

std::string hex_with_prefix(uint64_t v) {
    static constexpr char kHex[] = "0123456789abcdef";
    char digits[16];
    int n = 0;
    do {
        digits[n++] = kHex[v & 15];
        v >>= 4;
    } while (v);
    std::string s = "0x";
    while (n > 0) s += digits[--n];
    return s;
}

}  // namespace bpfplay::vsprintf
