// Stepping back over an sk_lookup program's bpf_sk_assign: the selection in struct bpf_sk_lookup
// (its sk field, what ctx_out's cookie reports) and the run's assigned socket come back exactly,
// both ways, and a replaced selection returns to the first socket.
#include <doctest/doctest.h>

#include <string>

#include "core/host/kernel_objects.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/sk_lookup_context.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

TEST_CASE("stepping back over bpf_sk_assign in sk_lookup restores the selection") {
    // The default host's TCP listener on *:80 (socket 0), held twice from sockmap "socks" (r6,
    // r7), selected, then selected again with BPF_SK_LOOKUP_F_REPLACE.
    auto lookup = [](int key, const char* reg) {
        return "*(u32 *)(r10 - 4) = " + std::to_string(key) + "\nr1 = " + std::to_string(map_handle(0)) +
               " ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n" + reg + " = r0\n";
    };
    const std::string prog = "r9 = r1\nr6 = 0\nr7 = 0\n" + lookup(0, "r6") + lookup(1, "r7") +
                             "r1 = r9\nr2 = r6\nr3 = 0\ncall bpf_sk_assign\n"
                             "r1 = r9\nr2 = r6\nr3 = 1\ncall bpf_sk_assign\n"
                             "out:\nif r6 == 0 goto no6\nr1 = r6\ncall bpf_sk_release\nno6:\n"
                             "if r7 == 0 goto no7\nr1 = r7\ncall bpf_sk_release\nno7:\nr0 = 1\nexit\n";
    auto o = ObjectSession::open_assembly(prog, "sk_lookup");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    MapSpec m;
    m.type = MapType::Sockmap;
    m.name = "socks";
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 4;
    REQUIRE(object.object().maps->create(m).ok());
    const uint64_t cookie0 = object.host().net.sockets.at(0).cookie;
    std::vector<uint8_t> k(4, 0), v(8, 0);
    for (int i = 0; i < 8; ++i) v[i] = uint8_t(cookie0 >> (8 * i));
    REQUIRE(object.object().maps->find("socks")->update_user(k, v) == 0);
    k[0] = 1;
    REQUIRE(object.object().maps->find("socks")->update_user(k, v) == 0);
    RunInput in;
    in.ctx.assign(bpf_sk_lookup::kSize, 0);
    in.ctx[bpf_sk_lookup::kFamily] = 2;
    in.ctx[bpf_sk_lookup::kProtocol] = 6;
    in.ctx[bpf_sk_lookup::kLocalPort] = 80;
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 1);
    const auto& ctx = dynamic_cast<const SkLookupContext&>(*s.run_state().ctx);
    REQUIRE(ctx.selected == std::optional<uint32_t>(0));
    CHECK(load_le<uint64_t>(&ctx.bytes()[bpf_sk_lookup::kSk]) == socket_address(0));
    require_same_states_back(s, forward);
    CHECK_FALSE(ctx.selected);
    CHECK(load_le<uint64_t>(&ctx.bytes()[bpf_sk_lookup::kSk]) == 0);
    CHECK_FALSE(object.host().net.run.assigned_socket);
}

}  // namespace bpfplay::testing
