// The bpf_conformance plugin helpers, called from assembled programs in-process: exact r0,
// and exact failures for bad pointers.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/decode.hpp"
#include "core/helpers/plugin_helpers.hpp"
#include "core/helpers/registry.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

using namespace bpfplay;

namespace {

struct Outcome {
    RunStatus status = RunStatus::Ready;
    uint64_t r0 = 0;
    uint64_t executed = 0;
    std::string fault;           // Error::to_string() when Faulted
    std::vector<uint8_t> memory; // the input memory after the run
};

Outcome run_with_plugin_helpers(std::string_view text, std::vector<uint8_t> memory = {}) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns.ok(), (insns.ok() ? "" : insns.error().to_string()));
    HelperRegistry registry;
    add_plugin_helpers(registry);
    DecodeOptions options;
    options.helpers = &registry;
    options.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
    auto program = decode(*insns, options);
    REQUIRE_MESSAGE(program.ok(), (program.ok() ? "" : program.error().to_string()));
    Vm vm(*program);
    vm.set_raw_input(memory);
    Outcome out;
    out.status = vm.run();
    out.r0 = vm.result();
    out.executed = vm.executed();
    if (vm.fault()) out.fault = vm.fault()->to_string();
    out.memory = memory;
    return out;
}

uint64_t r0_of(std::string_view text, std::vector<uint8_t> memory = {}) {
    Outcome out = run_with_plugin_helpers(text, std::move(memory));
    REQUIRE_MESSAGE(out.status == RunStatus::Exited, out.fault);
    return out.r0;
}

} // namespace

TEST_CASE("plugin helpers are registered with uBPF's ids and names and argument counts") {
    HelperRegistry registry;
    add_plugin_helpers(registry);
    REQUIRE(registry.all().size() == 6);
    const char* names[] = {"gather_bytes", "memfrob", "no_op", "sqrti", "strcmp_ext", "unwind"};
    const uint8_t nargs[] = {5, 2, 0, 1, 2, 1};
    for (int id = 0; id < 6; ++id) {
        const HelperSpec* spec = registry.find(id);
        REQUIRE(spec != nullptr);
        CHECK(std::string(spec->name) == names[id]);
        CHECK(spec->nargs == nargs[id]);
    }
    CHECK(registry.find(6) == nullptr);
}

TEST_CASE("gather_bytes packs the low byte of each argument with r1 most significant") {
    CHECK(r0_of("r1 = 17\nr2 = 34\nr3 = 51\nr4 = 68\nr5 = 85\ncall 0\nexit\n") == 0x1122334455ull);
    // Only the low byte of each argument counts.
    CHECK(r0_of("r1 = 0x1ff\nr2 = -1\nr3 = 0x100\nr4 = 0x7654\nr5 = 0x3210\ncall 0\nexit\n") ==
          0xffff005410ull);
}

TEST_CASE("memfrob XORs the range with 42 in place and returns 0") {
    Outcome out = run_with_plugin_helpers("r6 = r1\ncall 1\nr7 = r0\nr0 = *(u32 *)(r6 + 0)\nr0 += r7\nexit\n",
                                          {0x01, 0x02, 0x03, 0x04});
    REQUIRE(out.status == RunStatus::Exited);
    CHECK(out.r0 == 0x2e29282bull);
    CHECK(out.memory == std::vector<uint8_t>{0x2b, 0x28, 0x29, 0x2e});
    // Twice is the identity.
    CHECK(r0_of("r6 = r1\nr7 = r2\ncall 1\nr1 = r6\nr2 = r7\ncall 1\nr0 = *(u32 *)(r6 + 0)\nexit\n",
                {0x01, 0x02, 0x03, 0x04}) == 0x04030201ull);
    // Stack memory works too.
    CHECK(
        r0_of("*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\nr2 = 8\ncall 1\nr0 = *(u64 *)(r10 - 8)\nexit\n") ==
        0x2a2a2a2a2a2a2a2aull);
    // Length 0 touches nothing, whatever the pointer.
    CHECK(r0_of("r1 = 0\nr2 = 0\ncall 1\nexit\n") == 0);
}

TEST_CASE("memfrob outside memory faults with the address and length") {
    Outcome out = run_with_plugin_helpers("r2 = 5\ncall 1\nexit\n", {1, 2, 3, 4});
    REQUIRE(out.status == RunStatus::Faulted);
    CHECK(out.fault ==
          "insn 1: memfrob: cannot write 5 bytes at 0x100000000: the range is not inside one writable memory "
          "region (r1 must point into the input memory or the stack, and r2 must fit in what is left there)");
    CHECK(out.memory == std::vector<uint8_t>{1, 2, 3, 4}); // nothing written

    out = run_with_plugin_helpers("r1 = 16\nr2 = 4\ncall 1\nexit\n");
    REQUIRE(out.status == RunStatus::Faulted);
    CHECK(out.fault.starts_with("insn 2: memfrob: cannot write 4 bytes at 0x10: "));
}

