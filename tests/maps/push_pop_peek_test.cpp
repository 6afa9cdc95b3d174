// bpf_map_push_elem (87), bpf_map_pop_elem (88) and bpf_map_peek_elem (89) end to end:
// assembled programs against queues, stacks and bloom filters, with the verifier's refusals as
// Linux 6.18 words them (checked by loading the same calls with libbpf).
#include <string>

#include "helper_run.hpp"
#include "map_test_util.hpp"

namespace bpfplay {
namespace {

using namespace test;
namespace e = kerrno;
namespace u = map_update;

const std::vector<uint8_t> kNoKey;

// Stores `value` (u32) at fp-4 and pushes it with `flags`; returns the helper's r0.
std::string push_program(uint64_t map, uint32_t value, uint64_t flags) {
    return "r1 = " + std::to_string(int32_t(value)) +
           "\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = " + hex(map) +
           " ll\nr3 = " + std::to_string(flags) + "\ncall bpf_map_push_elem\nexit\n";
}

// Fills fp-8..fp-1 with 0xff, calls `helper` (pop or peek) into fp-4 and returns
// (r0 << 32) | the u32 at fp-4.
std::string take_program(uint64_t map, const char* helper) {
    return std::string("r1 = -1\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -4\nr1 = ") + hex(map) +
           " ll\ncall " + helper + "\nr0 <<= 32\nr1 = *(u32 *)(r10 - 4)\nr0 |= r1\nexit\n";
}

uint64_t taken(int64_t rc, uint32_t value) {
    return uint64_t(rc) << 32 | value;
}

TEST_CASE("push/pop/peek: a program pushes into a queue, then pops in FIFO order") {
    Run run;
    Map& q = add(run.maps, spec(MapType::Queue, 0, 4, 2, 0, "q"));
    run.load(push_program(q.handle(), 7, u::kAny));
    CHECK(run.run() == 0);
    run.load(push_program(q.handle(), 8, u::kAny));
    CHECK(run.run() == 0);
    run.load(push_program(q.handle(), 9, u::kAny));
    CHECK(run.run() == uint64_t(-e::kE2BIG)); // full
    run.load(push_program(q.handle(), 9, u::kExist));
    CHECK(run.run() == 0); // BPF_EXIST drops the oldest (7)
    run.load(push_program(q.handle(), 9, u::kNoExist));
    CHECK(run.run() == uint64_t(-e::kEINVAL));
    run.load(take_program(q.handle(), "bpf_map_peek_elem"));
    CHECK(run.run() == taken(0, 8));
    run.load(take_program(q.handle(), "bpf_map_pop_elem"));
    CHECK(run.run() == taken(0, 8));
    CHECK(run.run() == taken(0, 9));
    // Empty: -ENOENT, and the kernel zeroes the program's buffer.
    CHECK(run.run() == taken(-e::kENOENT, 0));
    run.load(take_program(q.handle(), "bpf_map_peek_elem"));
    CHECK(run.run() == taken(-e::kENOENT, 0));
}

TEST_CASE("push/pop/peek: a stack pops the newest value; user space sees the program's pushes") {
    Run run;
    Map& s = add(run.maps, spec(MapType::Stack, 0, 4, 4, 0, "s"));
    for (uint32_t v : {1u, 2u, 3u}) {
        run.load(push_program(s.handle(), v, u::kAny));
        REQUIRE(run.run() == 0);
    }
    run.load(take_program(s.handle(), "bpf_map_pop_elem"));
    CHECK(run.run() == taken(0, 3));
    std::vector<uint8_t> v(4);
    REQUIRE(s.lookup_user(kNoKey, v) == 0);
    CHECK(as<uint32_t>(v) == 2);
    REQUIRE(s.update_user(kNoKey, bytes(uint32_t(40))) == 0);
    CHECK(run.run() == taken(0, 40));
}

TEST_CASE("push/peek: a program adds to a bloom filter and tests membership") {
    Run run;
    MapSpec bs = spec(MapType::BloomFilter, 0, 4, 16, map_flag::kZeroSeed, "seen");
    bs.map_extra = 3;
    Map& bf = add(run.maps, bs);
    // peek reads the value at fp-4: 0xffffffff, never pushed.
    run.load(take_program(bf.handle(), "bpf_map_peek_elem"));
    CHECK(run.run() == taken(-e::kENOENT, 0xffffffff)); // a bloom filter's peek writes nothing
    run.load(push_program(bf.handle(), 0xffffffff, u::kAny));
    CHECK(run.run() == 0);
    run.load(push_program(bf.handle(), 1, u::kExist));
    CHECK(run.run() == uint64_t(-e::kEINVAL)); // only BPF_ANY
    run.load(take_program(bf.handle(), "bpf_map_peek_elem"));
    CHECK(run.run() == taken(0, 0xffffffff));
    std::vector<uint8_t> probe = bytes(uint32_t(0xffffffff));
    CHECK(bf.lookup_user(kNoKey, probe) == 0);
}

TEST_CASE("push/pop/peek: what the verifier refuses stops the run with its words") {
    Run run;
    Map& q = add(run.maps, spec(MapType::Queue, 0, 4, 2, 0, "q"));
    Map& ro = add(run.maps, spec(MapType::Queue, 0, 4, 2, map_flag::kRdonlyProg, "qro"));
    MapSpec bs = spec(MapType::BloomFilter, 0, 4, 16, 0, "bf");
    Map& bf = add(run.maps, bs);
    Map& lpm = add(run.maps, spec(MapType::LpmTrie, 8, 4, 4, map_flag::kNoPrealloc, "lpm"));
    Map& h = add(run.maps, spec(MapType::Hash, 4, 4, 4, 0, "h"));
    Map& rb = add(run.maps, spec(MapType::Ringbuf, 0, 0, 4096, 0, "rb"));
    Map& dm = add(run.maps, spec(MapType::Devmap, 4, 4, 4, 0, "dm"));

    run.load(take_program(bf.handle(), "bpf_map_pop_elem"));
    Error err = run.fault();
    CHECK(err.kind == ErrorKind::Helper);
    CHECK(err.where.map == "bf");
    CHECK(err.what ==
          "bpf_map_pop_elem: cannot be used on bloom_filter map \"bf\": the kernel's verifier refuses it "
          "(\"cannot pass map_type 30 into func bpf_map_pop_elem#88\")");
    CHECK(err.hint ==
          "Programs add to a bloom filter with bpf_map_push_elem and test a value with bpf_map_peek_elem; "
          "nothing can be looked up, popped or deleted.");
    run.load(push_program(lpm.handle(), 1, 0));
    CHECK(run.fault().what ==
          "bpf_map_push_elem: cannot be used on lpm_trie map \"lpm\": the kernel's verifier refuses "
          "it (\"cannot pass map_type 11 into func bpf_map_push_elem#87\")");
    run.load(take_program(h.handle(), "bpf_map_pop_elem"));
    err = run.fault();
    CHECK(err.what ==
          "bpf_map_pop_elem: cannot be used on hash map \"h\": the kernel's verifier refuses it (\"cannot "
          "pass map_type 1 into func bpf_map_pop_elem#88\")");
    CHECK(err.hint ==
          "bpf_map_push_elem, bpf_map_pop_elem and bpf_map_peek_elem are only for queues and stacks (push "
          "and peek also for bloom filters).");
    run.load(push_program(ro.handle(), 1, 0));
    CHECK(run.fault().what ==
          "bpf_map_push_elem: cannot change queue map \"qro\", which was created with "
          "BPF_F_RDONLY_PROG: the kernel's verifier refuses it (\"write into map forbidden\")");
    run.load(take_program(ro.handle(), "bpf_map_pop_elem"));
    CHECK(run.fault().what.find("(\"write into map forbidden\")") != std::string::npos);
    run.load(take_program(ro.handle(), "bpf_map_peek_elem"));
    CHECK(run.run() == taken(-e::kENOENT, 0)); // peeking only reads the map: allowed
    // Maps without values fail at the value argument first; devmaps are read-only for programs.
    run.load(push_program(rb.handle(), 1, 0));
    CHECK(run.fault().what.find("(\"invalid zero-sized read\")") != std::string::npos);
    run.load(take_program(dm.handle(), "bpf_map_pop_elem"));
    CHECK(run.fault().what.find("(\"write into map forbidden\")") != std::string::npos);

    // lookup/update/delete on a queue fail at their zero-sized key.
    const std::string lookup = "r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nr1 = " + hex(q.handle()) +
                               " ll\ncall bpf_map_lookup_elem\nexit\n";
    run.load(lookup);
    err = run.fault();
    CHECK(err.what ==
          "bpf_map_lookup_elem: cannot be used on queue map \"q\": the kernel's verifier refuses it "
          "(\"invalid zero-sized read\")");
    CHECK(err.hint == "Programs use a queue or stack through bpf_map_push_elem, bpf_map_pop_elem and "
                      "bpf_map_peek_elem; it has no keys to look up.");
}

TEST_CASE("push/pop/peek: the value pointer must cover value_size bytes") {
    Run run;
    Map& q = add(run.maps, spec(MapType::Queue, 0, 8, 2, 0, "q"));
    // pop into fp-4: 8 bytes would cross the top of the stack.
    run.load("r2 = r10\nr2 += -4\nr1 = " + hex(q.handle()) + " ll\ncall bpf_map_pop_elem\nexit\n");
    Error err = run.fault();
    CHECK(err.kind == ErrorKind::Helper);
    CHECK(err.what.find("bpf_map_pop_elem: the value pointer r2 = ") == 0);
    CHECK(err.what.find("does not point to 8 writable bytes (the value_size of queue map \"q\")") !=
          std::string::npos);
    CHECK(err.hint == "Pass a buffer on the stack, e.g. r2 = r10; r2 += -8 (the helper fills it).");
    run.load("r2 = 0\nr1 = " + hex(q.handle()) + " ll\nr3 = 0\ncall bpf_map_push_elem\nexit\n");
    err = run.fault();
    CHECK(
        err.what.find("bpf_map_push_elem: the value pointer r2 = 0x0 does not point to 8 readable bytes (the "
                      "value_size of queue map \"q\")") == 0);
    CHECK(q.count() == 0);
}

} // namespace
} // namespace bpfplay
