// Patterns of public projects' BPF programs that the survey (tools/survey/survey.sh) found bpfplay
// refusing while the projects' own loaders make them load. Reduced reproductions in
// tests/loader/fixtures/public_maps.c; the verifier side (libbpf's usdt.bpf.h offsetting its ctx
// pointer by a variable) is in the verifier corpus (acc_kprobe_ctx_var_off).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "core/maps/stack_trace_map.hpp"
#include "loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

bool has_note(const LoadedObject& o, const std::string& text) {
    return std::find(o.notes.begin(), o.notes.end(), text) != o.notes.end();
}

StackTraceMap& stack_map(LoadedObject& o, const std::string& name) {
    Map* map = o.maps->find(name);
    REQUIRE(map);
    auto* stacks = dynamic_cast<StackTraceMap*>(map);
    REQUIRE(stacks);
    return *stacks;
}

}  // namespace

TEST_CASE("public programs: a stack trace map without value_size gets 127 frames, as bcc's loaders set it") {
    auto o = load(fixture_bytes("public_maps"), "public_maps.o");
    REQUIRE(o);
    StackTraceMap& plain = stack_map(*o, "stackmap");
    CHECK(plain.value_size() == 1016u);  // 127 u64 addresses
    CHECK(plain.max_entries() == 1024u); // max_entries 0 too: the loader default
    CHECK(has_note(*o, "map \"stackmap\": a stack trace map without value_size (its loader sets it before loading, "
                       "as bcc's tools do): created with value_size 1016 (127 frames, kernel.perf_event_max_stack)"));
    // With BPF_F_STACK_BUILD_ID a frame is a 32-byte struct bpf_stack_build_id.
    StackTraceMap& build_ids = stack_map(*o, "build_ids");
    CHECK(build_ids.value_size() == 4064u);
    CHECK(build_ids.max_entries() == 16u);
    // The program using them is runnable.
    REQUIRE(o->programs.size() == 2);
    CHECK(o->programs[0].name == "stacks");
    CHECK(!o->programs[0].load_error);

    // The sized map stores and returns a stack like any other.
    const uint64_t ips[3] = {0xffffffff81000010ull, 0xffffffff81000020ull, 0xffffffff81000030ull};
    const int64_t id = plain.store(ips, 0);
    REQUIRE(id >= 0);
    CHECK(id < 1024);
    CHECK(plain.frames(uint32_t(id)) == std::vector<uint64_t>(ips, ips + 3));
}

TEST_CASE("public programs: klockstat's 102400-stack map loads and takes memory only for stored stacks") {
    auto o = load(fixture_bytes("public_maps"), "public_maps.o");
    REQUIRE(o);
    StackTraceMap& big = stack_map(*o, "stack_map");
    CHECK(big.max_entries() == 102400u);
    CHECK(big.buckets() == 131072u);  // roundup_pow_of_two
    CHECK(big.value_size() == 1016u);
    // 8 bytes of bookkeeping a bucket, one 64 KiB chunk of zeros and one value: not 133 MB.
    CHECK(StackTraceMap::footprint(big.spec()) == 131072ull * 8 + 65536 + 1016);
    CHECK(big.count() == 0u);

    // Two stacks land in their hashed buckets; reading one back gives its frames then zeros.
    const uint64_t first[2] = {0xffffffff81100000ull, 0xffffffff81200000ull};
    const uint64_t second[1] = {0xffffffff81300000ull};
    const int64_t a = big.store(first, 0), b = big.store(second, 0);
    REQUIRE(a >= 0);
    REQUIRE(b >= 0);
    CHECK(a != b);
    CHECK(big.count() == 2u);
    CHECK(big.store(first, 0) == a);  // the same stack is the same id
    uint8_t key[4], value[1016];
    std::memcpy(key, &a, 4);
    REQUIRE(big.lookup_user(std::span<const uint8_t>(key, 4), std::span<uint8_t>(value, sizeof(value))) == 0);
    uint64_t frame0 = 0, frame1 = 0, frame2 = 1;
    std::memcpy(&frame0, value, 8);
    std::memcpy(&frame1, value + 8, 8);
    std::memcpy(&frame2, value + 16, 8);
    CHECK(frame0 == first[0]);
    CHECK(frame1 == first[1]);
    CHECK(frame2 == 0u);
    // An empty bucket still reads as no stack.
    const uint32_t empty = uint32_t((a + 1) % 131072 == b ? (a + 2) % 131072 : (a + 1) % 131072);
    std::memcpy(key, &empty, 4);
    CHECK(big.lookup_user(std::span<const uint8_t>(key, 4), std::span<uint8_t>(value, sizeof(value))) == -2);  // -ENOENT
}

TEST_CASE("public programs: a cpumap without max_entries gets one entry per CPU, as xdp-bench sizes it") {
    LoadOptions options;
    options.object_name = "public_maps.o";
    options.helpers = &all_helpers();
    options.ncpus = 4;
    auto o = load_object(fixture_bytes("public_maps"), options);
    REQUIRE(o);
    const Map* cpus = o->maps->find("cpu_map");
    REQUIRE(cpus);
    CHECK(cpus->max_entries() == 4u);  // the default 1024 would be past NR_CPUS: -E2BIG
    CHECK(has_note(*o, "map \"cpu_map\" has max_entries 0 in the object (its loader sizes it before loading): "
                       "created with 4 entries, one per CPU; set it with --map-size cpu_map=N or the host JSON's "
                       "\"map_sizes\""));
    REQUIRE(o->programs.size() == 2);
    CHECK(o->programs[1].name == "to_cpu");
    CHECK(!o->programs[1].load_error);
}
