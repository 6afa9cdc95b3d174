// BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: creation checks and every operation's return code,
// each compared with what Linux 6.18 answered to the same bpf(2) calls (a libbpf program:
// bpf_map_create, bpf_map_update_elem / lookup_elem / lookup_and_delete_elem with a NULL key).
#include <string>

#include "core/maps/map_types.hpp"
#include "core/maps/queue_stack_map.hpp"
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace f = map_flag;
namespace u = map_update;

const std::vector<uint8_t> kNoKey;

MapSpec queue_spec(uint32_t max_entries = 3, uint32_t flags = 0, MapType type = MapType::Queue) {
    return spec(type, 0, 4, max_entries, flags, type == MapType::Queue ? "q" : "s");
}

std::unique_ptr<Map> make(const MapSpec& s) {
    auto m = create_map(s);
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? std::string() : m.error().to_string()));
    return std::move(m.value());
}

int64_t push(Map& m, uint32_t v, uint64_t flags = u::kAny) {
    return m.update_user(kNoKey, bytes(v), flags);
}

// Pops everything (BPF_MAP_LOOKUP_AND_DELETE_ELEM until -ENOENT).
std::vector<uint32_t> drain(Map& m) {
    std::vector<uint32_t> out;
    std::vector<uint8_t> v(4);
    while (m.lookup_and_delete_user(kNoKey, v) == 0)
        out.push_back(as<uint32_t>(v));
    return out;
}

TEST_CASE("queue/stack: creation is refused as the kernel refuses it") {
    CHECK(create_errno(queue_spec()) == 0);
    CHECK(create_errno(queue_spec(3, 0, MapType::Stack)) == 0);
    CHECK(create_errno(spec(MapType::Queue, 4, 4, 4)) == -e::kEINVAL); // key_size must be 0
    CHECK(create_errno(spec(MapType::Queue, 0, 0, 4)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Queue, 0, 4, 0)) == -e::kEINVAL);
    CHECK(create_errno(queue_spec(4, f::kNoPrealloc)) == -e::kEINVAL);
    CHECK(create_errno(queue_spec(4, f::kNoPrealloc, MapType::Stack)) == -e::kEINVAL);
    CHECK(create_errno(queue_spec(4, f::kNumaNode)) == 0);
    CHECK(create_errno(queue_spec(4, f::kRdonlyProg)) == 0);
    CHECK(create_errno(queue_spec(4, f::kRdonlyProg | f::kWronlyProg)) == -e::kEINVAL);
    CHECK(create_errno(queue_spec(4, f::kRdonly | f::kWronly)) == -e::kEINVAL);
    CHECK(create_errno(queue_spec(4, f::kZeroSeed)) == -e::kEINVAL);
    CHECK(create_errno(queue_spec(4, f::kMmapable)) == -e::kEINVAL);
    CHECK(create_errno(spec(MapType::Queue, 0, (4u << 20) + 1, 1)) == -e::kE2BIG);
    CHECK(create_errno(spec(MapType::Queue, 0, 4u << 20, 1)) == 0);
    CHECK(create_errno(spec(MapType::Queue, 4, 0, 4)) == -e::kEINVAL);
    MapSpec extra = queue_spec();
    extra.map_extra = 1;
    CHECK(create_errno(extra) == -e::kEINVAL);
    // The kernel creates this one (2 GiB); bpfplay's per-map memory limit refuses it.
    CHECK(create_errno(spec(MapType::Queue, 0, 1, (1u << 31) + 1)) == -e::kENOMEM);
}

TEST_CASE("queue/stack: the refusal names the problem") {
    auto problem = check_map_spec(spec(MapType::Queue, 4, 4, 4, 0, "jobs"));
    REQUIRE(problem.has_value());
    CHECK(problem->error.what ==
          "-EINVAL: queue map \"jobs\" has key_size 4; a queue has no keys (key_size must be 0)");
    CHECK(problem->error.hint == "Declare only the value: __type(value, ...), no key.");
    problem = check_map_spec(spec(MapType::Stack, 0, 4, 4, f::kNoPrealloc, "st"));
    REQUIRE(problem.has_value());
    CHECK(problem->error.what == "-EINVAL: stack map \"st\" does not accept map_flags BPF_F_NO_PREALLOC");
}

