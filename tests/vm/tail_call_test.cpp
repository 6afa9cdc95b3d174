// The VM side of bpf_tail_call: after the helper asks for it, the run continues at the start
// of the target program in the same frame, and never returns to the caller. From a
// subprogram, the target replaces only the subprogram's frame and returns to its caller.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "core/helpers/registry.hpp"
#include "vm/vm_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {
const Program* g_target = nullptr;
uint64_t fake_tail_call(Vm& vm, uint64_t, uint64_t, uint64_t index, uint64_t, uint64_t) {
    if (index != 1 || !g_target) return uint64_t(-2);  // -ENOENT: a miss falls through
    vm.helper_tail_call(*g_target);
    return 0;
}
}  // namespace

TEST_CASE("a tail call continues in the target with r1 and the stack kept") {
    HelperRegistry reg;
    reg.add({12, "bpf_tail_call", 3, fake_tail_call});
    DecodeOptions opt;
    opt.helpers = &reg;
    opt.entry_regs = 1u << 1;
    auto target = decode_text("r0 = *(u64 *)(r10 - 8)\nr0 += r1\nexit", opt);
    REQUIRE(target.ok());
    g_target = &*target;
    auto caller = decode_text("r2 = 40\n*(u64 *)(r10 - 8) = r2\nr6 = r1\nr2 = 0\nr3 = *(u64 *)(r10 - 8)\n"
                              "r3 /= 40\ncall 12\nr0 = 99\nexit",
                              opt);
    REQUIRE(caller.ok());
    Vm vm(*caller);
    vm.set_reg(1, 2);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 42u);
    CHECK(vm.tail_calls() == 1u);
    CHECK(vm.executed() == 10u);  // 7 in the caller (the call included), 3 in the target
    CHECK(&vm.program() == &*target);

    vm.reset();
    CHECK(&vm.program() == &*caller);
    vm.set_reg(1, 2);
    int steps = 0;
    while (vm.run(1) == RunStatus::Ready) ++steps;
    CHECK(vm.result() == 42u);
    CHECK(steps == 9);
}

TEST_CASE("a tail call miss falls through to the next instruction") {
    HelperRegistry reg;
    reg.add({12, "bpf_tail_call", 3, fake_tail_call});
    DecodeOptions opt;
    opt.helpers = &reg;
    opt.entry_regs = 1u << 1;
    auto caller = decode_text("r2 = 0\nr3 = 5\ncall 12\nr0 = 99\nexit", opt);
    REQUIRE(caller.ok());
    Vm vm(*caller);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 99u);
    CHECK(vm.tail_calls() == 0u);
}

namespace {
// The kernel's count: 33 tail calls per run, then bpf_tail_call fails with -E2BIG.
const Program* g_self = nullptr;
uint64_t counting_tail_call(Vm& vm, uint64_t, uint64_t, uint64_t index, uint64_t, uint64_t) {
    if (index != 1 || !g_self) return uint64_t(-2);
    if (vm.tail_calls() >= uint32_t(kMaxTailCalls)) return uint64_t(-7);
    vm.helper_tail_call(*g_self);
    return 0;
}

DecodeOptions tail_call_options(HelperRegistry& reg, HelperFn fn) {
    reg.add({12, "bpf_tail_call", 3, fn});
    DecodeOptions opt;
    opt.helpers = &reg;
    opt.entry_regs = 1u << 1;
    return opt;
}

// main: r6 = 7; call sub; r0 += r6; exit   sub: r6 = 100; tail call slot r3; r0 = 99; exit
const char* kCallsSub = R"(
    r6 = 7
    call sub
    r0 += r6
    exit
sub:
    r6 = 100
    r2 = 0
    r3 = %SLOT%
    call 12
    r0 = 99
    exit
)";

std::string with_slot(int slot) {
    std::string text = kCallsSub;
    text.replace(text.find("%SLOT%"), 6, std::to_string(slot));
    return text;
}
}  // namespace

