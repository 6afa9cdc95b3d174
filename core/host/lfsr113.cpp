#include "core/host/lfsr113.hpp"

namespace bpfplay {
namespace {

// __seed(): each component needs its top k bits not all zero, so small values are lifted.
constexpr uint32_t lift(uint32_t x, uint32_t minimum) { return x < minimum ? x + minimum : x; }

constexpr uint32_t lcg(uint32_t x) { return x * 69069u; }  // unsigned: wraps mod 2^32

// One component step: ((s & c) << d) ^ (((s << a) ^ s) >> b), all in 32 bits.
constexpr uint32_t tausworthe(uint32_t s, unsigned a, unsigned b, uint32_t c, unsigned d) {
    return ((s & c) << d) ^ (((s << a) ^ s) >> b);
}

}  // namespace

void Lfsr113::seed(uint32_t seed_value) {
    s_[0] = lift(lcg(seed_value), 2u);
    s_[1] = lift(lcg(s_[0]), 8u);
    s_[2] = lift(lcg(s_[1]), 16u);
    s_[3] = lift(lcg(s_[2]), 128u);
    // prandom_warmup: ten steps so the recurrence has mixed every component.
    for (int k = 0; k < 10; ++k) next();
}

uint32_t Lfsr113::next() {
    s_[0] = tausworthe(s_[0], 6u, 13u, 4294967294u, 18u);
    s_[1] = tausworthe(s_[1], 2u, 27u, 4294967288u, 2u);
    s_[2] = tausworthe(s_[2], 13u, 21u, 4294967280u, 7u);
    s_[3] = tausworthe(s_[3], 3u, 12u, 4294967168u, 13u);
    return s_[0] ^ s_[1] ^ s_[2] ^ s_[3];
}

}  // namespace bpfplay
