// Every example case (examples/cases: XDP, TC, socket filters, tracing, maps, ring buffers,
// perf events, tail calls, timers, ...) run twice, by the interpreter and by the fast run, must
// give the same outcome: return values, packet and context out, every map, ring buffer
// records, perf event samples and bpf_printk lines. In the wasm build the modules run in
// node's WebAssembly runtime; natively the engine hands back at once (fastrun/hand_back_engine.hpp).
#include <doctest/doctest.h>

#include <cstring>

#include "core/fastrun/fast_run.hpp"
#include "examples/example_harness.hpp"
#include "fastrun/hand_back_engine.hpp"

namespace bpfplay::examples {
namespace {

// Wraps the build's engine and counts what the modules did.
struct FastCounts {
    uint64_t modules = 0, entries = 0, insns = 0;
};
FastCounts g_fast_counts;

class CountingEngine final : public FastEngine {
public:
    CountingEngine(const FastModule& m, std::unique_ptr<FastEngine> inner) : m_(m), inner_(std::move(inner)) {}
    uint32_t enter(uint8_t* state, uint32_t block) override {
        uint64_t before = 0, after = 0;
        std::memcpy(&before, state + fastrun_layout::kLeft, 8);
        const uint32_t pc = inner_->enter(state, block);
        std::memcpy(&after, state + fastrun_layout::kLeft, 8);
        ++g_fast_counts.entries;
        g_fast_counts.insns += before + m_.entry_charge[block] - after;
        return pc;
    }

private:
    const FastModule& m_;
    std::unique_ptr<FastEngine> inner_;
};

std::unique_ptr<FastEngine> counting_engine(const FastModule& m) {
#ifdef __EMSCRIPTEN__
    std::unique_ptr<FastEngine> inner = make_wasm_engine(m);
    REQUIRE(inner);
#else
    std::unique_ptr<FastEngine> inner = std::make_unique<fastrun_test::HandBackEngine>(m);
#endif
    ++g_fast_counts.modules;
    return std::make_unique<CountingEngine>(m, std::move(inner));
}

TEST_CASE("fastrun examples: every case's outcome through the fast run is the interpreter's") {
    const CaseFiles files = load_case_files();
    REQUIRE(files.errors.empty());
    REQUIRE(files.cases.size() >= 100);
    size_t ran = 0;
    for (const ExampleCase& c : files.cases) {
        INFO(c.label());
        const Outcome a = emulator_outcome(c);
        const Outcome b = emulator_outcome(c, counting_engine);
        CHECK(a.loaded == b.loaded);
        CHECK(a.error == b.error);
        CHECK(a.returns == b.returns);
        CHECK(a.packet_out == b.packet_out);
        CHECK(a.ctx_out == b.ctx_out);
        CHECK(a.maps == b.maps);
        CHECK(a.ringbuf == b.ringbuf);
        CHECK(a.perf_events == b.perf_events);
        CHECK(a.trace == b.trace);
        if (a.loaded && a.error.empty()) ++ran;
    }
    MESSAGE(files.cases.size() << " cases, " << ran << " ran without error; " << g_fast_counts.modules
                               << " programs translated, " << g_fast_counts.entries << " module entries, "
                               << g_fast_counts.insns << " instructions run by the modules");
    CHECK(g_fast_counts.modules >= 50);
#ifdef __EMSCRIPTEN__
    CHECK(g_fast_counts.insns > 0);
#else
    CHECK(g_fast_counts.insns == 0);
#endif
}

}  // namespace
}  // namespace bpfplay::examples
