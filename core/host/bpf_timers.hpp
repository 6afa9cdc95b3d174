#pragma once
// The emulated kernel's BPF timers (struct bpf_timer in a map value, bpf_timer_init / start /
// cancel): which timers exist, their callback and when they fire on the virtual clock. In the
// kernel the 16 bytes of a struct bpf_timer point to a struct bpf_hrtimer; programs cannot read
// them (the verifier forbids it), so bpfplay keeps the timers here, by the field's address.
#include <cstdint>
#include <optional>
#include <vector>

namespace bpfplay {

struct BpfTimer {
    uint64_t addr = 0;          // the struct bpf_timer's address, inside a map value
    uint32_t map_id = 0;        // the map holding it
    std::vector<uint8_t> key;   // its element's key at bpf_timer_init (the element deleted: gone)
    uint32_t clock = 1;         // CLOCK_REALTIME (0), CLOCK_MONOTONIC (1) or CLOCK_BOOTTIME (7)
    bool has_callback = false;  // bpf_timer_set_callback ran
    uint32_t program = 0;       // the object's program index whose function the callback is
    uint32_t callback = 0;      // the callback's first instruction in that program
    bool armed = false;         // started and not yet fired or cancelled
    uint64_t expires_ns = 0;    // CLOCK_MONOTONIC time (ktime) it fires at
    uint64_t armed_seq = 0;     // bpf_timer_start order: equal expiry times fire in this order
};

struct TimerTable {
    std::vector<BpfTimer> timers;
    uint64_t next_seq = 1;
    // The timer whose callback runs now (bpf_timer_cancel on it is -EDEADLK); 0 for none.
    uint64_t running = 0;

    BpfTimer* find(uint64_t addr) {
        for (BpfTimer& t : timers)
            if (t.addr == addr) return &t;
        return nullptr;
    }
    void erase(uint64_t addr) {
        std::erase_if(timers, [&](const BpfTimer& t) { return t.addr == addr; });
    }
    // The armed timer that fires first, if it is due at `now` (ktime).
    std::optional<size_t> next_due(uint64_t now) const {
        std::optional<size_t> best;
        for (size_t i = 0; i < timers.size(); ++i) {
            const BpfTimer& t = timers[i];
            if (!t.armed || t.expires_ns > now) continue;
            if (!best || t.expires_ns < timers[*best].expires_ns ||
                (t.expires_ns == timers[*best].expires_ns && t.armed_seq < timers[*best].armed_seq))
                best = i;
        }
        return best;
    }
};

}  // namespace bpfplay
