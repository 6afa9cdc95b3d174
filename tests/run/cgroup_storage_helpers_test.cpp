// bpf_get_local_storage (81): the attached cgroup's value (the host task's cgroup and the
// program's attach type), created zeroed by the first call and kept from run to run, the CPU's
// value of a per-CPU storage, and the verifier's refusals (another map type, non-zero flags).
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/cgroup_storage_map.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

MapSpec cs_spec(MapType type = MapType::CgroupStorage) {
    MapSpec s;
    s.type = type;
    s.name = "cs";
    s.key_size = 16;
    s.value_size = 8;
    return s;
}

int64_t r0_of(ObjectSession& s) {
    RunInput in;
    in.packet.assign(64, 0);
    const RunResult r = s.run("asm", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return int64_t(r.r0);
}

// r0 = ++*bpf_get_local_storage(&cs, 0).
const char* kCount = "r1 = {cs} ll\nr2 = 0\ncall 81\nr1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\n"
                     "r0 = r1\nexit\n";

} // namespace

TEST_CASE("bpf_get_local_storage: the attached cgroup's value, kept across runs") {
    auto s = open_asm(kCount, {cs_spec()}, "cgroup_skb/egress");
    CHECK(r0_of(*s) == 1);
    CHECK(r0_of(*s) == 2);
    Map& m = *s->object().maps->find("cs");
    REQUIRE(m.count() == 1);
    CHECK(m.entries()[0].label == "cgroup id 5, cgroup_inet_egress");
    CHECK(m.entries()[0].values[0] == std::vector<uint8_t>{2, 0, 0, 0, 0, 0, 0, 0});
    s->host().task.cgroup_id = 3;  // the program now runs for /user.slice
    CHECK(r0_of(*s) == 1);
    CHECK(m.count() == 2);
}

TEST_CASE("bpf_get_local_storage on a per-CPU storage gives the running CPU's value") {
    auto s = open_asm(kCount, {cs_spec(MapType::PercpuCgroupStorage)}, "cgroup_skb/ingress");
    s->host().cpu = 2;
    CHECK(r0_of(*s) == 1);
    CHECK(r0_of(*s) == 2);
    s->host().cpu = 0;
    CHECK(r0_of(*s) == 1);
    const MapEntry e = s->object().maps->find("cs")->entries()[0];
    CHECK(e.values[0][0] == 1);
    CHECK(e.values[2][0] == 2);
}

TEST_CASE("bpf_get_local_storage refuses non-zero flags and other maps, as the kernel's verifier") {
    auto flags = open_asm("r1 = {cs} ll\nr2 = 1\ncall 81\nexit\n", {cs_spec()}, "cgroup_skb/ingress");
    RunInput in;
    in.packet.assign(64, 0);
    RunResult r = flags->run("asm", in);
    REQUIRE(r.error);
    CHECK(r.error->what ==
          "bpf_get_local_storage: r2 = 1: the kernel's verifier refuses the call (\"get_local_storage() doesn't "
          "support non-zero flags\")");
    auto wrong = open_asm("r1 = {arr} ll\nr2 = 0\ncall 81\nexit\n", {array_spec("arr", 8)}, "cgroup_skb/ingress");
    r = wrong->run("asm", in);
    REQUIRE(r.error);
    CHECK(r.error->what.find("bpf_get_local_storage: r1 does not hold a cgroup_storage") == 0);
}

} // namespace bpfplay::testing
