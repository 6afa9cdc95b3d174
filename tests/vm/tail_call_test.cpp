// The VM side of bpf_tail_call: after the helper asks for it, the run continues at the start
// of the target program in the same frame, and never returns to the caller.
#include <doctest/doctest.h>

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