TEST_CASE("queue: user space pushes, peeks and pops with the kernel's codes") {
    auto q = make(queue_spec());
    std::vector<uint8_t> v = bytes(uint32_t(0xdead));
    CHECK(q->lookup_user(kNoKey, v) == -e::kENOENT);
    CHECK(q->lookup_and_delete_user(kNoKey, v) == -e::kENOENT);
    CHECK(as<uint32_t>(v) == 0xdead); // the syscall copies nothing back on failure
    CHECK(push(*q, 1) == 0);
    CHECK(push(*q, 2) == 0);
    CHECK(push(*q, 3) == 0);
    CHECK(push(*q, 4) == -e::kE2BIG); // full
    CHECK(push(*q, 9, u::kNoExist) == -e::kEINVAL);
    CHECK(push(*q, 9, 3) == -e::kEINVAL);
    CHECK(push(*q, 9, u::kLock) == -e::kEINVAL);
    CHECK(push(*q, 9, u::kLock | u::kExist) == -e::kEINVAL);
    CHECK(push(*q, 9, 8) == -e::kEINVAL);
    CHECK(push(*q, 5, u::kExist) == 0); // full: BPF_EXIST drops the oldest (1)
    REQUIRE(q->lookup_user(kNoKey, v) == 0);
    CHECK(as<uint32_t>(v) == 2);
    CHECK(q->lookup_user(kNoKey, v, u::kLock) == -e::kEINVAL);
    CHECK(q->lookup_user(kNoKey, v, 1) == -e::kEINVAL);
    CHECK(q->lookup_and_delete_user(kNoKey, v, u::kLock) == -e::kEINVAL);
    CHECK(q->lookup_and_delete_user(kNoKey, v, 1) == -e::kEINVAL);
    CHECK(q->delete_user(kNoKey) == -e::kEINVAL);
    std::vector<uint8_t> next;
    CHECK(q->get_next_key({}, next) == -e::kEINVAL);
    CHECK(drain(*q) == std::vector<uint32_t>{2, 3, 5});
    CHECK(q->lookup_and_delete_user(kNoKey, v) == -e::kENOENT);
    CHECK(q->freeze() == 0);
    CHECK(push(*q, 1) == -e::kEPERM);
    CHECK(q->lookup_and_delete_user(kNoKey, v) == -e::kEPERM);
}

TEST_CASE("stack: the same calls pop the newest first") {
    auto s = make(queue_spec(3, 0, MapType::Stack));
    for (uint32_t i = 1; i <= 3; ++i)
        CHECK(push(*s, i) == 0);
    CHECK(push(*s, 4) == -e::kE2BIG);
    CHECK(push(*s, 5, u::kExist) == 0); // drops the bottom value (1), not the top
    std::vector<uint8_t> v(4);
    REQUIRE(s->lookup_user(kNoKey, v) == 0);
    CHECK(as<uint32_t>(v) == 5);
    CHECK(drain(*s) == std::vector<uint32_t>{5, 3, 2});
}

TEST_CASE("stack: pops and pushes across the ring's end keep their order") {
    // Linux 6.18: push 1 2 3, pop (3), push 4, push 5 and 6 with BPF_EXIST -> pops 6 5 4.
    auto s = make(queue_spec(3, 0, MapType::Stack));
    for (uint32_t i = 1; i <= 3; ++i)
        REQUIRE(push(*s, i) == 0);
    std::vector<uint8_t> v(4);
    REQUIRE(s->lookup_and_delete_user(kNoKey, v) == 0);
    CHECK(as<uint32_t>(v) == 3);
    CHECK(push(*s, 4) == 0);
    CHECK(push(*s, 5, u::kExist) == 0);
    CHECK(push(*s, 6, u::kExist) == 0);
    CHECK(drain(*s) == std::vector<uint32_t>{6, 5, 4});
}

TEST_CASE("queue: BPF_F_WRONLY and BPF_F_RDONLY limit user space") {
    auto wo = make(queue_spec(3, f::kWronly));
    std::vector<uint8_t> v(4);
    CHECK(push(*wo, 1) == 0);
    CHECK(wo->lookup_user(kNoKey, v) == -e::kEPERM);
    CHECK(wo->lookup_and_delete_user(kNoKey, v) == -e::kEPERM);
    auto ro = make(queue_spec(3, f::kRdonly));
    CHECK(push(*ro, 1) == -e::kEPERM);
    CHECK(ro->lookup_and_delete_user(kNoKey, v) == -e::kEPERM);
}

TEST_CASE("queue: the program side pops into the caller's buffer and zeroes it when empty") {
    auto q = make(queue_spec(2));
    std::vector<uint8_t> v = bytes(uint32_t(0xffffffff));
    CHECK(q->pop_elem(v) == -e::kENOENT);
    CHECK(as<uint32_t>(v) == 0); // __queue_map_get memsets the value before -ENOENT
    v = bytes(uint32_t(0xffffffff));
    CHECK(q->peek_elem(v) == -e::kENOENT);
    CHECK(as<uint32_t>(v) == 0);
    CHECK(q->push_elem(bytes(uint32_t(7)), u::kAny) == 0);
    CHECK(q->push_elem(bytes(uint32_t(8)), u::kAny) == 0);
    CHECK(q->push_elem(bytes(uint32_t(9)), u::kAny) == -e::kE2BIG);
    CHECK(q->peek_elem(v) == 0);
    CHECK(as<uint32_t>(v) == 7);
    CHECK(q->pop_elem(v) == 0);
    CHECK(as<uint32_t>(v) == 7);
    CHECK(q->count() == 1);
    // lookup/update/delete: the verifier never lets them through; the kernel's ops answer
    // NULL, -EINVAL, -EINVAL.
    CHECK(q->lookup_elem(kNoKey, 0) == 0);
    CHECK(q->update_elem(kNoKey, bytes(uint32_t(1)), u::kAny, 0) == -e::kEINVAL);
    CHECK(q->delete_elem(kNoKey) == -e::kEINVAL);
    CHECK(q->push_elem(bytes(uint16_t(1)), u::kAny) == -e::kEINVAL); // not value_size bytes
}

