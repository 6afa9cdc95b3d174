// The map helpers end to end: assembled programs run in the interpreter against a MapSet.
#include <cstdio>
#include <string>

#include "helper_run.hpp"
#include "map_test_util.hpp"
#include "core/helpers/helper_env.hpp"

namespace bpfplay {
namespace {

using namespace test;

namespace e = kerrno;
namespace u = map_update;

// Looks up key `key` (u32 on the stack) in the map with handle `map` and adds 1 to the u64
// value when it is there; returns 1 on a hit, 0 on a miss.
std::string counter_program(uint64_t map, uint32_t key) {
    return "r1 = " + std::to_string(key) +
           "\n"
           "*(u32 *)(r10 - 4) = r1\n"
           "r2 = r10\n"
           "r2 += -4\n"
           "r1 = " + hex(map) + " ll\n"
           "call bpf_map_lookup_elem\n"
           "if r0 == 0 goto +5\n"
           "r1 = *(u64 *)(r0 + 0)\n"
           "r1 += 1\n"
           "*(u64 *)(r0 + 0) = r1\n"
           "r0 = 1\n"
           "exit\n"
           "r0 = 0\n"
           "exit\n";
}

TEST_CASE("e2e: a program increments an array value through the pointer lookup returns") {
    Run run;
    Map& counts = add(run.maps, spec(MapType::Array, 4, 8, 4, 0, "counts"));
    run.load(counter_program(counts.handle(), 2));
    CHECK(run.run() == 1);
    CHECK(run.run() == 1);
    CHECK(run.run() == 1);
    uint64_t v = 0;
    REQUIRE(user_get(counts, uint32_t(2), v) == 0);
    CHECK(v == 3);
    REQUIRE(user_get(counts, uint32_t(1), v) == 0);
    CHECK(v == 0);
    // The program's last store was the third increment.
    CHECK(run.vm->reg(1) == 3);
}

TEST_CASE("e2e: a hash miss returns NULL until userspace adds the key") {
    Run run;
    Map& h = add(run.maps, spec(MapType::Hash, 4, 8, 8, 0, "h"));
    run.load(counter_program(h.handle(), 7));
    CHECK(run.run() == 0);
    CHECK(h.count() == 0);
    REQUIRE(h.update_user(bytes<uint32_t>(7), bytes<uint64_t>(100), u::kAny) == 0);
    CHECK(run.run() == 1);
    CHECK(run.run() == 1);
    uint64_t v = 0;
    REQUIRE(user_get(h, uint32_t(7), v) == 0);
    CHECK(v == 102);
}

TEST_CASE("e2e: map references resolved by the loader (lddw src=1, imm = map id)") {
    Run run;
    add(run.maps, spec(MapType::Array, 4, 8, 1, 0, "first"));
    Map& second = add(run.maps, spec(MapType::Array, 4, 8, 1, 0, "second"));
    std::vector<Insn> insns = {
        {op::kAlu64 | op::kMov | op::kK, 1, 0, 0, 0},      // r1 = 0
        {op::kStx | op::kMem | op::kW, 10, 1, -4, 0},      // *(u32 *)(r10 - 4) = r1
        {op::kAlu64 | op::kMov | op::kX, 2, 10, 0, 0},     // r2 = r10
        {op::kAlu64 | op::kAdd | op::kK, 2, 0, 0, -4},     // r2 += -4
        {op::kLddw, 1, op::kPseudoMapFd, 0, 1},            // r1 = map id 1
        {0, 0, 0, 0, 0},
        {op::kJmp | op::kCall, 0, 0, 0, 1},                // call bpf_map_lookup_elem
        {op::kJmp | op::kJeq | op::kK, 0, 0, 3, 0},        // if r0 == 0 goto exit
        {op::kLdx | op::kMem | op::kDW, 1, 0, 0, 0},       // r1 = *(u64 *)(r0 + 0)
        {op::kAlu64 | op::kAdd | op::kK, 1, 0, 0, 5},      // r1 += 5
        {op::kStx | op::kMem | op::kDW, 0, 1, 0, 0},       // *(u64 *)(r0 + 0) = r1
        {op::kJmp | op::kExit, 0, 0, 0, 0},
    };
    run.load_insns(insns);
    run.run();
    uint64_t v = 0;
    REQUIRE(user_get(second, uint32_t(0), v) == 0);
    CHECK(v == 5);
}

TEST_CASE("e2e: bpf_map_update_elem and bpf_map_delete_elem return kernel codes in r0") {
    Run run;
    Map& h = add(run.maps, spec(MapType::Hash, 4, 8, 1, 0, "h"));
    // key 1 = value 42 with the flags in r6; returns the helper's r0.
    auto program = [&](uint64_t flags) {
        return "r1 = 1\n"
               "*(u32 *)(r10 - 4) = r1\n"
               "r1 = 42\n"
               "*(u64 *)(r10 - 16) = r1\n"
               "r2 = r10\n"
               "r2 += -4\n"
               "r3 = r10\n"
               "r3 += -16\n"
               "r4 = " + std::to_string(flags) + "\n"
               "r1 = " + hex(h.handle()) + " ll\n"
               "call bpf_map_update_elem\n"
               "exit\n";
    };
    run.load(program(u::kNoExist));
    CHECK(run.run() == 0);
    CHECK(int64_t(run.run()) == -e::kEEXIST);
    uint64_t v = 0;
    REQUIRE(user_get(h, uint32_t(1), v) == 0);
    CHECK(v == 42);
    run.load(program(7));
    CHECK(int64_t(run.run()) == -e::kEINVAL);

    // A full map: a second key does not fit.
    run.load("r1 = 2\n*(u32 *)(r10 - 4) = r1\n*(u64 *)(r10 - 16) = r1\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\n"
             "r4 = 0\nr1 = " + hex(h.handle()) + " ll\ncall bpf_map_update_elem\nexit\n");
    CHECK(int64_t(run.run()) == -e::kE2BIG);

    const std::string del = "r1 = 1\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = " + hex(h.handle()) +
                            " ll\ncall bpf_map_delete_elem\nexit\n";
    run.load(del);
    CHECK(run.run() == 0);
    CHECK(int64_t(run.run()) == -e::kENOENT);
    CHECK(h.count() == 0);
}

TEST_CASE("e2e: per-CPU maps show the program the value of the CPU it runs on") {
    Run run;
    MapSpec s = spec(MapType::PercpuArray, 4, 8, 1, 0, "pc");
    s.ncpus = 2;
    Map& pc = add(run.maps, s);
    run.load(counter_program(pc.handle(), 0));
    run.host.cpu = 1;
    run.run();
    run.run();
    run.host.cpu = 0;
    run.run();
    std::vector<uint8_t> all(16);
    REQUIRE(pc.lookup_user(bytes<uint32_t>(0), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 1);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 2);
    // A CPU the map has no values for stops the run with an explanation.
    run.host.cpu = 2;
    Error err = run.fault();
    CHECK(err.kind == ErrorKind::Helper);
    CHECK(err.what.find("runs on CPU 2") != std::string::npos);
}

// bpf_map_lookup_percpu_elem(map, &key, cpu) with the key in r6 and the cpu in r7.
std::string percpu_lookup_program(uint64_t map, uint32_t key, uint64_t cpu) {
    return "r1 = " + std::to_string(key) + "\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr3 = " + hex(cpu) +
           " ll\nr1 = " + hex(map) + " ll\ncall bpf_map_lookup_percpu_elem\nexit\n";
}

TEST_CASE("e2e: bpf_map_lookup_percpu_elem returns the value of the CPU asked for, not the current one") {
    Run run;
    MapSpec s = spec(MapType::PercpuArray, 4, 8, 2, 0, "pc");
    s.ncpus = 4;
    Map& pc = add(run.maps, s);
    run.host.cpu = 0;
    run.load(percpu_lookup_program(pc.handle(), 1, 3));
    CHECK(hex(run.run()) == hex(pc.value_address(1, 3)));
}

TEST_CASE("e2e: bpf_map_lookup_percpu_elem works on percpu_hash and lru_percpu_hash, NULL for a missing key") {
    for (MapType type : {MapType::PercpuHash, MapType::LruPercpuHash}) {
        CAPTURE(map_type_name(type));
        Run run;
        MapSpec s = spec(type, 4, 8, 4, 0, "h");
        s.ncpus = 2;
        Map& h = add(run.maps, s);
        run.load(percpu_lookup_program(h.handle(), 7, 1));
        CHECK(run.run() == 0u);
        std::vector<uint8_t> both(16, 0);
        REQUIRE(h.update_user(bytes<uint32_t>(7), both, u::kAny) == 0);
        const uint64_t addr = run.run();
        REQUIRE(addr != 0u);
        auto loc = run.maps.from_value_address(addr);
        REQUIRE(loc.has_value());
        CHECK(loc->cpu == 1u);
        CHECK(loc->offset == 0u);
    }
}

TEST_CASE("e2e: bpf_map_lookup_percpu_elem gives NULL for a CPU at or past nr_cpu_ids; cpu is a u32") {
    Run run;
    MapSpec s = spec(MapType::PercpuArray, 4, 8, 1, 0, "pc");
    s.ncpus = 4;
    Map& pc = add(run.maps, s);
    run.load(percpu_lookup_program(pc.handle(), 0, 4));
    CHECK(run.run() == 0u);
    run.load(percpu_lookup_program(pc.handle(), 1, 0));  // index past max_entries
    CHECK(run.run() == 0u);
    run.load(percpu_lookup_program(pc.handle(), 0, 0x100000002ull));  // the upper half is dropped: CPU 2
    CHECK(hex(run.run()) == hex(pc.value_address(0, 2)));
}

TEST_CASE("e2e: bpf_map_lookup_percpu_elem on a map that is not per-CPU stops the run as the verifier would") {
    Run run;
    Map& a = add(run.maps, spec(MapType::Array, 4, 8, 1, 0, "plain"));
    run.load(percpu_lookup_program(a.handle(), 0, 0));
    Error err = run.fault();
    CHECK(err.kind == ErrorKind::Helper);
    CHECK(err.what == "bpf_map_lookup_percpu_elem: cannot be used on array map \"plain\": the kernel's verifier "
                      "refuses it (\"cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195\")");
    CHECK(err.hint == "bpf_map_lookup_percpu_elem reads the per-CPU maps only (percpu_array, percpu_hash, "
                      "lru_percpu_hash); use bpf_map_lookup_elem for this one.");
}

TEST_CASE("e2e: map in map: the lookup returns a handle the next lookup accepts") {
    Run run;
    MapSpec outer = spec(MapType::ArrayOfMaps, 4, 4, 1, 0, "outer");
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 8, 1));
    Map& o = add(run.maps, outer);
    Map& inner = add(run.maps, spec(MapType::Array, 4, 8, 1, 0, "inner"));
    REQUIRE(o.update_user(bytes<uint32_t>(0), bytes(inner.id()), u::kAny) == 0);
    run.load("r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\n"
             "r1 = " + hex(o.handle()) + " ll\n"
             "call bpf_map_lookup_elem\n"
             "if r0 == 0 goto +7\n"
             "r1 = r0\n"
             "r2 = r10\n"
             "r2 += -4\n"
             "call bpf_map_lookup_elem\n"
             "if r0 == 0 goto +3\n"
             "r1 = 9\n"
             "*(u64 *)(r0 + 0) = r1\n"
             "r0 = 1\n"
             "exit\n");
    CHECK(run.run() == 1);
    uint64_t v = 0;
    REQUIRE(user_get(inner, uint32_t(0), v) == 0);
    CHECK(v == 9);
}

