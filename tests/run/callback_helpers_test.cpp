// bpf_loop and bpf_for_each_map_elem from assembled programs: each callback call runs as a frame
// of the program; results, error codes and the verifier's rules are the kernel's
// (kernel/bpf/bpf_iter.c, kernel/bpf/arraymap.c, kernel/bpf/hashtab.c, verifier.c).
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/maps/map.hpp"
#include "run/asm_session.hpp"

using namespace bpfplay;
using namespace bpfplay::testing;

namespace {

// Sums the callback's index into a u64 on the caller's stack (the ctx); the callback returns 1
// (stop) when the index equals `stop_at`. r0 = calls | sum << 16.
std::string loop_program(const std::string& nr_loops, const std::string& flags, int stop_at) {
    return "r1 = 0\n"
           "*(u64 *)(r10 - 8) = r1\n"
           "r1 = " + nr_loops + "\n"
           "r2 = func(+9) ll\n"
           "r3 = r10\n"
           "r3 += -8\n"
           "r4 = " + flags + "\n"
           "call 181\n"
           "r1 = *(u64 *)(r10 - 8)\n"
           "r1 <<= 16\n"
           "r0 |= r1\n"
           "exit\n"
           // the callback (insn 13): r1 = index, r2 = ctx
           "r3 = *(u64 *)(r2 + 0)\n"
           "r3 += r1\n"
           "*(u64 *)(r2 + 0) = r3\n"
           "r0 = 0\n"
           "if r1 != " + std::to_string(stop_at) + " goto +1\n"
           "r0 = 1\n"
           "exit\n";
}

RunResult run_loop(const std::string& nr_loops, const std::string& flags = "0", int stop_at = -1) {
    auto s = open_asm(loop_program(nr_loops, flags, stop_at), {});
    return run_asm(*s);
}

MapSpec spec(MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries, std::string name) {
    MapSpec m;
    m.type = type;
    m.name = std::move(name);
    m.key_size = key_size;
    m.value_size = value_size;
    m.max_entries = max_entries;
    return m;
}

std::vector<uint8_t> u32(uint32_t v) {
    std::vector<uint8_t> b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
}
std::vector<uint8_t> u64(uint64_t v) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), &v, 8);
    return b;
}

// bpf_for_each_map_elem over map 0 with a callback that adds key * 1000 + value into the ctx
// (a u64 on the caller's stack), and stops after the element whose key is `stop_key`.
// r0 = calls | sum << 16.
std::string for_each_program(int stop_key, const std::string& extra_callback_code = "") {
    return "r1 = 0\n"
           "*(u64 *)(r10 - 8) = r1\n"
           "r1 = {m} ll\n"
           "r2 = func(+9) ll\n"
           "r3 = r10\n"
           "r3 += -8\n"
           "r4 = 0\n"
           "call 164\n"
           "r1 = *(u64 *)(r10 - 8)\n"
           "r1 <<= 16\n"
           "r0 |= r1\n"
           "exit\n"
           // the callback (insn 14): r1 = map, r2 = key, r3 = value, r4 = ctx
           "r6 = *(u32 *)(r2 + 0)\n"
           "r7 = *(u64 *)(r3 + 0)\n"
           "r5 = r6\n"
           "r5 *= 1000\n"
           "r5 += r7\n"
           "r8 = *(u64 *)(r4 + 0)\n"
           "r8 += r5\n"
           "*(u64 *)(r4 + 0) = r8\n" +
           extra_callback_code +
           "r0 = 0\n"
           "if r6 != " + std::to_string(stop_key) + " goto +1\n"
           "r0 = 1\n"
           "exit\n";
}

}  // namespace

TEST_CASE("bpf_loop calls the callback nr_loops times with the index and the ctx") {
    const RunResult r = run_loop("10");
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == (10u | (45u << 16)));  // 10 calls, 0 + 1 + ... + 9
}

TEST_CASE("bpf_loop stops after the call that returns 1 and counts it") {
    const RunResult r = run_loop("10", "0", 3);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == (4u | (6u << 16)));  // calls 0..3
}

TEST_CASE("bpf_loop error codes: flags, more than BPF_MAX_LOOPS, zero loops") {
    CHECK(run_loop("10", "1").r0 == uint64_t(-22));                  // -EINVAL, no call made
    CHECK(run_loop("8388609").r0 == uint64_t(-7));                   // (1 << 23) + 1: -E2BIG
    CHECK(run_loop("0").r0 == 0u);                                    // nothing to call
    // nr_loops is a u32: the upper half of r1 is ignored (0x1_00000002 -> 2 loops).
    CHECK(run_loop("0x100000002 ll").r0 == (2u | (1u << 16)));
}

