// The undo journal at the Vm level: recording changes nothing a run computes, undo restores
// registers, frames and memory exactly, a 1,000,000-instruction run fits the default limit,
// and a small limit drops the oldest history instead of growing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "core/helpers/registry.hpp"
#include "core/journal.hpp"
#include "vm/vm_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

// Stores, atomics with fetch, a cmpxchg, a bpf-to-bpf call with a store into the caller's
// frame, and a write to the input memory, in a loop of r6 iterations.
const char* kMixed = R"(
    r6 = 100
    r7 = 0
loop:
    *(u64 *)(r10 - 8) = r6
    r2 = 1
    r2 = atomic_fetch_add((u64 *)(r10 - 8), r2)
    r0 = r2
    r3 = 7
    r0 = cmpxchg_64(r10 - 8, r0, r3)
    *(u8 *)(r1 + 3) = w6
    r8 = r10
    r8 += -16
    r9 = r1
    r1 = r8
    call fill
    r1 = r9
    r7 += r0
    r6 -= 1
    if r6 != 0 goto loop
    r0 = r7
    exit
fill:
    *(u32 *)(r1 + 0) = 0xabcd
    r0 = *(u64 *)(r10 - 8)
    r0 = 5
    exit
)";

struct Snapshot {
    std::array<uint64_t, 11> regs;
    uint32_t pc, depth;
    uint64_t executed;
    std::vector<uint8_t> stacks, input;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snap(const Vm& vm, const std::vector<uint8_t>& input) {
    Snapshot s{vm.regs(), vm.pc(), vm.depth(), vm.executed(), {}, input};
    for (uint32_t k = 0; k < kMaxCallFrames; ++k) {
        const uint8_t* p = vm.memory().helper_ptr(Vm::frame_pointer(k) - kStackSize, kStackSize, false);
        s.stacks.insert(s.stacks.end(), p, p + kStackSize);
    }
    return s;
}

}  // namespace

TEST_CASE("recording gives the same results; undo walks back through every state exactly") {
    auto prog = decode_text(kMixed);
    REQUIRE_MESSAGE(prog.ok(), (prog.ok() ? "" : prog.error().to_string()));
    std::vector<uint8_t> plain_mem(8, 0), mem(8, 0);
    const Outcome plain = run_program(prog.value(), plain_mem);
    REQUIRE(plain.status == RunStatus::Exited);

    Journal journal;
    Vm vm(prog.value());
    vm.set_raw_input(mem);
    vm.set_recording(&journal, nullptr);
    std::vector<Snapshot> states{snap(vm, mem)};
    while (vm.run(1) == RunStatus::Ready) states.push_back(snap(vm, mem));
    states.push_back(snap(vm, mem));
    REQUIRE(vm.status() == RunStatus::Exited);
    CHECK(vm.result() == plain.r0);
    CHECK(vm.result() == 500);
    CHECK(vm.executed() == plain.executed);
    CHECK(journal.steps() == vm.executed());
    CHECK(mem[3] == 1);  // the last iteration stored r6 = 1
    for (uint64_t k = vm.executed(); k-- > 0;) {
        REQUIRE(vm.undo_step());
        REQUIRE_MESSAGE(snap(vm, mem) == states[k], "state after undoing back to instruction " << k);
    }
    CHECK_FALSE(vm.undo_step());
    CHECK(mem == std::vector<uint8_t>(8, 0));
    CHECK(vm.status() == RunStatus::Ready);
    // And forward again to the same result.
    CHECK(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 500);
}

TEST_CASE("a 1,000,000-instruction run records within 256 MiB and undoes to its start") {
    // 8 instructions per iteration, two of them stores.
    auto prog = decode_text(R"(
        r1 = 125000
    loop:
        *(u64 *)(r10 - 8) = r1
        r2 = *(u64 *)(r10 - 8)
        r2 *= 3
        *(u32 *)(r10 - 16) = w2
        r0 = *(u32 *)(r10 - 16)
        r0 ^= r1
        r1 -= 1
        if r1 != 0 goto loop
        exit
    )");
    REQUIRE(prog.ok());
    Journal journal;
    CHECK(journal.limit_bytes() == 256ull << 20);
    Vm vm(prog.value());
    vm.set_budget(2'000'000);
    vm.set_recording(&journal, nullptr);
    CHECK(vm.run() == RunStatus::Exited);
    CHECK(vm.executed() == 1'000'002);
    CHECK(journal.steps() == 1'000'002);
    CHECK(journal.dropped_steps() == 0);
    CHECK(journal.bytes_used() < (256ull << 20));
    // The issue's budget: at most 16 bytes an instruction (this loop takes about 13: two
    // stores' old bytes, five registers' old values, one jump's pc).
    CHECK(journal.bytes_used() < 16'000'000);
    uint64_t undone = 0;
    while (vm.undo_step()) ++undone;
    CHECK(undone == 1'000'002);
    CHECK(vm.pc() == 0);
    CHECK(vm.executed() == 0);
    const uint8_t* stack = vm.memory().helper_ptr(Vm::frame_pointer(0) - 16, 16, false);
    CHECK(std::all_of(stack, stack + 16, [](uint8_t b) { return b == 0; }));
}

