// Stepping back over the sockmap helpers: a sock_ops program's bpf_sock_hash_update (the map's
// buckets and entries), and an sk_msg program's redirect, byte counts and message edits (the
// message's bytes, its size and data..data_end) come back exactly, both ways.
#include <doctest/doctest.h>

#include <string>

#include "core/maps/map_set.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

MapSpec sockhash_spec() {
    MapSpec m;
    m.type = MapType::Sockhash;
    m.name = "by_port";
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 4;
    return m;
}

const std::string kMapLl = "r2 = " + std::to_string(map_handle(0)) + " ll\n";

} // namespace

TEST_CASE("stepping back over bpf_sock_hash_update restores the sockhash") {
    const std::string prog = "r6 = r1\n"
                             "r1 = 8080\n*(u32 *)(r10 - 4) = r1\nr1 = r6\n" + kMapLl +
                             "r3 = r10\nr3 += -4\nr4 = 0\ncall bpf_sock_hash_update\n"
                             "r1 = 53\n*(u32 *)(r10 - 4) = r1\nr1 = r6\n" + kMapLl +
                             "r3 = r10\nr3 += -4\nr4 = 0\ncall bpf_sock_hash_update\nexit\n";
    auto o = ObjectSession::open_assembly(prog, "sockops");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    REQUIRE(object.object().maps->create(sockhash_spec()).ok());
    RunInput in;
    in.ctx = {5, 0, 0, 0};  // BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 0);
    Map& map = *object.object().maps->find("by_port");
    CHECK(map.count() == 2);
    require_same_states_back(s, forward);
    CHECK(map.count() == 0);
    CHECK(object.host().events.empty());
}

TEST_CASE("stepping back over bpf_msg_redirect_hash and the message edits restores the message and the run") {
    const std::string prog = "r6 = r1\n"
                             "r2 = 1\nr3 = 2\nr4 = 0\ncall bpf_msg_push_data\n"
                             "r1 = r6\nr2 = 0\nr3 = 1\nr4 = 0\ncall bpf_msg_pop_data\n"
                             "r1 = r6\nr2 = 1\nr3 = 3\nr4 = 0\ncall bpf_msg_pull_data\n"
                             "r1 = r6\nr2 = 10\ncall bpf_msg_apply_bytes\n"
                             "r1 = 8080\n*(u32 *)(r10 - 4) = r1\nr1 = r6\n" + kMapLl +
                             "r3 = r10\nr3 += -4\nr4 = 1\ncall bpf_msg_redirect_hash\nexit\n";
    auto o = ObjectSession::open_assembly(prog, "sk_msg");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    REQUIRE(object.object().maps->create(sockhash_spec()).ok());
    REQUIRE(object.object().maps->find("by_port")->update_user(std::vector<uint8_t>{0x90, 0x1f, 0, 0},
                                                               std::vector<uint8_t>{0x02, 0x10, 0, 0, 0, 0, 0, 0}) == 0);
    RunInput in;
    in.packet = {'a', 'b', 'c', 'd'};
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 1);
    CHECK(object.host().net.run.sock_redirect.set);
    CHECK(object.host().net.run.apply_bytes == 10);
    require_same_states_back(s, forward);
    CHECK_FALSE(object.host().net.run.sock_redirect.set);
    CHECK(object.host().net.run.apply_bytes == 0);
}

}  // namespace bpfplay::testing
