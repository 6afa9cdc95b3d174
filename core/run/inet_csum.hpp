#pragma once
// The Internet checksum arithmetic of the kernel on x86-64, bit for bit: csum_partial's 64-bit
// add-with-carry chains (arch/x86/lib/csum-partial_64.c), the 32-bit csum_add / csum_sub, and the
// folds (csum_fold, csum_from32to16). Values are as the kernel holds them: sums of the bytes
// loaded as little-endian words, so results stored back little-endian are network order.
#include <cstdint>
#include <span>

namespace bpfplay::inet_csum {

// csum_partial(buff, len, sum): a 32-bit unfolded sum.
uint32_t partial(std::span<const uint8_t> bytes, uint32_t sum);

inline uint32_t add(uint32_t csum, uint32_t addend) {
    const uint32_t res = csum + addend;
    return res + (res < addend);
}
inline uint32_t sub(uint32_t csum, uint32_t addend) { return add(csum, ~addend); }

// csum_fold: the 16-bit one's complement checksum of a 32-bit sum (complemented).
uint16_t fold(uint32_t sum);
// csum_from32to16: the 32-bit sum folded to 16 bits, not complemented.
inline uint16_t from32to16(uint32_t sum) {
    sum += (sum >> 16) | (sum << 16);
    return uint16_t(sum >> 16);
}

// csum_replace4 / csum_replace2 / csum_replace_by_diff on a stored 16-bit checksum.
uint16_t replace4(uint16_t sum, uint32_t from, uint32_t to);
uint16_t replace2(uint16_t sum, uint16_t from, uint16_t to);
uint16_t replace_by_diff(uint16_t sum, uint32_t diff);

}  // namespace bpfplay::inet_csum