TEST_CASE("no_op returns 0") {
    CHECK(r0_of("r0 = 7\ncall 2\nexit\n") == 0);
}

TEST_CASE("sqrti is the exact floor of the square root") {
    CHECK(r0_of("r1 = 0\ncall 3\nexit\n") == 0);
    CHECK(r0_of("r1 = 15\ncall 3\nexit\n") == 3);
    CHECK(r0_of("r1 = 16\ncall 3\nexit\n") == 4);
    CHECK(r0_of("r1 = 1000000\ncall 3\nexit\n") == 1000);
    // 2^64 - 1: a double rounds it up to 2^64, whose root is 2^32; the floor is 2^32 - 1.
    CHECK(r0_of("r1 = -1\ncall 3\nexit\n") == 0xffffffffull);
    CHECK(integer_sqrt(UINT64_MAX) == 0xffffffffull);
    CHECK(integer_sqrt(0xfffffffe00000001ull) == 0xffffffffull); // (2^32 - 1)^2
    CHECK(integer_sqrt(0xfffffffe00000000ull) == 0xfffffffeull); // one less
    for (uint64_t r = 1; r < 100000; r += 37) {
        CHECK(integer_sqrt(r * r) == r);
        CHECK(integer_sqrt(r * r - 1) == r - 1);
        CHECK(integer_sqrt(r * r + 2 * r) == r); // (r + 1)^2 - 1
    }
}

TEST_CASE("strcmp_ext returns -1 or 0 or 1 for two strings on the stack") {
    // "abc" at r10-8, "abd" at r10-16, "ab" at r10-24.
    const std::string setup = "*(u32 *)(r10 - 8) = 6513249\n"  // 61 62 63 00
                              "*(u32 *)(r10 - 16) = 6578785\n" // 61 62 64 00
                              "*(u32 *)(r10 - 24) = 25185\n";  // 61 62 00 00
    auto cmp = [&](int a, int b) {
        return r0_of(setup + "r1 = r10\nr1 += " + std::to_string(a) +
                     "\nr2 = r10\nr2 += " + std::to_string(b) + "\ncall 4\nexit\n");
    };
    CHECK(cmp(-8, -8) == 0);
    CHECK(cmp(-8, -16) == UINT64_MAX); // "abc" < "abd": -1, sign-extended
    CHECK(cmp(-16, -8) == 1);
    CHECK(cmp(-24, -8) == UINT64_MAX); // a prefix sorts first
    CHECK(cmp(-8, -24) == 1);
}

TEST_CASE("strcmp_ext compares bytes as unsigned") {
    // "\x80" vs "\x01": 0x80 > 0x01 although (signed char)0x80 is negative.
    CHECK(r0_of("*(u16 *)(r10 - 8) = 128\n*(u16 *)(r10 - 16) = 1\nr1 = r10\nr1 += -8\nr2 = r10\nr2 += -16\n"
                "call 4\nexit\n") == 1);
}

TEST_CASE("strcmp_ext without a terminating NUL faults") {
    Outcome out = run_with_plugin_helpers("r2 = r1\ncall 4\nexit\n", {'a', 'b'});
    REQUIRE(out.status == RunStatus::Faulted);
    CHECK(out.fault ==
          "insn 1: strcmp_ext: no NUL-terminated string at 0x100000000 (argument 1) (the string and its "
          "terminating NUL byte must lie inside one readable memory region)");
    out = run_with_plugin_helpers("r2 = 8\ncall 4\nexit\n", {'a', 0});
    REQUIRE(out.status == RunStatus::Faulted);
    CHECK(out.fault.starts_with("insn 1: strcmp_ext: no NUL-terminated string at 0x8 (argument 2) "));
}

TEST_CASE("unwind returns its argument and 0 ends the program at once") {
    CHECK(r0_of("r1 = 7\ncall 5\nexit\n") == 7);
    Outcome out = run_with_plugin_helpers("r1 = 0\ncall 5\nr0 = 99\nexit\n");
    REQUIRE(out.status == RunStatus::Exited);
    CHECK(out.r0 == 0);
    CHECK(out.executed == 2);
}

TEST_CASE("unwind with 0 inside a local function ends the whole program") {
    Outcome out = run_with_plugin_helpers("call pc+2\n" // to insn 3
                                          "r0 = 1\n"
                                          "exit\n"
                                          "r1 = 0\n"
                                          "call 5\n"
                                          "r0 = 7\n"
                                          "exit\n");
    REQUIRE(out.status == RunStatus::Exited);
    CHECK(out.r0 == 0);
    CHECK(out.executed == 3);
    // A non-zero argument returns normally, through both exits.
    CHECK(r0_of("call pc+2\nr0 += 1\nexit\nr1 = 7\ncall 5\nexit\n") == 8);
}