TEST_CASE("queue/stack: entries list the values in pop order, labelled") {
    auto q = make(queue_spec(4));
    auto s = make(queue_spec(4, 0, MapType::Stack));
    // Wrap the queue's ring: 3 pushes, 2 pops, 3 pushes -> 30 40 50 60 (tail at slot 2).
    std::vector<uint8_t> v(4);
    for (uint32_t x : {10u, 20u, 30u})
        REQUIRE(push(*q, x) == 0);
    REQUIRE(q->lookup_and_delete_user(kNoKey, v) == 0);
    REQUIRE(q->lookup_and_delete_user(kNoKey, v) == 0);
    for (uint32_t x : {40u, 50u, 60u})
        REQUIRE(push(*q, x) == 0);
    for (uint32_t x : {10u, 20u, 30u})
        REQUIRE(push(*s, x) == 0);

    auto qe = q->entries();
    REQUIRE(qe.size() == 4);
    CHECK(qe[0].key.empty());
    CHECK(as<uint32_t>(qe[0].values[0]) == 30);
    CHECK(as<uint32_t>(qe[3].values[0]) == 60);
    CHECK(qe[0].label == "#0 (front: popped next)");
    CHECK(qe[1].label == "#1");
    CHECK(qe[3].label == "#3 (back: pushed last)");
    CHECK(q->summary() == "4 of 4 values, listed in pop order: first in, first out");

    auto se = s->entries();
    REQUIRE(se.size() == 3);
    CHECK(as<uint32_t>(se[0].values[0]) == 30);
    CHECK(as<uint32_t>(se[2].values[0]) == 10);
    CHECK(se[0].label == "#0 (top: popped next)");
    CHECK(se[2].label == "#2 (bottom: pushed first)");
    CHECK(s->summary() == "3 of 4 values, listed in pop order: last in, first out");
    CHECK(s->key_of_slot(se[1].slot) == std::vector<uint8_t>{});
    CHECK_FALSE(s->key_of_slot(3).has_value()); // a free slot
}

TEST_CASE("queue: restore_state brings back the values and the ring's ends") {
    auto q = make(queue_spec(3));
    REQUIRE(push(*q, 1) == 0);
    REQUIRE(push(*q, 2) == 0);
    std::vector<uint8_t> saved;
    q->save_state(saved);
    std::vector<uint8_t> v(4);
    REQUIRE(q->lookup_and_delete_user(kNoKey, v) == 0);
    REQUIRE(push(*q, 3) == 0);
    REQUIRE(push(*q, 4) == 0);
    std::vector<uint8_t> changed;
    q->save_state(changed);
    CHECK(changed.size() == saved.size());
    q->restore_state(saved);
    CHECK(drain(*q) == std::vector<uint32_t>{1, 2});
}

TEST_CASE("queue/stack/bloom filter rows: what programs may pass them to") {
    const MapTypeInfo& queue = *map_type_info(MapType::Queue);
    CHECK(queue.program_access == ProgramMapAccess::PushPopPeek);
    CHECK(map_type_info(MapType::Stack)->program_access == ProgramMapAccess::PushPopPeek);
    CHECK(map_type_info(MapType::BloomFilter)->program_access == ProgramMapAccess::PushPeek);
    CHECK(map_type_info(MapType::LpmTrie)->program_access == ProgramMapAccess::ReadWrite);
    // check_map_func_compatibility, both directions.
    for (int32_t helper : {1, 2, 3})
        CHECK_FALSE(program_may_pass(ProgramMapAccess::PushPopPeek, helper));
    for (int32_t helper : {87, 88, 89})
        CHECK(program_may_pass(ProgramMapAccess::PushPopPeek, helper));
    CHECK(program_may_pass(ProgramMapAccess::PushPeek, 87));
    CHECK_FALSE(program_may_pass(ProgramMapAccess::PushPeek, 88));
    CHECK(program_may_pass(ProgramMapAccess::PushPeek, 89));
    for (int32_t helper : {87, 88, 89}) {
        CHECK_FALSE(program_may_pass(ProgramMapAccess::ReadWrite, helper));
        CHECK_FALSE(program_may_pass(ProgramMapAccess::LookupOnly, helper));
        CHECK_FALSE(program_may_pass(ProgramMapAccess::None, helper));
    }
    CHECK(program_may_pass(ProgramMapAccess::LookupOnly, 1));
    CHECK_FALSE(program_may_pass(ProgramMapAccess::LookupOnly, 2));
}

} // namespace
} // namespace bpfplay
