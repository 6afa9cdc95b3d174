// The conntrack kfuncs (bpf_xdp_ct_lookup and friends) and the XDP rx metadata kfuncs. The
// expected slots of ct_errors, ct_fields and ct_tc are what this machine's 6.18 kernel wrote for
// the same objects (tests/kernel/kernel_run.c, BPF_PROG_TEST_RUN on an empty conntrack table);
// the refusals are its verifier's words for tests/run/bpf/ct_refused.c, program by program.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "core/host/conntrack_objects.hpp"
#include "core/host/host_json.hpp"
#include "core/run/object_session.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;
using test::open_object;
using test::slot;

namespace {

RunInput packet() {
    RunInput in;
    in.packet.assign(64, 0);
    return in;
}

RunResult run_ok(ObjectSession& s, const char* prog, const RunInput& in = packet()) {
    RunResult r = s.run(prog, in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

// Each program on its own session: the table a run left would change the next one's path.
std::string run_error(const char* object, const char* prog, ErrorKind kind) {
    auto s = open_object(object);
    RunResult r = s->run(prog, packet());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == kind);
    return r.error->what;
}

const LoadedProgram& program_named(ObjectSession& s, const std::string& name) {
    for (const LoadedProgram& p : s.object().programs)
        if (p.name == name) return p;
    FAIL("no program " << name);
    return s.object().programs.front();
}

Host host_from(const char* json) {
    Host h;
    auto r = apply_host_json(h, json);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
    return h;
}

// The conntrack entry 10.0.0.1:40000 -> 10.0.0.2:80 the ct_table program looks up.
constexpr const char* kTableHost = R"({"conntrack": [{"proto": "tcp", "src": "10.0.0.1", "sport": 40000,
    "dst": "10.0.0.2", "dport": 80, "status": 14, "mark": 7, "timeout": 120, "zone": 0}]})";

} // namespace

TEST_CASE("bpf_xdp_ct_lookup's errors and the alloc / insert / lookup path give the kernel's values") {
    auto s = open_object("tests/run/bpf/ct_kfuncs.o");
    run_ok(*s, "ct_errors");
    // Slot: the kernel's value (ct_kfuncs.c says what each one is).
    const std::pair<uint32_t, int64_t> expected[] = {
        {0, -2},   {1, -2},  {2, -22}, {3, -71}, {4, -97}, {5, -22},  {6, -64}, {7, -22},
        {8, -2},   {9, 0},   {10, 3},  {11, 0},  {12, -16}, {13, -16}, {14, 1},  {15, -16},
        {16, 0},   {17, 1},  {18, 77}, {19, 0},  {20, -22}, {21, 0},  {22, 14},
    };
    for (const auto& e : expected) CHECK_MESSAGE(slot(*s, "out", e.first) == e.second, "slot " << e.first);
    // The flow went in once; the duplicate was refused.
    const std::vector<ConntrackEntry>& table = s->host().net.conntrack;
    REQUIRE(table.size() == 1);
    CHECK(ct_tuple_text(table[0].orig) == "tcp 10.0.0.1:40000 -> 10.0.0.2:80");
    CHECK(ct_tuple_text(table[0].reply) == "tcp 10.0.0.2:80 -> 10.0.0.1:40000");
    CHECK(table[0].status == (ips::kConfirmed | ips::kSeenReply | ips::kAssured));
}

TEST_CASE("a new entry's timeout, status and destination NAT read back through struct nf_conn as in the kernel") {
    auto s = open_object("tests/run/bpf/ct_kfuncs.o");
    const RunResult r = run_ok(*s, "ct_fields");
    const std::pair<uint32_t, int64_t> expected[] = {
        {0, 2500}, {1, 0}, {2, 1250}, {3, 0}, {4, 6}, {5, 0}, {6, -12}, {7, 294},
        {8, 3232235783}, {9, 8080}, {10, 1}, {11, 302}, {12, 1250}, {13, 0}, {14, 1}, {15, 41000},
    };
    for (const auto& e : expected) CHECK_MESSAGE(slot(*s, "out", e.first) == e.second, "slot " << e.first);
    const std::vector<ConntrackEntry>& table = s->host().net.conntrack;
    REQUIRE(table.size() == 1);
    CHECK(ct_tuple_text(table[0].reply) == "tcp 192.168.1.7:8080 -> 10.0.0.1:41000");
    REQUIRE(r.host_events.size() == 2);
    CHECK(r.host_events[0].helper == "bpf_ct_insert_entry");
    CHECK(r.host_events[0].text ==
          "added tcp 10.0.0.1:41000 -> 10.0.0.2:80 to the conntrack table (status 0x12e, timeout in 5 s)");
}

