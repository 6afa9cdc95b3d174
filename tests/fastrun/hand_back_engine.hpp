#pragma once
// A FastEngine for native tests, where there is no WebAssembly runtime: it hands every entry
// straight back, as a module does at a block whose first instruction it cannot run (giving
// back what the runner charged at a resume point). The interpreter then runs the whole
// program through FastRunner, so the runner's switching is tested without a module.
#include <cstring>

#include "core/fastrun/fast_run.hpp"

namespace bpfplay::fastrun_test {

class HandBackEngine final : public FastEngine {
public:
    explicit HandBackEngine(const FastModule& m) : m_(m) {}
    uint32_t enter(uint8_t* state, uint32_t block) override {
        uint64_t left = 0;
        std::memcpy(&left, state + fastrun_layout::kLeft, 8);
        left += m_.entry_charge[block];
        std::memcpy(state + fastrun_layout::kLeft, &left, 8);
        return m_.block_starts[block];
    }

private:
    const FastModule& m_;
};

}  // namespace bpfplay::fastrun_test