TEST_CASE("e2e: what the verifier would refuse stops the run with a helper error") {
    Run run;
    Map& arr = add(run.maps, spec(MapType::Array, 4, 8, 1, 0, "arr"));
    Map& jmp = add(run.maps, spec(MapType::ProgArray, 4, 4, 1, 0, "jmp"));
    Map& ro = add(run.maps, spec(MapType::Array, 4, 8, 1, map_flag::kRdonlyProg, "ro"));
    MapSpec outer = spec(MapType::HashOfMaps, 4, 4, 1, 0, "outer");
    outer.inner = std::make_shared<MapSpec>(spec(MapType::Array, 4, 8, 1));
    Map& hom = add(run.maps, outer);
    auto call = [&](uint64_t map, const char* helper, const char* r2 = "r2 = r10\nr2 += -8\n") {
        return std::string("r1 = 0\n*(u64 *)(r10 - 8) = r1\n*(u64 *)(r10 - 16) = r1\n") + r2 +
               "r3 = r10\nr3 += -16\nr4 = 0\nr1 = " + hex(map) + " ll\ncall " + helper + "\nexit\n";
    };

    run.load(call(arr.handle() + 8, "bpf_map_lookup_elem"));
    Error err = run.fault();
    CHECK(err.kind == ErrorKind::Helper);
    CHECK(err.where.pc == std::optional<uint32_t>(10));  // the call
    CHECK(err.what.find("bpf_map_lookup_elem: r1 = 0x300000008 is not a map: it is 8 bytes past map \"arr\"") == 0);
    CHECK(err.hint.find("Pass the map itself") != std::string::npos);

    run.load(call(arr.value_base(), "bpf_map_lookup_elem"));
    CHECK(run.fault().what.find("it points into the values of map \"arr\"") != std::string::npos);
    run.load(call(0, "bpf_map_lookup_elem"));
    CHECK(run.fault().what.find("r1 is 0 (NULL), not a map") != std::string::npos);

    run.load(call(arr.handle(), "bpf_map_lookup_elem", "r2 = 0\n"));
    err = run.fault();
    CHECK(err.where.map == "arr");
    CHECK(err.what.find("the key pointer r2 = 0x0 does not point to 4 readable bytes (the key_size of array map "
                        "\"arr\")") != std::string::npos);
    CHECK(err.hint.find("Put the key on the stack") != std::string::npos);

    run.load(call(arr.handle(), "bpf_map_update_elem", "r2 = r10\nr2 += -2\n"));  // 4 bytes at fp-2 cross the top
    CHECK(run.fault().what.find("key pointer") != std::string::npos);

    run.load(call(jmp.handle(), "bpf_map_lookup_elem"));
    err = run.fault();
    CHECK(err.what.find("cannot pass map_type 3 into func bpf_map_lookup_elem#1") != std::string::npos);
    CHECK(err.hint.find("bpf_tail_call") != std::string::npos);

    run.load(call(hom.handle(), "bpf_map_update_elem"));
    CHECK(run.fault().what.find("cannot pass map_type 13 into func bpf_map_update_elem#2") != std::string::npos);
    // A ring buffer only takes the bpf_ringbuf_* helpers; Linux 6.18 refuses the lookup at its
    // 0-byte key first.
    Map& rb = add(run.maps, spec(MapType::Ringbuf, 0, 0, 4096, 0, "rb"));
    run.load(call(rb.handle(), "bpf_map_lookup_elem"));
    err = run.fault();
    CHECK(err.what == "bpf_map_lookup_elem: cannot be used on ringbuf map \"rb\": the kernel's verifier refuses it "
                      "(\"invalid zero-sized read\")");
    CHECK(err.hint ==
          "A ring buffer is written with bpf_ringbuf_output or bpf_ringbuf_reserve/submit, and read from user space.");
    run.load(call(hom.handle(), "bpf_map_lookup_elem"));
    CHECK(run.run() == 0);  // allowed: a miss

    run.load(call(ro.handle(), "bpf_map_update_elem"));
    CHECK(run.fault().what.find("write into map forbidden") != std::string::npos);
    run.load(call(ro.handle(), "bpf_map_delete_elem"));
    CHECK(run.fault().what.find("write into map forbidden") != std::string::npos);
    run.load(call(ro.handle(), "bpf_map_lookup_elem"));
    CHECK(run.run() == ro.value_base());

    run.load(call(arr.handle(), "bpf_map_lookup_elem"));
    run.vm->env = nullptr;
    CHECK(run.fault().what.find("no maps") != std::string::npos);
}