TEST_CASE("bpf_skb_ct_alloc and _lookup in a zone of the original direction only") {
    auto s = open_object("tests/run/bpf/ct_kfuncs.o");
    const RunResult r = run_ok(*s, "ct_tc");
    CHECK(r.r0 == 0);
    CHECK(slot(*s, "out", 0) == 7);  // ct->zone.id
    CHECK(slot(*s, "out", 1) == 1);  // ct->zone.dir: NF_CT_ZONE_DIR_ORIG
    CHECK(slot(*s, "out", 2) == 1);  // found in zone 7
    CHECK(slot(*s, "out", 3) == -2); // not in the default zone (the kernel's -ENOENT too)
    REQUIRE(s->host().net.conntrack.size() == 1);
    CHECK(s->host().net.conntrack[0].zone == 7);
    CHECK(s->host().net.conntrack[0].zone_dir == 1);
}

TEST_CASE("the host's conntrack entries are found, read and changed, and the changes stay for the next run") {
    auto s = open_object("tests/run/bpf/ct_kfuncs.o", host_from(kTableHost));
    const RunResult r = run_ok(*s, "ct_table");
    CHECK(slot(*s, "out", 0) == 1);
    CHECK(slot(*s, "out", 1) == 14);         // status from the host JSON
    CHECK(slot(*s, "out", 2) == 7);          // mark
    CHECK(slot(*s, "out", 3) == 120 * 250);  // 120 s left, in jiffies (HZ 250)
    CHECK(slot(*s, "out", 4) == 0);          // zone
    CHECK(slot(*s, "out", 5) == 0);          // bpf_ct_change_timeout
    CHECK(slot(*s, "out", 6) == 30 * 250);   // 30 s left now
    REQUIRE(r.host_events.size() == 2);
    CHECK(r.host_events[0].text == "tcp 10.0.0.1:40000 -> 10.0.0.2:80 now expires in 30000 ms (7500 jiffies)");
    // The table kept the new timeout: written out, 30 s are left (the run took less than a jiffy).
    Host back;
    REQUIRE(apply_host_json(back, host_json(s->host())).ok());
    REQUIRE(back.net.conntrack.size() == 1);
    CHECK(back.net.conntrack[0].timeout - uint32_t(back.jiffies64(0)) == 30 * 250);
    CHECK(back.net.conntrack[0].mark == 7);
    CHECK(back.net.conntrack[0].status == 14);
    // A second run finds it with its new timeout.
    run_ok(*s, "ct_table");
    CHECK(slot(*s, "out", 3) > 29 * 250);
    CHECK(slot(*s, "out", 3) <= 30 * 250);
}

TEST_CASE("an expired entry is not found but collected; a dying one is found, and bpf_ct_change_timeout says -ETIME") {
    Host h = host_from(kTableHost);
    const ConntrackEntry entry = h.net.conntrack[0];
    h.net.conntrack[0].timeout = uint32_t(h.jiffies64(0)); // expires now
    auto s = open_object("tests/run/bpf/ct_kfuncs.o", h);
    const RunResult r = run_ok(*s, "ct_table");
    CHECK(slot(*s, "out", 0) == -2);
    CHECK(s->host().net.conntrack.empty()); // nf_ct_gc_expired on the lookup's way
    REQUIRE(r.host_events.size() == 2);
    CHECK(r.host_events[0].text == "the expired entry tcp 10.0.0.1:40000 -> 10.0.0.2:80 is removed from the conntrack "
                                   "table (the lookup's garbage collection)");
    s->host().net.conntrack = {entry};
    s->host().net.conntrack[0].status |= ips::kDying;
    run_ok(*s, "ct_table");
    CHECK(slot(*s, "out", 0) == 1);
    CHECK(slot(*s, "out", 5) == -62); // -ETIME, the timeout set all the same
    CHECK(slot(*s, "out", 6) == 30 * 250);
    s->host().net.conntrack[0].status |= ips::kFixedTimeout;
    run_ok(*s, "ct_table");
    CHECK(slot(*s, "out", 5) == -1); // -EPERM: IPS_FIXED_TIMEOUT
}

