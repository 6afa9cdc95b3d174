// struct_ops: SEC(".struct_ops") variables as BPF_MAP_TYPE_STRUCT_OPS maps bound to the kernel's
// struct tcp_congestion_ops, their programs run as the kernel calls a congestion control (the
// member's arguments as context, the socket as struct tcp_sock, the fields it may write),
// bpf_tcp_send_ack, the tcp_reno kfuncs, and the refusals of libbpf and the kernel.
// The objects are tests/run/bpf/struct_ops_*.c; each says what Linux 6.18 with libbpf 1.1.2
// did with it (bpf_object__load, then bpf_map__attach_struct_ops, as root on the reference
// machine), which these tests expect of bpfplay too.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/map_types.hpp"
#include "core/maps/struct_ops_map.hpp"
#include "core/run/object_session.hpp"
#include "maps/map_test_util.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;
using test::bytes;
using test::open_object;

namespace {

const LoadedProgram& program_named(ObjectSession& s, std::string_view name) {
    const LoadedProgram* p = s.object().find_program(name);
    REQUIRE(p);
    return *p;
}

// The established TCP socket the default host's struct_ops programs run on.
HostSocket& conn(ObjectSession& s) { return s.host().net.sockets[1]; }

std::vector<uint8_t> args(uint64_t a0, uint64_t a1, uint64_t a2) {
    std::vector<uint8_t> out(24);
    std::memcpy(out.data(), &a0, 8);
    std::memcpy(out.data() + 8, &a1, 8);
    std::memcpy(out.data() + 16, &a2, 8);
    return out;
}

// The run's events without the socket's description: "tcp_sock.snd_cwnd: 10 -> 13" for a field
// the program changed, "bpf_tcp_send_ack: acknowledging up to 5 (rcv_nxt); returns 0" for an ACK.
std::vector<std::string> events_of(const RunResult& r) {
    std::vector<std::string> out;
    for (const HostEvent& e : r.host_events) {
        CHECK(e.text.find("the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000") != std::string::npos);
        if (e.helper == "struct_ops")
            out.push_back(e.text.substr(0, e.text.find(" of ")) + e.text.substr(e.text.rfind(": ")));
        else
            out.push_back(e.helper + ": " + e.text.substr(e.text.find("acknowledging")));
    }
    return out;
}
using V = std::vector<std::string>;

std::string load_error_of(const std::string& path) {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/" + path, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    auto s = ObjectSession::open(bytes, "x.o");
    REQUIRE_FALSE(s.ok());
    return s.error().where.map + " | " + s.error().what;
}

}  // namespace

