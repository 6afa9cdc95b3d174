// The fast run against the interpreter over the conformance programs: status, r0, the fault
// (kind, message, hint, instruction), the instruction count and every region's bytes must be
// the same, at the default budget and at budgets that run out mid-block. Natively the engine
// hands over at once (the runner's switching alone is under test); in the wasm build the
// translated modules run in node's WebAssembly runtime.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bench/bench_programs.hpp"
#include "conformance/data_file.hpp"
#include "core/decode.hpp"
#include "core/fastrun/fast_run.hpp"
#include "core/helpers/plugin_helpers.hpp"
#include "core/helpers/registry.hpp"
#include "core/text/asm.hpp"
#include "fastrun/hand_back_engine.hpp"

namespace bpfplay {
namespace {

std::unique_ptr<FastEngine> engine_for(const FastModule& m) {
#ifdef __EMSCRIPTEN__
    return make_wasm_engine(m);
#else
    CHECK(make_wasm_engine(m) == nullptr);  // no WebAssembly runtime natively
    return std::make_unique<fastrun_test::HandBackEngine>(m);
#endif
}

std::string regions_of(const Vm& vm) {
    std::string out;
    for (uint32_t w = 0; w < window::kCount; ++w) {
        const Region& r = vm.memory().region(w);
        if (r.host && !r.chunks)
            out += std::to_string(w) + ":" + conformance::to_hex(std::span<const uint8_t>(r.host, r.size)) + " ";
    }
    return out;
}

std::string fault_of(const Vm& vm) {
    if (!vm.fault()) return "";
    const Error& e = *vm.fault();
    return std::string(error_kind_name(e.kind)) + "|" + e.to_string() + "|" + e.hint;
}

// Each conformance program the translator takes, with its module and an engine for it.
template <typename Visit>
size_t for_each_fast_conformance_program(Visit visit) {
    HelperRegistry helpers;
    add_plugin_helpers(helpers);
    size_t programs = 0;
    for (const auto& path : conformance::list_data_files(conformance::default_data_dir())) {
        auto f = conformance::load_data_file(path);
        REQUIRE(f.ok());
        auto insns = assemble(f->asm_text);
        REQUIRE(insns.ok());
        DecodeOptions options;
        options.helpers = &helpers;
        options.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
        auto prog = decode(*insns, options);
        if (!prog) continue;
        auto module = translate_to_wasm(*prog);
        if (!module) continue;  // the checked interpreter's programs: the caller runs vm.run()
        std::unique_ptr<FastEngine> engine = engine_for(*module);
        REQUIRE_MESSAGE(engine, f->name << ": the module was not instantiated");
        ++programs;
        visit(*f, *prog, *module, *engine);
    }
    return programs;
}

TEST_CASE("fastrun run: every conformance program gives the interpreter's results") {
    size_t compared = 0;
    uint64_t fast_insns = 0, all_insns = 0;
    const size_t fast_programs = for_each_fast_conformance_program([&](const conformance::DataFile& f, const Program& prog,
                                                                       const FastModule& module, FastEngine& engine) {
        for (uint64_t budget : {kDefaultBudget, uint64_t(3), uint64_t(17)}) {
            INFO(f.name << " at budget " << budget);
            std::vector<uint8_t> in_a = f.memory, in_b = f.memory;
            Vm a(prog), b(prog);
            a.set_raw_input(in_a);
            b.set_raw_input(in_b);
            a.set_budget(budget);
            b.set_budget(budget);
            const RunStatus sa = a.run();
            FastRunner runner(prog, module, engine);
            const RunStatus sb = runner.run(b);
            CHECK(int(sa) == int(sb));
            CHECK(a.result() == b.result());
            CHECK(a.pc() == b.pc());
            CHECK(a.executed() == b.executed());
            CHECK(fault_of(a) == fault_of(b));
            CHECK(regions_of(a) == regions_of(b));
            ++compared;
            if (budget == kDefaultBudget) {
                fast_insns += runner.fast_insns();
                all_insns += b.executed();
            }
        }
    });
    CHECK(fast_programs >= 400);
    MESSAGE(compared << " runs of " << fast_programs << " programs compared; " << fast_insns << " of " << all_insns
                     << " instructions ran in the module");
#ifdef __EMSCRIPTEN__
    CHECK(fast_insns * 2 > all_insns);  // most of the work is the module's, not the interpreter's
#else
    CHECK(fast_insns == 0);
#endif
}

// Runs `prog` through the fast run in slices of `slice` instructions (FastRunner::run's count,
// as the page's worker runs it), each slice checked to pause after exactly its count.
RunStatus run_in_slices(const Program& prog, const FastModule& module, FastEngine& engine, Vm& vm, uint64_t slice) {
    FastRunner runner(prog, module, engine);
    for (uint64_t n = 0;; ++n) {
        const uint64_t before = vm.executed();
        const RunStatus st = runner.run(vm, slice);
        if (st != RunStatus::Ready) return st;
        CHECK(vm.executed() - before == slice);
        if (n > 10'000'000) return st;  // not reached: a budget ends every run first
    }
}

TEST_CASE("fastrun run: every conformance program in slices of 1, 3 and 7 gives the interpreter's results") {
    size_t compared = 0;
    for_each_fast_conformance_program([&](const conformance::DataFile& f, const Program& prog, const FastModule& module,
                                          FastEngine& engine) {
        for (uint64_t slice : {uint64_t(1), uint64_t(3), uint64_t(7)}) {
            INFO(f.name << " in slices of " << slice);
            std::vector<uint8_t> in_a = f.memory, in_b = f.memory;
            Vm a(prog), b(prog);
            a.set_raw_input(in_a);
            b.set_raw_input(in_b);
            const RunStatus sa = a.run();
            const RunStatus sb = run_in_slices(prog, module, engine, b, slice);
            CHECK(int(sa) == int(sb));
            CHECK(a.result() == b.result());
            CHECK(a.executed() == b.executed());
            CHECK(fault_of(a) == fault_of(b));
            CHECK(regions_of(a) == regions_of(b));
            ++compared;
        }
    });
    CHECK(compared >= 1200);
}

TEST_CASE("fastrun run: a module that returns below the frame it entered and calls again keeps the new call's return") {
    // Entered in f's frame (depth 1) after f's helper call, the module returns from f, calls g
    // (depth 1 again) and hands over at g's helper call (no_op, helper 2): g's exit must return
    // after its own call, not after f's, whose frame record the runner used to keep.
    HelperRegistry helpers;
    add_plugin_helpers(helpers);
    auto insns = assemble(R"(
    r6 = 0
    call f
    r6 += r0
    call g
    r6 <<= 4
    r0 = r6
    exit
f:
    call 2
    r0 = 1
    exit
g:
    call 2
    r0 = 2
    exit
)");
    REQUIRE(insns.ok());
    DecodeOptions options;
    options.helpers = &helpers;
    options.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
    auto prog = decode(*insns, options);
    REQUIRE(prog.ok());
    auto module = translate_to_wasm(*prog);
    REQUIRE(module.ok());
    std::unique_ptr<FastEngine> engine = engine_for(*module);
    REQUIRE(engine);
    for (uint64_t slice : {UINT64_MAX, uint64_t(1), uint64_t(2), uint64_t(4)}) {
        INFO("slices of " << slice);
        Vm vm(*prog);
        const RunStatus st = run_in_slices(*prog, *module, *engine, vm, slice);
        CHECK(st == RunStatus::Exited);
        CHECK(vm.result() == 0x10);  // (0 + 1) << 4: g's return 2 is not added
        CHECK(vm.executed() == 13);
    }
}

#ifdef __EMSCRIPTEN__
// Figures, not assertions on time: ns per instruction of bench_programs.hpp's loops, the
// interpreter alone and through the fast run's module under node. Not natively: there the
// engine hands back at once and the figure would be the interpreter stepped one at a time.
TEST_CASE("fastrun run: bench loops, interpreter and fast run (figures)") {
    constexpr uint64_t n = 200000;
    std::vector<uint8_t> packet(1500, 1);
    struct Loop {
        const char* name;
        std::string text;
    };
    for (const Loop& l : {Loop{"alu", bench::alu_loop(n)}, Loop{"stack", bench::stack_loop(n)},
                          Loop{"calls", bench::call_loop(n)}, Loop{"packet", bench::packet_loop(n * 6)}}) {
        const Program prog = bench::build(l.text);
        auto module = translate_to_wasm(prog);
        REQUIRE(module.ok());
        std::unique_ptr<FastEngine> engine = engine_for(*module);
        REQUIRE(engine);
        // Runs 0-1: the interpreter; 2: the fast run's first (V8 runs a module's first call
        // in its baseline tier, Liftoff); 3-4: later runs of the same module (optimized).
        double ns[5] = {0, 0, 0, 0, 0};
        uint64_t results[5] = {0, 0, 0, 0, 0}, counts[5] = {0, 0, 0, 0, 0};
        for (int i = 0; i < 5; ++i) {
            const bool fast = i >= 2;
            Vm vm(prog);
            vm.set_raw_input(packet);
            vm.set_budget(UINT64_MAX);
            FastRunner runner(prog, *module, *engine);
            const auto t0 = std::chrono::steady_clock::now();
            const RunStatus st = fast ? runner.run(vm) : vm.run();
            const auto t1 = std::chrono::steady_clock::now();
            REQUIRE(st == RunStatus::Exited);
            results[i] = vm.result();
            counts[i] = vm.executed();
            ns[i] = double(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
                    double(vm.executed());
        }
        for (int i = 1; i < 5; ++i) {
            CHECK(results[i] == results[0]);
            CHECK(counts[i] == counts[0]);
        }
        MESSAGE(std::string(l.name) << " loop, " << counts[0] << " insns, ns/insn: interpreter "
                                    << std::min(ns[0], ns[1]) << ", fast run first " << ns[2] << ", fast run later "
                                    << std::min(ns[3], ns[4]));
    }
}
#endif

}  // namespace
}  // namespace bpfplay