TEST_CASE("e2e: memory rules on map values and handles") {
    Run run;
    Map& ro = add(run.maps, spec(MapType::Array, 4, 8, 1, map_flag::kRdonlyProg, "ro"));
    // Writing into a BPF_F_RDONLY_PROG map's value faults.
    run.load("r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = " + hex(ro.handle()) +
             " ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto +2\nr1 = 1\n*(u64 *)(r0 + 0) = r1\nexit\n");
    Error err = run.fault();
    CHECK(err.kind == ErrorKind::Memory);
    CHECK(err.what.find("read-only") != std::string::npos);
    // Dereferencing a map handle faults: it is not memory.
    run.load("r1 = " + hex(ro.handle()) + " ll\nr0 = *(u64 *)(r1 + 0)\nexit\n");
    CHECK(run.fault().kind == ErrorKind::Memory);
}

TEST_CASE("e2e: the helpers find the maps and the CPU through the run's env") {
    Run run;
    MapSpec s = spec(MapType::PercpuArray, 4, 8, 1, 0, "pc");
    s.ncpus = 2;
    Map& pc = add(run.maps, s);
    run.load(counter_program(pc.handle(), 0));
    Host other;
    other.cpu = 1;
    HelperEnv env = env_of(other, run.maps);
    run.vm->env = &env;
    CHECK(run.run() == 1);
    std::vector<uint8_t> all(16);
    REQUIRE(pc.lookup_user(bytes<uint32_t>(0), all) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(0, 8)) == 0);
    CHECK(as<uint64_t>(std::span(all).subspan(8, 8)) == 1);
    env.maps = nullptr;
    CHECK(run.fault().what.find("no maps") != std::string::npos);
}

TEST_CASE("the map helpers are implemented under the kernel's ids") {
    std::vector<int32_t> ids;
    for (const HelperImpl& impl : map_helper_impls()) {
        ids.push_back(impl.id);
        CHECK((impl.fn != nullptr));
    }
    CHECK(ids == std::vector<int32_t>{1, 2, 3, 195, 87, 88, 89});
    CHECK(std::string(kernel_helper_name(1)) == "bpf_map_lookup_elem");
}

}  // namespace
}  // namespace bpfplay
