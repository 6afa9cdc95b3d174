// Faults that depend on run-time values: each stops the run with a structured error naming
// the instruction, and the state stays inspectable.
#include <doctest/doctest.h>

#include "core/helpers/registry.hpp"
#include "core/time_limit.hpp"
#include "vm/vm_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {
Insn insn(uint8_t opcode, uint8_t dst = 0, uint8_t src = 0, int16_t off = 0, int32_t imm = 0) {
    return Insn{opcode, dst, src, off, imm};
}
}  // namespace

TEST_CASE("a load past the end of the input memory faults with the address and region") {
    auto o = run_text("r0 = *(u32 *)(r1 + 14)\nexit", std::vector<uint8_t>(16, 0));
    REQUIRE(o.status == RunStatus::Faulted);
    REQUIRE(o.error);
    CHECK(o.error->kind == ErrorKind::Memory);
    CHECK(o.error->where.pc == 0u);
    CHECK(o.error->where.address == 0x10000000eull);
    CHECK(o.error->what == "4-byte load at 0x10000000e is outside the 16-byte input memory at 0x100000000: it "
                           "covers bytes 14 to 17 of 16");
    CHECK(o.executed == 0u);
}

TEST_CASE("a load just inside the input memory succeeds") {
    std::vector<uint8_t> mem(16, 0);
    mem[12] = 0x78, mem[13] = 0x56, mem[14] = 0x34, mem[15] = 0x12;
    auto o = run_text("r0 = *(u32 *)(r1 + 12)\nexit", mem);
    REQUIRE(o.status == RunStatus::Exited);
    CHECK(o.r0 == 0x12345678u);
}

TEST_CASE("a negative offset below the input memory faults") {
    auto o = run_text("r0 = *(u8 *)(r1 - 1)\nexit", std::vector<uint8_t>(4, 0));
    REQUIRE(o.error);
    CHECK(o.error->where.address == 0xffffffffull);
    CHECK(o.error->what == "1-byte load at 0xffffffff is not inside any memory the program may use; the nearest "
                           "is the 4-byte input memory at 0x100000000");
}

TEST_CASE("stack accesses outside the 512-byte frame fault, named relative to r10") {
    auto below = run_text("r1 = 1\n*(u64 *)(r10 - 520) = r1\nr0 = 0\nexit");
    REQUIRE(below.error);
    CHECK(below.error->where.pc == 1u);
    CHECK(below.error->what == "8-byte store at 0x7fffffff8 (fp-520) is not inside any memory the program may use; "
                               "the nearest is the 512-byte stack of frame 0 at 0x800000000");
    auto above = run_text("r0 = *(u64 *)(r10 + 0)\nexit");
    REQUIRE(above.error);
    CHECK(above.error->what == "8-byte load at 0x800000200 (fp+0) is outside the 512-byte stack of frame 0 at "
                               "0x800000000: valid stack offsets are fp-512 to fp-1");
    CHECK(run_text("r1 = 7\n*(u64 *)(r10 - 512) = r1\nr0 = *(u64 *)(r10 - 512)\nexit").r0 == 7u);
}

TEST_CASE("dereferencing NULL faults, naming the address") {
    auto o = run_text("r1 = 0\nr0 = *(u64 *)(r1 + 8)\nexit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 1u);
    CHECK(o.error->where.address == 0x8u);
    CHECK(o.error->what == "8-byte load at 0x8 dereferences a NULL pointer");
    // No map lookup made r1: the hint does not claim one did (null_pointer_hint_test.cpp).
    CHECK(o.error->hint == "");
}

TEST_CASE("an atomic outside memory faults as an atomic operation") {
    auto o = run_text("r2 = 1\nlock *(u64 *)(r10 + 8) += r2\nr0 = 0\nexit");
    REQUIRE(o.error);
    CHECK(o.error->what.rfind("8-byte atomic operation at 0x800000208", 0) == 0);
}

TEST_CASE("an endless loop ends at the instruction budget") {
    auto o = run_text("r0 = 0\nr0 += 1\ngoto -2\nexit", {}, 1000);
    REQUIRE(o.status == RunStatus::Faulted);
    REQUIRE(o.error);
    CHECK(o.error->kind == ErrorKind::Budget);
    CHECK(o.error->what == "the program ran 1000 instructions without exiting (the instruction budget)");
    CHECK(o.executed == 1000u);
    CHECK(o.r0 == 500u);  // 1 mov, then 499 full turns of (add, goto) and one more add
}

TEST_CASE("a program that exits on its last budgeted instruction succeeds") {
    auto o = run_text("r0 = 1\nexit", {}, 2);
    CHECK(o.status == RunStatus::Exited);
    CHECK(o.executed == 2u);
}

TEST_CASE("the default budget is 1,000,000 instructions") {
    auto o = run_text("r0 = 0\ngoto -1\nexit");
    REQUIRE(o.error);
    CHECK(o.executed == 1000000u);
}

TEST_CASE("recursion deeper than 8 frames faults") {
    // f: call f; exit -- each call adds a frame.
    auto prog = decode_insns({insn(0x85, 0, 1, 0, 1), insn(0x95), insn(0x85, 0, 1, 0, -1), insn(0x95)});
    REQUIRE(prog.ok());
    auto o = run_program(*prog);
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 2u);
    CHECK(o.error->what == "the call would nest more than 8 frames deep (the kernel's limit)");
    CHECK(o.executed == 7u);  // 8 frames: the program's own and 7 nested calls
}

