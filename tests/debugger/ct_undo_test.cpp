// Stepping back over the conntrack kfuncs restores the host's conntrack table, the run's
// struct nf_conn objects (their bytes in window::kConntrack) and the references the program
// holds, state by state; forward again gives the same states.
#include <doctest/doctest.h>

#include <cstring>

#include "core/host/conntrack_objects.hpp"
#include "debugger/debug_fixture.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {

namespace {

// The table and the first two objects' bytes: what the kfuncs change outside the fingerprint.
std::string conntrack_state(const ObjectSession& o, const DebugSession& s) {
    std::string f;
    for (const ConntrackEntry& e : o.host().net.conntrack)
        f += ct_tuple_text(e.orig) + "/" + ct_tuple_text(e.reply) + "/" + std::to_string(e.status) + "/" +
             std::to_string(e.timeout) + ";";
    f += " held=" + std::to_string(o.host().dynptrs.objects.size());
    for (uint32_t i = 0; i < 2; ++i) {
        const uint8_t* p = s.vm().memory().read_ptr(conntrack_address(i), 8);
        if (!p) continue;
        for (uint32_t k = 0; k < nf_conn_stride(); ++k) f += std::to_string(p[k]) + ",";
    }
    return f;
}

} // namespace

TEST_CASE("stepping back over alloc, set_nat_info, insert and lookup restores the conntrack table and nf_conn bytes") {
    auto o = test::open_object("tests/run/bpf/ct_kfuncs.o");
    RunInput in;
    in.packet.assign(64, 0);
    auto opened = DebugSession::open(*o, "ct_fields", in);
    REQUIRE(opened.ok());
    auto s = std::move(opened).value();
    std::vector<std::string> forward{fingerprint(*s) + conntrack_state(*o, *s)};
    while (s->status() == RunStatus::Ready) {
        s->step();
        forward.push_back(fingerprint(*s) + conntrack_state(*o, *s));
    }
    REQUIRE_MESSAGE(s->status() == RunStatus::Exited, (s->vm().fault() ? s->vm().fault()->what : ""));
    REQUIRE(o->host().net.conntrack.size() == 1);
    CHECK(ct_tuple_text(o->host().net.conntrack[0].reply) == "tcp 192.168.1.7:8080 -> 10.0.0.1:41000");
    for (size_t k = forward.size() - 1; k > 0; --k) {
        s->step_back();
        REQUIRE_MESSAGE(fingerprint(*s) + conntrack_state(*o, *s) == forward[k - 1], "back at " << k - 1);
    }
    CHECK(o->host().net.conntrack.empty());
    CHECK(o->host().dynptrs.objects.empty());
    for (size_t k = 1; k < forward.size(); ++k) {
        s->step();
        REQUIRE_MESSAGE(fingerprint(*s) + conntrack_state(*o, *s) == forward[k], "forward again at " << k);
    }
}

} // namespace bpfplay::testing
