// A load or store through a NULL pointer: the hint says a map lookup (or another helper that
// returns NULL) is where the NULL came from only when the faulting register's value did come
// from such a call, following it through moves, pointer arithmetic, stack spills and function
// arguments; conditionally when only some paths say so or the value came from memory.
#include <doctest/doctest.h>

#include "core/helpers/registry.hpp"
#include "core/null_origin.hpp"
#include "vm/vm_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

uint64_t returns_null(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return 0;
}

// bpf_map_lookup_elem (1) and bpf_ringbuf_reserve (131) find nothing; bpf_ktime_get_ns (5)
// returns 0, a number.
const HelperRegistry& null_helpers() {
    static const HelperRegistry registry = [] {
        HelperRegistry r;
        r.add({1, "bpf_map_lookup_elem", 0, returns_null});
        r.add({5, "bpf_ktime_get_ns", 0, returns_null});
        r.add({131, "bpf_ringbuf_reserve", 0, returns_null});
        return r;
    }();
    return registry;
}

Outcome run_with_helpers(const std::string& text) {
    DecodeOptions options;
    options.helpers = &null_helpers();
    auto prog = decode_text(text, options);
    REQUIRE_MESSAGE(prog.ok(), (prog.ok() ? "" : prog.error().to_string()));
    return run_program(*prog);
}

// What the hint says after "rN holds what bpf_map_lookup_elem returned at insn K", for rN.
std::string lookup_check(int reg) {
    return ", which is NULL when the map has no entry for the key. Check it before using it (if (!p) return "
           "...;): "
           "the kernel's verifier refuses this access (\"R" +
           std::to_string(reg) + " invalid mem access 'map_value_or_null'\").";
}

} // namespace

TEST_CASE("a NULL from bpf_map_lookup_elem used at once: the hint names the call") {
    auto o = run_with_helpers("call 1\n"
                              "r1 = *(u32 *)(r0 + 4)\n"
                              "r0 = 0\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->kind == ErrorKind::Memory);
    CHECK(o.error->where.pc == 1u);
    CHECK(o.error->what == "4-byte load at 0x4 dereferences a NULL pointer");
    CHECK(o.error->hint == "r0 holds what bpf_map_lookup_elem returned at insn 0" + lookup_check(0));
}

TEST_CASE("the NULL is followed through moves and pointer arithmetic to a store") {
    auto o = run_with_helpers("call 1\n"
                              "r6 = r0\n"
                              "r6 += 8\n"
                              "r7 = r6\n"
                              "r1 = 1\n"
                              "*(u64 *)(r7 + 0) = r1\n"
                              "r0 = 0\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 5u);
    CHECK(o.error->what == "8-byte store at 0x8 dereferences a NULL pointer");
    CHECK(o.error->hint == "r7 holds what bpf_map_lookup_elem returned at insn 0" + lookup_check(7));
}

TEST_CASE("the NULL is followed through a spill to the stack and back") {
    auto o = run_with_helpers("call 1\n"
                              "*(u64 *)(r10 - 16) = r0\n"
                              "call 5\n"
                              "r3 = *(u64 *)(r10 - 16)\n"
                              "r0 = *(u8 *)(r3 + 0)\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 4u);
    CHECK(o.error->hint == "r3 holds what bpf_map_lookup_elem returned at insn 0" + lookup_check(3));
}

TEST_CASE("a NULL from another helper that returns NULL says when that helper does") {
    auto o = run_with_helpers("call 131\n"
                              "r1 = 7\n"
                              "*(u32 *)(r0 + 0) = r1\n"
                              "r0 = 0\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->hint ==
          "r0 holds what bpf_ringbuf_reserve returned at insn 0, which is NULL when it fails. Check "
          "it before using it (if (!p) return ...;): the kernel's verifier refuses an unchecked "
          "access.");
}

TEST_CASE("a NULL constant gets no map-lookup hint") {
    auto o = run_text("r1 = 0\nr0 = *(u64 *)(r1 + 8)\nexit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 1u);
    CHECK(o.error->what == "8-byte load at 0x8 dereferences a NULL pointer");
    CHECK(o.error->hint == "");
}

TEST_CASE("a 0 from a helper that returns a number gets no map-lookup hint, even after a lookup") {
    auto o = run_with_helpers("call 1\n"
                              "r6 = r0\n"
                              "call 5\n"
                              "r0 = *(u64 *)(r0 + 0)\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 3u);
    CHECK(o.error->hint == "");
}

TEST_CASE("when only some paths bring the lookup's result, the hint says so") {
    // r2 (the input length, 0 here) makes the jump skip `r0 = 0`, so the lookup's NULL reaches the load;
    // the code alone cannot tell which path ran, and the hint says both can.
    auto o = run_with_helpers("r6 = r2\n"
                              "call 1\n"
                              "if r6 == 0 goto +1\n"
                              "r0 = 0\n"
                              "r0 = *(u32 *)(r0 + 0)\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 4u);
    CHECK(o.error->hint ==
          "On some paths to here r0 holds what bpf_map_lookup_elem returned at insn 1, on others a "
          "value from elsewhere. If the NULL came from bpf_map_lookup_elem (NULL when the map has "
          "no entry for the key), check it before using it (if (!p) return ...;).");
}

TEST_CASE("a pointer loaded from memory gets a conditional hint") {
    auto o = run_text("r3 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r3 + 0)\nexit", std::vector<uint8_t>(8, 0));
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 1u);
    CHECK(o.error->hint ==
          "r3 was loaded from memory, so where the NULL came from is not known here. If it is what a "
          "helper such as bpf_map_lookup_elem returned, check it for NULL before using it: the "
          "kernel's verifier demands it.");
}

TEST_CASE("a NULL passed to a function is followed to the caller's lookup") {
    auto o = run_with_helpers("call 1\n"
                              "r1 = r0\n"
                              "call deref\n"
                              "exit\n"
                              "deref:\n"
                              "r0 = *(u64 *)(r1 + 16)\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 4u);
    CHECK(o.error->what == "8-byte load at 0x10 dereferences a NULL pointer");
    CHECK(o.error->hint == "r1 holds what bpf_map_lookup_elem returned at insn 0" + lookup_check(1));
}

TEST_CASE("a constant passed to a function is followed to the caller too: no hint") {
    auto o = run_with_helpers("call 1\n"
                              "r1 = 0\n"
                              "call deref\n"
                              "exit\n"
                              "deref:\n"
                              "r0 = *(u64 *)(r1 + 16)\n"
                              "exit");
    REQUIRE(o.error);
    CHECK(o.error->where.pc == 4u);
    CHECK(o.error->hint == "");
}

TEST_CASE("null_origin lists every lookup that reaches the register") {
    DecodeOptions options;
    options.helpers = &null_helpers();
    auto prog = decode_text("if r2 == 0 goto +2\n"
                            "call 1\n"
                            "goto +1\n"
                            "call 1\n"
                            "r0 = *(u32 *)(r0 + 0)\n"
                            "exit",
                            options);
    REQUIRE(prog.ok());
    const NullOrigin o = null_origin(*prog, 4, 0);
    CHECK(o.nullable_calls == std::vector<uint32_t>{1, 3});
    CHECK_FALSE(o.computed);
    CHECK_FALSE(o.from_memory);
    CHECK(null_pointer_hint(*prog, 4, 0) ==
          "r0 holds what bpf_map_lookup_elem returned at insns 1 and 3" + lookup_check(0));
}