TEST_CASE("references: a leak, a release of the wrong type, a set_* after insertion, a double release") {
    constexpr const char* kRefused = "tests/run/bpf/ct_refused.o";
    CHECK(run_error(kRefused, "ct_leak", ErrorKind::Verify) ==
          "the program exits still holding the reference to new conntrack entry tcp 10.0.0.1:42000 -> 10.0.0.2:80 "
          "that bpf_xdp_ct_alloc acquired at insn 23: the kernel's verifier refuses this program (\"Unreleased "
          "reference ... alloc_insn=23\", \"BPF_EXIT instruction in main prog would lead to reference leak\")");
    CHECK(run_error(kRefused, "ct_release_init", ErrorKind::Helper) ==
          "bpf_ct_release: r1 = 0x12700000000 is not a struct nf_conn reference the program holds: the kernel's "
          "verifier refuses the call (\"kernel function bpf_ct_release args#0 expected pointer to STRUCT nf_conn "
          "but R1 has a pointer to STRUCT nf_conn___init\")");
    CHECK(run_error(kRefused, "ct_set_after_insert", ErrorKind::Helper) ==
          "bpf_ct_set_timeout: r1 = 0x12700000000 is not a struct nf_conn___init reference the program holds: the "
          "kernel's verifier refuses the call (\"kernel function bpf_ct_set_timeout args#0 expected pointer to "
          "STRUCT nf_conn___init but R1 has a pointer to STRUCT nf_conn\")");
    CHECK(run_error(kRefused, "ct_double_release", ErrorKind::Helper) ==
          "bpf_ct_release: r1 = 0x12700000000 is not a struct nf_conn reference the program holds (it gave that "
          "reference back already): the kernel's verifier refuses the call (\"arg#0 pointer type STRUCT nf_conn "
          "must point to scalar, or struct with scalar\")");
    CHECK(conntrack_address(0) == 0x12700000000ull);
}

TEST_CASE("a program writes nf_conn's mark (the kernel's 0x42, then 0x4243) and nothing else") {
    auto s = open_object("tests/run/bpf/ct_kfuncs.o");
    run_ok(*s, "ct_mark");
    CHECK(slot(*s, "out", 0) == 0x42);
    CHECK(slot(*s, "out", 1) == 0x4243);
    REQUIRE(s->host().net.conntrack.size() == 1);
    CHECK(s->host().net.conntrack[0].mark == 0x4243);
    auto refused = open_object("tests/run/bpf/ct_refused.o");
    RunResult r = refused->run("ct_write_status", packet());
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->where.pc == 26u); // the kernel's log names insn 26 too
    CHECK(r.error->what.find("no write support to nf_conn at off 128") != std::string::npos);
}