TEST_CASE("struct_ops map: a tcp_congestion_ops variable loads as the kernel's value, registered") {
    CHECK(map_type_supported(MapType::StructOps));
    auto s = open_object("tests/run/bpf/struct_ops_ca.o");
    Map* m = s->object().maps->find("half_ca");
    REQUIRE(m);
    // As libbpf made it on Linux 6.18: type 26, key 4, value 256 (struct
    // bpf_struct_ops_tcp_congestion_ops), max_entries 1, flags 0.
    CHECK(m->type() == MapType::StructOps);
    CHECK(m->key_size() == 4);
    CHECK(m->value_size() == 256);
    CHECK(m->max_entries() == 1);
    CHECK(m->map_flags() == 0);
    CHECK(m->spec().btf_vmlinux_value_type_id != 0);

    // Each program implements the member that points at it (expected_attach_type = its index).
    CHECK(program_named(*s, "half_ssthresh").struct_ops_member == "ssthresh");
    CHECK(program_named(*s, "half_ssthresh").attach == AttachType(0));
    CHECK(program_named(*s, "grow_cong_avoid").struct_ops_member == "cong_avoid");
    CHECK(program_named(*s, "grow_cong_avoid").attach == AttachType(1));
    CHECK(program_named(*s, "keep_undo_cwnd").struct_ops_member == "undo_cwnd");
    CHECK(program_named(*s, "keep_undo_cwnd").attach == AttachType(8));
    CHECK(program_named(*s, "keep_undo_cwnd").struct_ops_type == "tcp_congestion_ops");
    CHECK(s->object().map_info[m->id()].init_slots.size() == 3);

    // Registered: the kernel's lookup after attaching gave state 1 (INUSE), refcnt 1. The value
    // holds struct tcp_congestion_ops at 64 (cache-line aligned): the function pointer slots (the
    // program's index where the kernel takes its fd), the name at 64 + 88.
    std::vector<uint8_t> value(256);
    REQUIRE(m->lookup_user(bytes<uint32_t>(0), value) == 0);
    CHECK(load_le<uint32_t>(value.data()) == 1);
    CHECK(load_le<uint32_t>(value.data() + 4) == struct_ops_state::kInuse);
    CHECK(load_le<uint64_t>(value.data() + 64 + 8) == 1);  // cong_avoid: program 1
    CHECK(std::string(reinterpret_cast<const char*>(value.data() + 64 + 88)) == "bpfplay_half");
    CHECK(m->lookup_user(bytes<uint32_t>(1), value) == -kerrno::kENOENT);
    CHECK(dynamic_cast<StructOpsMap*>(m)->summary() == "registered (INUSE)");

    // The kernel's answers on the same map: updating with the looked-up value (state set) is
    // -EINVAL; with a clean header -EBUSY (registered once); unregistering leaves TOBEFREE, and
    // a second delete is -EINPROGRESS.
    CHECK(m->update_user(bytes<uint32_t>(0), value) == -kerrno::kEINVAL);
    std::fill(value.begin(), value.begin() + 8, 0);
    CHECK(m->update_user(bytes<uint32_t>(0), value) == -kerrno::kEBUSY);
    CHECK(m->delete_user(bytes<uint32_t>(0)) == 0);
    REQUIRE(m->lookup_user(bytes<uint32_t>(0), value) == 0);
    CHECK(load_le<uint32_t>(value.data() + 4) == struct_ops_state::kTobefree);
    CHECK(load_le<uint32_t>(value.data()) == 0);
    CHECK(m->delete_user(bytes<uint32_t>(0)) == -kerrno::kEINPROGRESS);
}

TEST_CASE("struct_ops programs run on the host's TCP socket as struct tcp_sock, writing snd_cwnd") {
    auto s = open_object("tests/run/bpf/struct_ops_ca.o");
    REQUIRE(conn(*s).tcp.snd_cwnd == 10);
    conn(*s).tcp.rcv_nxt = 12345;

    RunResult r = s->run("half_ssthresh", {});
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 5);  // snd_cwnd 10 halved
    conn(*s).tcp.snd_cwnd = 3;
    CHECK(s->run("half_ssthresh", {}).r0 == 2);  // never below 2
    conn(*s).tcp.snd_cwnd = 10;

    // cong_avoid(sk, ack, acked = 3): the context's sk is the socket whatever the input says.
    RunInput in;
    in.ctx = args(0xdead, 100, 3);
    r = s->run("grow_cong_avoid", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(conn(*s).tcp.snd_cwnd == 13);
    CHECK(events_of(r) == V{"bpf_tcp_send_ack: acknowledging up to 12345 (rcv_nxt); returns 0",
                            "tcp_sock.snd_cwnd: 10 -> 13"});

    // The next runs see the window the program set.
    CHECK(s->run("half_ssthresh", {}).r0 == 6);
    CHECK(s->run("keep_undo_cwnd", {}).r0 == 13);
}