TEST_CASE("a local call gets a fresh frame and restores r6-r9 and r10") {
    // main: r6 = 6; r1 = 40; call f; r0 += r6; r0 += r10-fp; exit   f: r6 = 99; r0 = r1; r0 += 2; exit
    auto prog = decode_insns({insn(0xb7, 6, 0, 0, 6), insn(0xb7, 1, 0, 0, 40), insn(0x85, 0, 1, 0, 3),
                              insn(0x0f, 0, 6), insn(0xbf, 2, 10), insn(0x95),
                              insn(0xb7, 6, 0, 0, 99), insn(0xbf, 0, 1), insn(0x07, 0, 0, 0, 2), insn(0x95)});
    REQUIRE(prog.ok());
    Vm vm(*prog);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 48u);
    CHECK(vm.reg(6) == 6u);
    CHECK(vm.reg(10) == Vm::frame_pointer(0));
    CHECK(vm.reg(2) == 0x800000200ull);
}

TEST_CASE("callx calls a function whose address an lddw took, and faults on anything else") {
    // r1 = func(+4 -> insn 5); callx r1; exit; ...; f: r0 = 5; exit
    std::vector<Insn> p = {insn(0x18, 1, 4, 0, 4), insn(0), insn(0x8d, 1), insn(0x95), insn(0x95),
                           insn(0xb7, 0, 0, 0, 5), insn(0x95)};
    auto prog = decode_insns(p);
    REQUIRE(prog.ok());
    auto o = run_program(*prog);
    REQUIRE(o.status == RunStatus::Exited);
    CHECK(o.r0 == 5u);

    auto bad = run_text("r1 = 0x1234\nr0 = 0\ncallx r1\nexit");
    REQUIRE(bad.error);
    CHECK(bad.error->where.pc == 2u);
    CHECK(bad.error->what == "callx r1: 0x1234 is not the address of a function in this program");
}

namespace {
uint64_t times_three(Vm&, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a * 3; }
uint64_t plus_one(Vm&, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a + 1; }
}  // namespace

TEST_CASE("callx with a helper id calls that helper through the program's bindings") {
    HelperRegistry reg;
    reg.add({7, "times_three", 1, times_three});
    reg.add({9, "plus_one", 1, plus_one});
    DecodeOptions opt;
    opt.helpers = &reg;
    // A direct call binds plus_one first; the callx binds the rest after it, so the direct
    // call's binding index stays 0.
    auto prog = decode_text("r1 = 5\ncall 9\nr1 = r0\nr2 = 7\ncallx r2\nexit", opt);
    REQUIRE(prog.ok());
    CHECK(prog->callx_helpers);
    REQUIRE(prog->helpers.size() == 2u);
    CHECK(prog->helpers[0].id == 9);
    CHECK(prog->helpers[1].id == 7);
    CHECK(prog->insns[1].target == 0u);
    auto o = run_program(*prog);
    REQUIRE(o.status == RunStatus::Exited);
    CHECK(o.r0 == 18u);  // (5 + 1) * 3

    // An id no helper has, a huge value and a code address that is no function all fault.
    auto bad = decode_text("r1 = 0\nr2 = 8\ncallx r2\nexit", opt);
    REQUIRE(bad.ok());
    auto b = run_program(*bad);
    REQUIRE(b.error);
    CHECK(b.error->where.pc == 2u);
    CHECK(b.error->what == "callx r2: 0x8 is neither the address of a function in this program nor the id of "
                           "a helper it can call");
    auto huge = decode_text("r1 = 0\nr2 = 0x100000007 ll\ncallx r2\nexit", opt);
    REQUIRE(huge.ok());
    CHECK(run_program(*huge).message() ==
          "callx r2: 0x100000007 is neither the address of a function in this program nor the id of a helper "
          "it can call");
    auto code = decode_text("r1 = func(4) ll\nr1 += 8\ncallx r1\nexit\nr0 = 1\nexit", opt);
    REQUIRE(code.ok());
    CHECK(run_program(*code).message() ==
          "callx r1: 0xf000000030 is not the address of a function in this program");
}

TEST_CASE("a callx that reaches a helper checks the helper's arguments on the path taken") {
    HelperRegistry reg;
    reg.add({7, "times_three", 1, times_three});
    DecodeOptions opt;
    opt.helpers = &reg;
    opt.entry_regs = (1u << 2) | (1u << 10);  // r1 is not set at entry
    auto prog = decode_text("if r2 == 0 goto +1\nr1 = 4\nr3 = 7\ncallx r3\nexit", opt);
    REQUIRE(prog.ok());
    CHECK(prog->needs_init_checks);  // r1 is written on one path only
    Vm vm(*prog);
    vm.set_reg(2, 1);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 12u);
    Vm unset(*prog);
    unset.set_reg(2, 0);
    REQUIRE(unset.run() == RunStatus::Faulted);
    CHECK(unset.fault()->where.pc == 3u);
    CHECK(unset.fault()->what ==
          "r1 is read before it is written on this path (the kernel's verifier says \"R1 !read_ok\")");
}

