#include "core/run/inet_csum.hpp"

#include <cstring>

namespace bpfplay::inet_csum {

namespace {

uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// One "adcq": res += x + carry, carry out.
inline void adc(uint64_t& res, uint64_t x, unsigned& carry) {
    uint64_t t;
    const bool c1 = __builtin_add_overflow(res, x, &t);
    const bool c2 = __builtin_add_overflow(t, uint64_t(carry), &res);
    carry = unsigned(c1 || c2);
}

// addq m0; adcq m1 ... adcq m(n-1); adcq $0 — one chain, as the kernel's inline asm.
uint64_t chain(uint64_t sum, const uint8_t* p, int words) {
    unsigned carry = 0;
    for (int k = 0; k < words; ++k) adc(sum, load64(p + 8 * k), carry);
    return sum + carry;  // "adcq $0": a carry out of it is lost, as on the CPU
}

// addq x; adcq $0.
uint64_t add_carry(uint64_t sum, uint64_t x) {
    unsigned carry = 0;
    adc(sum, x, carry);
    return sum + carry;
}

// csum_finalize_sum: (temp64 + ror64(temp64, 32)) >> 32.
uint32_t finalize(uint64_t t) {
    const uint64_t ror = (t >> 32) | (t << 32);
    return uint32_t((t + ror) >> 32);
}

}  // namespace

uint32_t partial(std::span<const uint8_t> bytes, uint32_t sum) {
    const uint8_t* buff = bytes.data();
    int64_t len = int64_t(bytes.size());
    uint64_t temp64 = sum;
    // Two 40-byte chunks in parallel, then their sums added.
    if (len >= 80) {
        uint64_t temp64_2 = 0;
        do {
            temp64 = chain(temp64, buff, 5);
            temp64_2 = chain(temp64_2, buff + 40, 5);
            buff += 80;
            len -= 80;
        } while (len >= 80);
        temp64 = add_carry(temp64, temp64_2);
    }
    if (len >= 40) {
        temp64 = chain(temp64, buff, 5);
        len -= 40;
        if (len == 0) return finalize(temp64);
        buff += 40;
    }
    if (len & 32) {
        temp64 = chain(temp64, buff, 4);
        buff += 32;
    }
    if (len & 16) {
        temp64 = chain(temp64, buff, 2);
        buff += 16;
    }
    if (len & 8) {
        temp64 = chain(temp64, buff, 1);
        buff += 8;
    }
    if (len & 7) {
        // load_unaligned_zeropad and a shift keep the last len & 7 bytes.
        uint64_t trail = 0;
        std::memcpy(&trail, buff, size_t(len & 7));
        temp64 = add_carry(temp64, trail);
    }
    return finalize(temp64);
}

uint16_t fold(uint32_t sum) {
    // addl (sum << 16), (sum & 0xffff0000); adcl $0xffff; the complement's upper half.
    const uint64_t a = uint64_t(sum & 0xffff0000u) + uint32_t(sum << 16);
    const uint32_t carry = uint32_t(a >> 32);
    const uint32_t r = uint32_t(a) + 0xffffu + carry;
    return uint16_t(~r >> 16);
}

uint16_t replace4(uint16_t sum, uint32_t from, uint32_t to) {
    const uint32_t tmp = sub(~uint32_t(sum), from);
    return fold(add(tmp, to));
}

uint16_t replace2(uint16_t sum, uint16_t from, uint16_t to) {
    // csum16_add / csum16_sub on 16 bits.
    auto add16 = [](uint16_t c, uint16_t a) {
        const uint16_t r = uint16_t(c + a);
        return uint16_t(r + (r < a));
    };
    return uint16_t(~add16(add16(uint16_t(~sum), uint16_t(~from)), to));
}

uint16_t replace_by_diff(uint16_t sum, uint32_t diff) { return fold(add(diff, ~uint32_t(sum))); }

}  // namespace bpfplay::inet_csum