TEST_CASE("the conntrack table in the host JSON: defaults, NAT reply, round trip, errors") {
    Host h = host_from(R"({"conntrack": [{"proto": "udp", "src": "fd00::1", "sport": 53, "dst": "fd00::2",
        "dport": 5353, "reply": {"src": "fd00::9", "sport": 53, "dst": "fd00::1", "dport": 53}}]})");
    REQUIRE(h.net.conntrack.size() == 1);
    const ConntrackEntry& e = h.net.conntrack[0];
    CHECK(ct_tuple_text(e.orig) == "udp [fd00::1]:53 -> [fd00::2]:5353");
    CHECK(ct_tuple_text(e.reply) == "udp [fd00::9]:53 -> [fd00::1]:53");
    CHECK(e.status == 14);
    CHECK(e.timeout == uint32_t(h.jiffies64(0) + 120 * 250));
    CHECK(e.zone_dir == 3);
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)).ok());
    CHECK(back.net.conntrack == h.net.conntrack);
    auto error_of = [](const char* json) {
        Host x;
        auto r = apply_host_json(x, json);
        return r.ok() ? std::string() : r.error().what;
    };
    CHECK(error_of(R"({"conntrack": [{"proto": "icmp", "src": "10.0.0.1", "dst": "10.0.0.2"}]})") ==
          "host JSON: conntrack[0].proto: expected \"tcp\" or \"udp\" (the conntrack kfuncs look up no other)");
    CHECK(error_of(R"({"conntrack": [{"proto": "tcp", "src": "10.0.0.1", "dst": "fd00::2"}]})") ==
          "host JSON: conntrack[0].dst: src and dst must both be IPv4 or both IPv6");
    CHECK(error_of(R"({"conntrack": [{"proto": "tcp", "src": "10.0.0.1"}]})") ==
          "host JSON: conntrack[0]: missing \"dst\" (an IPv4 or IPv6 address)");
    CHECK(error_of(R"({"conntrack": [{"proto": "tcp", "src": "10.0.0.1", "dst": "10.0.0.2", "zone_dir": 4}]})") ==
          "host JSON: conntrack[0].zone_dir: expected an integer from 0 to 3");
    CHECK(error_of(R"({"dev_bound": {"rx_meta": 9}})") == "host JSON: dev_bound.rx_meta: the host has no device with ifindex 9");
}

TEST_CASE("the XDP rx metadata kfuncs: refused unless device-bound, then the bound device's driver answers") {
    auto unbound = open_object("tests/run/bpf/xdp_rx_meta.o");
    const LoadedProgram& p = program_named(*unbound, "rx_meta");
    REQUIRE(p.load_error);
    CHECK(p.load_error->kind == ErrorKind::Verify);
    CHECK(p.load_error->what == "metadata kfuncs require device-bound program"); // the kernel's words

    auto s = open_object("tests/run/bpf/xdp_rx_meta.o", host_from(R"({"ingress_ifindex": 2, "dev_bound": {"rx_meta": 2},
        "devices": [{"ifindex": 1, "name": "lo"}, {"ifindex": 2, "name": "eth0", "rx_metadata":
        {"timestamp": 1700000000123, "hash": 3735928559, "rss_type": 9, "vlan_tci": 42, "vlan_proto": 34984}}]})"));
    run_ok(*s, "rx_meta");
    CHECK(slot(*s, "out", 0) == 0);
    CHECK(slot(*s, "out", 1) == 0);
    CHECK(slot(*s, "out", 2) == 0);
    CHECK(slot(*s, "out", 3) == 1700000000123);
    CHECK(slot(*s, "out", 4) == 3735928559);
    CHECK(slot(*s, "out", 5) == 9);
    CHECK(slot(*s, "out", 6) == 0xa888); // 802.1ad 0x88a8 as __be16, read as a little-endian u16
    CHECK(slot(*s, "out", 7) == 42);

    // What the frame lacks: -ENODATA, the outputs untouched.
    s->host().net.devices[1].rx_metadata = XdpRxMetadata{};
    run_ok(*s, "rx_meta");
    for (uint32_t k = 0; k < 3; ++k) CHECK(slot(*s, "out", k) == -61);
    CHECK(slot(*s, "out", 3) == 99);
    CHECK(slot(*s, "out", 7) == 99);
    // A driver without metadata ops: the generic kfuncs' -EOPNOTSUPP.
    s->host().net.devices[1].rx_metadata.reset();
    run_ok(*s, "rx_meta");
    for (uint32_t k = 0; k < 3; ++k) CHECK(slot(*s, "out", k) == -95);
    // A packet arriving on another device than the program's.
    s->host().net.ingress_ifindex = 1;
    RunResult r = s->run("rx_meta", packet());
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "bpf_xdp_metadata_rx_timestamp: the program is bound to eth0 (ifindex 2), but this run's packet arrives on "
          "lo (ifindex 1): the kernel attaches a device-bound program only to its own device");
}