TEST_CASE("the older LLVM callx encoding (register in imm) runs the same") {
    std::vector<Insn> p = {insn(0x18, 3, 4, 0, 4), insn(0), insn(0x8d, 0, 0, 0, 3), insn(0x95), insn(0x95),
                           insn(0xb7, 0, 0, 0, 9), insn(0x95)};
    auto prog = decode_insns(p);
    REQUIRE(prog.ok());
    CHECK(run_program(*prog).r0 == 9u);
}

TEST_CASE("a read that only some paths initialize is checked when it happens") {
    const std::string text = "if r2 == 0 goto +1\nr3 = 7\nr0 = r3\nexit";
    auto prog = decode_text(text);
    REQUIRE(prog.ok());
    CHECK(prog->needs_init_checks);
    auto fine = run_program(*prog, {1, 2, 3});
    CHECK(fine.status == RunStatus::Exited);
    CHECK(fine.r0 == 7u);
    auto bad = run_program(*prog, {});
    REQUIRE(bad.error);
    CHECK(bad.error->where.pc == 2u);
    CHECK(bad.error->what == "r3 is read before it is written on this path (the kernel's verifier says \"R3 !read_ok\")");
    CHECK(bad.executed == 1u);  // only the jump ran
}

TEST_CASE("a program whose reads are always initialized needs no run-time checks") {
    auto prog = decode_text("r0 = 0\nif r2 == 0 goto +1\nr0 = 1\nexit");
    REQUIRE(prog.ok());
    CHECK_FALSE(prog->needs_init_checks);
}

TEST_CASE("stepping one instruction at a time reaches the same end as running") {
    const std::string text = "r0 = 0\nr1 = 10\nr0 += r1\nr1 -= 1\nif r1 != 0 goto -3\nexit";
    auto prog = decode_text(text);
    REQUIRE(prog.ok());
    Vm vm(*prog);
    int steps = 0;
    while (vm.run(1) == RunStatus::Ready) {
        ++steps;
        CHECK(vm.executed() == uint64_t(steps));
    }
    CHECK(vm.status() == RunStatus::Exited);
    CHECK(vm.result() == 55u);
    CHECK(vm.executed() == 33u);
    CHECK(run_program(*prog).executed == 33u);
}

TEST_CASE("reset runs the program again from the start with a clean stack") {
    auto prog = decode_text("r0 = *(u64 *)(r10 - 8)\nr1 = 5\n*(u64 *)(r10 - 8) = r1\nexit");
    REQUIRE(prog.ok());
    Vm vm(*prog);
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 0u);
    vm.reset();
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.result() == 0u);
}

TEST_CASE("division and modulo by zero are defined, not faults") {
    CHECK(run_text("r0 = 7\nr1 = 0\nr0 /= r1\nexit").r0 == 0u);
    CHECK(run_text("r0 = 7\nr1 = 0\nr0 %= r1\nexit").r0 == 7u);
}

TEST_CASE("a wall-clock limit stops a paused run between slices; a finished run is left as it is") {
    auto prog = decode_text("r0 = 0\nr0 += 1\ngoto -2\nexit");
    REQUIRE(prog.ok());
    Vm vm(*prog);
    vm.set_budget(kTimeLimitSlice * 4);
    // A deadline already passed: the run does not start.
    REQUIRE(run_with_time_limit(vm, TimeLimit{std::chrono::steady_clock::now(), std::chrono::milliseconds(1500)}) ==
            RunStatus::Faulted);
    REQUIRE(vm.fault());
    CHECK(vm.fault()->kind == ErrorKind::Budget);
    CHECK(vm.fault()->where.pc == 0u);
    CHECK(vm.fault()->what == "the run was not started: the wall-clock time limit of 1.5 s had passed");
    CHECK(vm.executed() == 0u);

    // A far deadline: the budget ends the run first, as without a limit.
    vm.reset();
    REQUIRE(run_with_time_limit(vm, TimeLimit::from_now(std::chrono::hours(1))) == RunStatus::Faulted);
    CHECK(vm.executed() == kTimeLimitSlice * 4);
    CHECK(vm.fault()->what.find("instruction budget") != std::string::npos);

    // Stopping a run that has ended changes nothing.
    auto done = decode_text("r0 = 7\nexit");
    REQUIRE(done.ok());
    Vm exited(*done);
    REQUIRE(exited.run() == RunStatus::Exited);
    exited.stop(make_error(ErrorKind::Budget, "late"));
    CHECK(exited.status() == RunStatus::Exited);
    CHECK(exited.result() == 7u);
    CHECK_FALSE(exited.fault());
}
