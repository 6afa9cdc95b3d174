#pragma once
// The pseudo-random generator behind bpf_get_prandom_u32: the kernel's prandom_u32_state, a
// maximally equidistributed combined Tausworthe generator (L'Ecuyer's lfsr113, lib/random32.c).
//
// Seeding follows the kernel's own self-test (prandom_seed_early without hardware noise, then
// prandom_warmup): s1 = LCG(seed), s2 = LCG(s1), s3 = LCG(s2), s4 = LCG(s3) with
// LCG(x) = x * 69069 (mod 2^32), each raised above its minimum (s1 > 1, s2 > 7, s3 > 15,
// s4 > 127) as __seed() does, then 10 outputs are discarded. So for a given seed the outputs
// are exactly those of the kernel's selftest: seed 1 gives 3484351685 first. (A real kernel
// seeds each CPU's state from get_random_bytes, so matching a live machine is impossible.)
#include <array>
#include <cstdint>

namespace bpfplay {

class Lfsr113 {
public:
    explicit Lfsr113(uint32_t seed_value = 1) { seed(seed_value); }

    // Resets the state from `seed_value` as described above.
    void seed(uint32_t seed_value);

    // The next output (prandom_u32_state).
    uint32_t next();

    // s1..s4, for tests and for saving a run's state.
    const std::array<uint32_t, 4>& state() const { return s_; }

private:
    std::array<uint32_t, 4> s_{};
};

}  // namespace bpfplay