TEST_CASE("bpf_loop runs exactly 1 << 23 loops (the budget decides whether it finishes)") {
    auto s = open_asm(loop_program("8388608", "0", -1), {});
    RunInput in;
    in.packet.assign(64, 0);
    in.budget = 100'000'000;
    const RunResult r = s->run("asm", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK((r.r0 & 0xffff) == (8388608u & 0xffff));
}

TEST_CASE("a callback returning anything but 0 or 1 is the verifier's error") {
    auto s = open_asm("r1 = 3\nr2 = func(+5) ll\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 2\nexit\n", {});
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Verify);
    CHECK(r.error->where.pc == 8u);
    CHECK(r.error->what.find("should have been in (0x0; 0x1)") != std::string::npos);
}

TEST_CASE("bpf_loop refuses a callback that is not a function of the program") {
    auto s = open_asm("r1 = 3\nr2 = 12345\nr3 = 0\nr4 = 0\ncall 181\nexit\n", {});
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("expected=func") != std::string::npos);
}

TEST_CASE("callbacks nest: bpf_loop inside a bpf_loop callback") {
    // outer: 3 loops; each outer call runs an inner bpf_loop of 4 that adds 1 to the ctx.
    const std::string text =
        "r1 = 0\n"
        "*(u64 *)(r10 - 8) = r1\n"
        "r1 = 3\n"
        "r2 = func(+7) ll\n"
        "r3 = r10\n"
        "r3 += -8\n"
        "r4 = 0\n"
        "call 181\n"
        "r0 = *(u64 *)(r10 - 8)\n"
        "exit\n"
        // outer callback (insn 11): r2 = ctx
        "r1 = 4\n"
        "r3 = r2\n"
        "r2 = func(+5) ll\n"
        "r4 = 0\n"
        "call 181\n"
        "r0 = 0\n"
        "exit\n"
        // inner callback (insn 19)
        "r1 = *(u64 *)(r2 + 0)\n"
        "r1 += 1\n"
        "*(u64 *)(r2 + 0) = r1\n"
        "r0 = 0\n"
        "exit\n";
    auto s = open_asm(text, {});
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 12u);
}

TEST_CASE("bpf_for_each_map_elem walks an array: every index, key and value pointers, stop on 1") {
    auto s = open_asm(for_each_program(2), {spec(MapType::Array, 4, 8, 4, "m")});
    Map& m = *s->object().maps->get(0);
    for (uint32_t i = 0; i < 4; ++i) REQUIRE(m.update_user(u32(i), u64(10 + i)) == 0);
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Exited);
    // keys 0, 1, 2 (stop): 0*1000+10 + 1*1000+11 + 2*1000+12 = 3033
    CHECK(r.r0 == (3u | (3033u << 16)));
}

TEST_CASE("bpf_for_each_map_elem walks a hash map's entries, and the callback may delete them") {
    // The callback deletes the entry it was given: the walk goes on with the others.
    const std::string del = "r1 = {m} ll\ncall 3\n";
    auto s = open_asm(for_each_program(-1, del), {spec(MapType::Hash, 4, 8, 8, "m")});
    Map& m = *s->object().maps->get(0);
    for (uint32_t k : {5u, 1u, 7u}) REQUIRE(m.update_user(u32(k), u64(k * 2)) == 0);
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == (3u | ((5010u + 1002u + 7014u) << 16)));
    CHECK(m.count() == 0u);
}

TEST_CASE("bpf_for_each_map_elem: an empty hash map makes no call; flags give -EINVAL") {
    auto s = open_asm(for_each_program(-1), {spec(MapType::Hash, 4, 8, 8, "m")});
    CHECK(run_asm(*s).r0 == 0u);
    std::string text = for_each_program(-1);
    text.replace(text.find("r4 = 0\ncall 164"), 6, "r4 = 1");
    auto t = open_asm(text, {spec(MapType::Array, 4, 8, 2, "m")});
    CHECK(run_asm(*t).r0 == uint64_t(-22));
}

TEST_CASE("bpf_for_each_map_elem refuses a map type the kernel cannot walk") {
    MapSpec q = spec(MapType::Queue, 0, 8, 4, "m");
    auto s = open_asm(for_each_program(-1), {q});
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("cannot pass map_type 22 into func bpf_for_each_map_elem#164") != std::string::npos);
}

TEST_CASE("the callback's key is read-only") {
    const std::string write_key = "r9 = 1\n*(u32 *)(r2 + 0) = r9\n";
    auto s = open_asm(for_each_program(-1, write_key), {spec(MapType::Array, 4, 8, 2, "m")});
    const RunResult r = run_asm(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 23u);
}