TEST_CASE("a tail call from a subprogram replaces its frame and returns the target's r0 to its caller") {
    HelperRegistry reg;
    const DecodeOptions opt = tail_call_options(reg, fake_tail_call);
    auto target = decode_text("r0 = r1\nr0 += 30\nr6 = 555\nexit", opt);
    REQUIRE(target.ok());
    g_target = &*target;
    auto caller = decode_text(with_slot(1), opt);
    REQUIRE(caller.ok());

    Vm vm(*caller);
    vm.set_reg(1, 2);
    REQUIRE(vm.run() == RunStatus::Exited);
    // The target's r0 (2 + 30) comes back to main after `call sub`, with main's r6 (7) restored.
    CHECK(vm.result() == 39u);
    CHECK(vm.executed() == 12u);  // main 2 + sub 4 (the tail call included) + target 4 + main 2
    CHECK(vm.tail_calls() == 1u);
    CHECK(&vm.program() == &*caller);
    CHECK(vm.depth() == 0u);
    CHECK(vm.frame_base() == 0u);

    // Step by step: the target starts in sub's frame (1), its exit lands after main's call.
    vm.reset();
    vm.set_reg(1, 2);
    for (int k = 0; k < 6; ++k) REQUIRE(vm.run(1) == RunStatus::Ready);
    CHECK(&vm.program() == &*target);
    CHECK(vm.pc() == 0u);
    CHECK(vm.depth() == 1u);
    CHECK(vm.frame_base() == 1u);
    CHECK(&vm.program_at(1) == &*target);
    CHECK(&vm.program_at(0) == &*caller);
    CHECK(vm.reg(10) == Vm::frame_pointer(1));
    CHECK(vm.reg(1) == 2u);
    for (int k = 0; k < 4; ++k) REQUIRE(vm.run(1) == RunStatus::Ready);
    CHECK(&vm.program() == &*caller);
    CHECK(vm.pc() == 2u);  // r0 += r6
    CHECK(vm.depth() == 0u);
    CHECK(vm.frame_base() == 0u);
    CHECK(vm.reg(0) == 32u);
    CHECK(vm.reg(6) == 7u);
    CHECK(vm.reg(10) == Vm::frame_pointer(0));
    CHECK(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 39u);
}

TEST_CASE("a tail call miss in a subprogram goes on after the call in the subprogram") {
    HelperRegistry reg;
    auto caller = decode_text(with_slot(5), tail_call_options(reg, fake_tail_call));
    REQUIRE(caller.ok());
    Vm vm(*caller);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 106u);  // sub's 99 + main's r6
    CHECK(vm.tail_calls() == 0u);
}

TEST_CASE("a target started in a subprogram's frame may nest 8 frames of its own from there") {
    HelperRegistry reg;
    const DecodeOptions opt = tail_call_options(reg, fake_tail_call);
    // rec(n): recurses n times, then stores into its stack and returns its frame pointer.
    const std::string rec = R"(
        r1 = %N%
        call rec
        exit
    rec:
        if r1 == 0 goto deepest
        r1 -= 1
        call rec
        exit
    deepest:
        *(u64 *)(r10 - 8) = r10
        r0 = r10
        exit
    )";
    auto with_n = [&](int n) {
        std::string t = rec;
        t.replace(t.find("%N%"), 3, std::to_string(n));
        return t;
    };
    auto caller = decode_text(with_slot(1), opt);
    REQUIRE(caller.ok());

    // From frame 1, 7 calls (main's and 6 recursive ones) reach frame 8: the 9th frame of the
    // run, whose stack is mapped when first used (window 64, past the maps' windows).
    auto seven = decode_text(with_n(6), opt);
    REQUIRE(seven.ok());
    g_target = &*seven;
    Vm vm(*caller);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(Vm::frame_pointer(8) == 0x4000000200ull);
    CHECK(vm.result() == 0x4000000200ull + 7);
    uint64_t stored = 0;
    const uint8_t* p = vm.memory().helper_ptr(Vm::frame_pointer(8) - 8, 8, false);
    REQUIRE(p);
    std::memcpy(&stored, p, 8);
    CHECK(stored == 0x4000000200ull);
    CHECK(vm.memory().region(window::kDeepStack0).name == "stack of frame 8");

    // One call more would be a 9th frame of the target's own: the verifier's limit.
    auto eight = decode_text(with_n(7), opt);
    REQUIRE(eight.ok());
    g_target = &*eight;
    Vm vm2(*caller);
    REQUIRE(vm2.run() == RunStatus::Faulted);
    REQUIRE(vm2.fault());
    CHECK(vm2.fault()->what == "the call would nest more than 8 frames deep (the kernel's limit)");
    CHECK(vm2.fault()->where.pc == 5u);  // the `call rec` in rec, at frame 8
    CHECK(vm2.depth() == 8u);
}

TEST_CASE("33 tail calls from subprograms run 34 programs nested, each returning into the one before") {
    // As the kernel runs examples/xdp_subprog_tail_call.c's xdp_chain: hop() tail-calls main
    // again until the 34th run, whose hop() misses and returns its frame pointer up 34 levels.
    HelperRegistry reg;
    auto chain = decode_text(R"(
        call hop
        exit
    hop:
        r2 = 0
        r3 = 1
        call 12
        r0 = r10
        exit
    )",
                             tail_call_options(reg, counting_tail_call));
    REQUIRE(chain.ok());
    g_self = &*chain;
    Vm vm(*chain);
    for (int round = 0; round < 2; ++round) {
        vm.reset();
        REQUIRE(vm.run() == RunStatus::Exited);
        CHECK(vm.tail_calls() == 33u);
        CHECK(vm.result() == Vm::frame_pointer(34));
        CHECK(vm.result() == 0x5a00000200ull);  // frame 34: window 64 + 26
        CHECK(vm.executed() == 33u * 5 + 7);   // 4 to the tail call and an exit each; the last: 7
        CHECK(vm.depth() == 0u);
    }
}