TEST_CASE("over its limit the journal forgets the oldest half, and undo stops there") {
    auto prog = decode_text(R"(
        r1 = 200000
        r0 = 0
    loop:
        *(u64 *)(r10 - 8) = r1
        r1 -= 1
        if r1 != 0 goto loop
        exit
    )");
    REQUIRE(prog.ok());
    Journal journal(2ull << 20);  // 2 MiB: far less than 600,002 steps need
    Vm vm(prog.value());
    vm.set_recording(&journal, nullptr);
    CHECK(vm.run() == RunStatus::Exited);
    CHECK(vm.executed() == 600'003);
    CHECK(journal.dropped_steps() > 0);
    CHECK(journal.steps() + journal.dropped_steps() == 600'003);
    CHECK(journal.bytes_used() <= 2ull << 20);
    uint64_t undone = 0;
    while (vm.undo_step()) ++undone;
    CHECK(journal.steps() == 0);
    CHECK(undone > 0);
    CHECK(vm.executed() == journal.dropped_steps());
    // The state there is the one a plain run reaches after that many instructions.
    Vm plain(prog.value());
    plain.run(vm.executed());
    CHECK(plain.pc() == vm.pc());
    CHECK(plain.regs() == vm.regs());
    CHECK(std::memcmp(plain.memory().helper_ptr(Vm::frame_pointer(0) - 8, 8, false),
                      vm.memory().helper_ptr(Vm::frame_pointer(0) - 8, 8, false), 8) == 0);
}

namespace {

// bpf_tail_call as the kernel counts it: slot 1 holds g_tail_target, 33 tail calls per run.
const Program* g_tail_target = nullptr;
uint64_t tail_call_slot1(Vm& vm, uint64_t, uint64_t, uint64_t index, uint64_t, uint64_t) {
    if (index != 1 || !g_tail_target) return uint64_t(-2);
    if (vm.tail_calls() >= uint32_t(kMaxTailCalls)) return uint64_t(-7);
    vm.helper_tail_call(*g_tail_target);
    return 0;
}

// Everything a step may change when tail calls leave frames in other programs.
struct TailSnapshot {
    std::array<uint64_t, 11> regs;
    uint32_t pc, depth, base, tail_calls;
    uint64_t executed;
    RunStatus status;
    std::vector<const Program*> programs;  // per frame
    std::vector<uint32_t> return_pcs;
    std::vector<uint8_t> stacks;
    bool operator==(const TailSnapshot&) const = default;
};

TailSnapshot tail_snap(const Vm& vm) {
    TailSnapshot s{vm.regs(),     vm.pc(), vm.depth(), vm.frame_base(), vm.tail_calls(), vm.executed(),
                   vm.status(), {},      {},         {}};
    for (uint32_t d = 0; d <= vm.depth(); ++d) {
        s.programs.push_back(&vm.program_at(d));
        s.return_pcs.push_back(d ? vm.frame(d).return_pc : 0);
    }
    for (uint32_t k = 0; k < std::max(uint32_t(kMaxCallFrames), vm.depth() + 1); ++k) {
        const uint8_t* p = vm.memory().helper_ptr(Vm::frame_pointer(k) - kStackSize, kStackSize, false);
        s.stacks.insert(s.stacks.end(), p, p + kStackSize);
    }
    return s;
}

// Steps a recorded run to its end, then undoes it one step at a time, requiring each state to
// be the one seen going forward; then runs forward again to the same result.
void require_exact_undo(const Program& entry, uint64_t expect_r0, uint32_t expect_tail_calls) {
    Journal journal;
    Vm vm(entry);
    vm.set_recording(&journal, nullptr);
    std::vector<TailSnapshot> states{tail_snap(vm)};
    while (vm.run(1) == RunStatus::Ready) states.push_back(tail_snap(vm));
    states.push_back(tail_snap(vm));
    REQUIRE(vm.status() == RunStatus::Exited);
    CHECK(vm.result() == expect_r0);
    CHECK(vm.tail_calls() == expect_tail_calls);
    for (uint64_t k = vm.executed(); k-- > 0;) {
        REQUIRE(vm.undo_step());
        REQUIRE_MESSAGE(tail_snap(vm) == states[k], "state after undoing back to instruction " << k);
    }
    CHECK_FALSE(vm.undo_step());
    CHECK(&vm.program() == &entry);
    CHECK(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == expect_r0);
    CHECK(tail_snap(vm) == states.back());
}

}  // namespace

TEST_CASE("undo takes back a tail call from a subprogram and the target's return into the caller") {
    HelperRegistry reg;
    reg.add({12, "bpf_tail_call", 3, tail_call_slot1});
    DecodeOptions opt;
    opt.helpers = &reg;
    opt.entry_regs = (1u << 1) | (1u << 10);
    // main loops 3 times: sub stores into its frame and tail-calls the target, which takes
    // sub's frame over, stores there, calls a function of its own, and returns to main.
    auto target = decode_text(R"(
        *(u64 *)(r10 - 8) = r1
        r6 = r1
        call twice
        r0 += r6
        exit
    twice:
        *(u64 *)(r10 - 16) = r1
        r0 = r1
        r0 += r1
        exit
    )",
                              opt);
    REQUIRE(target.ok());
    auto main = decode_text(R"(
        r6 = 3
        r7 = 0
    loop:
        *(u64 *)(r10 - 8) = r6
        r1 = r6
        call sub
        r7 += r0
        r6 -= 1
        if r6 != 0 goto loop
        r0 = r7
        exit
    sub:
        *(u64 *)(r10 - 24) = r1
        r2 = 0
        r3 = 1
        call 12
        r0 = 99
        exit
    )",
                            opt);
    REQUIRE(main.ok());
    g_tail_target = &*target;
    require_exact_undo(*main, 3 * (3 + 2 + 1), 3);  // the target returns 3 * r1

    // A chain of 33 tail calls from subprograms: 34 nested runs, stacks past frame 8.
    auto chain = decode_text(R"(
        *(u64 *)(r10 - 8) = r10
        call hop
        exit
    hop:
        r2 = 0
        r3 = 1
        call 12
        r0 = r10
        exit
    )",
                             opt);
    REQUIRE(chain.ok());
    g_tail_target = &*chain;
    require_exact_undo(*chain, Vm::frame_pointer(34), 33);
}