TEST_CASE("struct_ops refusals: an orphan program, a read-only field, unknown structs, missing ops") {
    auto s = open_object("tests/run/bpf/struct_ops_refused.o");
    // libbpf 1.4 and later refuse it by name; libbpf 1.1.2 passed it on, and the kernel refused
    // its attach_btf_id 0 (-ENOTSUPP).
    const LoadedProgram& orphan = program_named(*s, "orphan");
    REQUIRE(orphan.load_error);
    CHECK(orphan.load_error->what ==
          "section \"struct_ops/orphan\": prog 'orphan': SEC(\"struct_ops\") program isn't referenced anywhere, did you forget to use it?");

    // The verifier's "no write support to tcp_sock at off 1680" (srtt_us), as a fault at the store.
    RunResult r = s->run("write_srtt", {});
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->what.find("no write support to tcp_sock at off 1680") != std::string::npos);
    CHECK(conn(*s).tcp.srtt_us == 0);

    // The tcp_reno kfuncs on snd_cwnd 10: ssthresh 5; undo max(10, prior_cwnd 0); cong_avoid does
    // nothing while the window does not limit sending (is_cwnd_limited 0, max_packets_out 0).
    CHECK(s->run("reno_ssthresh", {}).r0 == 5);
    CHECK(s->run("reno_undo_cwnd", {}).r0 == 10);
    RunInput in;
    in.ctx = args(0, 1, 4);
    r = s->run("reno_cong_avoid", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(conn(*s).tcp.snd_cwnd == 10);
    CHECK(r.host_events.empty());
    // With 10 packets in flight (max_packets_out 10: tcp_is_cwnd_limited in slow start), acked 4
    // and ssthresh 12: slow start takes cwnd to 12 (2 of the 4), tcp_cong_avoid_ai counts the
    // other 2 in snd_cwnd_cnt (net/ipv4/tcp_cong.c).
    conn(*s).tcp.packets_out = 10;
    conn(*s).tcp.snd_ssthresh = 12;
    r = s->run("reno_cong_avoid", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(conn(*s).tcp.snd_cwnd == 12);
    CHECK(events_of(r) == V{"tcp_sock.snd_cwnd: 10 -> 12", "tcp_sock.snd_cwnd_cnt: 0 -> 2"});

    // libbpf 1.1.2 said "struct_ops init_kern: struct tcp_congestion_opz is not found in kernel
    // BTF"; libbpf 1.5 looks the value type up first, as bpfplay does.
    CHECK(load_error_of("tests/run/bpf/struct_ops_unknown.o") ==
          "typo_ca | section \".struct_ops\": struct_ops init_kern: struct bpf_struct_ops_tcp_congestion_opz is not found in kernel BTF");
    // Loads in the kernel, but registering it fails with -EINVAL.
    CHECK(load_error_of("tests/run/bpf/struct_ops_noundo.o") ==
          "noundo_ca | section \".struct_ops\": struct_ops map \"noundo_ca\": the kernel refuses to register it (-EINVAL): it does not "
          "implement required ops: a tcp_congestion_ops needs ssthresh, undo_cwnd, and cong_avoid or cong_control");
}

// examples/tcp_ca_reno.c (Linux 6.18 loads and registers it; its programs cannot be test-run
// in the kernel, so the values are Reno's arithmetic on the host socket).
TEST_CASE("tcp_ca_reno example: slow start, additive increase through snd_cwnd_cnt, halving") {
    auto s = open_object("public/examples/tcp_ca_reno.o");
    RunInput in;
    in.ctx = args(0, 0, 4);
    CHECK(s->run("reno_cong_avoid", in).status == RunStatus::Exited);
    CHECK(conn(*s).tcp.snd_cwnd == 14);
    CHECK(s->run("reno_cong_avoid", in).status == RunStatus::Exited);
    CHECK(conn(*s).tcp.snd_cwnd == 18);
    CHECK(s->run("reno_ssthresh", {}).r0 == 9);
    CHECK(s->run("reno_undo_cwnd", {}).r0 == 18);  // tcp_reno_undo_cwnd: max(18, prior_cwnd 0)
    // Past ssthresh: 4 more acked segments count towards the next increase.
    conn(*s).tcp.snd_ssthresh = 18;
    const RunResult r = s->run("reno_cong_avoid", in);
    CHECK(conn(*s).tcp.snd_cwnd == 18);
    CHECK(events_of(r) == V{"bpf_tcp_send_ack: acknowledging up to 0 (rcv_nxt); returns 0",
                            "tcp_sock.snd_cwnd_cnt: 0 -> 4"});
}

TEST_CASE("struct_ops map in SEC(\".struct_ops.link\"): BPF_F_LINK, READY after registering") {
    auto s = open_object("tests/run/bpf/struct_ops_link.o");
    Map* m = s->object().maps->find("link_ca");
    REQUIRE(m);
    CHECK(m->map_flags() == kBpfFLink);
    std::vector<uint8_t> value(256);
    REQUIRE(m->lookup_user(bytes<uint32_t>(0), value) == 0);
    CHECK(load_le<uint32_t>(value.data() + 4) == struct_ops_state::kReady);
    CHECK(load_le<uint32_t>(value.data()) == 0);
    CHECK(m->delete_user(bytes<uint32_t>(0)) == -kerrno::kEOPNOTSUPP);  // a link detaches it
    CHECK(s->run("undo", {}).r0 == 10);
}
