#pragma once
// Bob Jenkins' lookup3 hash as the Linux kernel has it (include/linux/jhash.h): jhash over bytes
// and jhash2 over u32 words. The bloom filter map hashes values with them, so the same values
// set the same bits -- and give the same false positives -- as in the kernel. Written from the
// algorithm's description; the kernel's results are the test (tests/maps/bloom_filter_test.cpp).
#include <cstdint>
#include <cstring>

namespace bpfplay::jhash_detail {

constexpr uint32_t kInitval = 0xdeadbeef; // JHASH_INITVAL

constexpr uint32_t rol32(uint32_t v, unsigned s) {
    return (v << s) | (v >> (32 - s));
}

// __jhash_mix: mixes three words reversibly.
constexpr void mix(uint32_t& a, uint32_t& b, uint32_t& c) {
    a -= c, a ^= rol32(c, 4), c += b;
    b -= a, b ^= rol32(a, 6), a += c;
    c -= b, c ^= rol32(b, 8), b += a;
    a -= c, a ^= rol32(c, 16), c += b;
    b -= a, b ^= rol32(a, 19), a += c;
    c -= b, c ^= rol32(b, 4), b += a;
}

// __jhash_final: folds the three words into c.
constexpr void final_mix(uint32_t& a, uint32_t& b, uint32_t& c) {
    c ^= b, c -= rol32(b, 14);
    a ^= c, a -= rol32(c, 11);
    b ^= a, b -= rol32(a, 25);
    c ^= b, c -= rol32(b, 16);
    a ^= c, a -= rol32(c, 4);
    b ^= a, b -= rol32(a, 14);
    c ^= b, c -= rol32(b, 24);
}

} // namespace bpfplay::jhash_detail

namespace bpfplay {

// jhash(key, length, initval): bytes; 12-byte blocks read as three little-endian u32 (the
// kernel reads them in CPU order, and BPF runs on little-endian hosts here), the tail byte by byte.
inline uint32_t jhash(const uint8_t* k, uint32_t length, uint32_t initval) {
    using namespace jhash_detail;
    uint32_t a = kInitval + length + initval, b = a, c = a;
    auto word = [](const uint8_t* p) {
        return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    };
    while (length > 12) {
        a += word(k);
        b += word(k + 4);
        c += word(k + 8);
        mix(a, b, c);
        length -= 12;
        k += 12;
    }
    // The last 1..12 bytes: each adds into its place of a, b or c (the kernel's fall-through switch).
    if (length == 0) return c;
    for (uint32_t i = 0; i < length; ++i) {
        const uint32_t v = uint32_t(k[i]) << (8 * (i % 4));
        if (i < 4)
            a += v;
        else if (i < 8)
            b += v;
        else
            c += v;
    }
    final_mix(a, b, c);
    return c;
}

// jhash2(k, length, initval): `length` u32 words (read little-endian from bytes here).
inline uint32_t jhash2(const uint8_t* k, uint32_t length, uint32_t initval) {
    using namespace jhash_detail;
    uint32_t a = kInitval + (length << 2) + initval, b = a, c = a;
    auto word = [&](uint32_t i) {
        uint32_t w;
        std::memcpy(&w, k + 4 * i, 4);
        return w;
    };
    uint32_t i = 0;
    while (length > 3) {
        a += word(i);
        b += word(i + 1);
        c += word(i + 2);
        mix(a, b, c);
        length -= 3;
        i += 3;
    }
    switch (length) {
    case 3: c += word(i + 2); [[fallthrough]];
    case 2: b += word(i + 1); [[fallthrough]];
    case 1:
        a += word(i);
        final_mix(a, b, c);
        break;
    case 0: break;
    }
    return c;
}

} // namespace bpfplay
