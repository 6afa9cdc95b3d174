// bpf_redirect and bpf_redirect_map: the kernel's return values and flag rules, the target a
// run records, and what the exit report says became of the packet.
#include <doctest/doctest.h>

#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

TEST_CASE("XDP bpf_redirect to eth1 returns XDP_REDIRECT and the packet leaves by eth1") {
    auto s = open_asm("r1 = 3\nr2 = 0\ncall bpf_redirect\nexit\n", "xdp");
    const RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 4);
    CHECK(r.return_name == "XDP_REDIRECT");
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 bpf_redirect: the packet goes to eth1 (ifindex 3) if the program returns XDP_REDIRECT",
            "4 pc 3 exit: XDP_REDIRECT: the packet is sent out of eth1 (ifindex 3)"});
    CHECK(s->host().net.run.redirect == RedirectTarget{true, 3, 0, "", {}});
}

TEST_CASE("XDP bpf_redirect with any flag returns XDP_ABORTED") {
    auto s = open_asm("r1 = 3\nr2 = 1\ncall bpf_redirect\nexit\n", "xdp");
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 bpf_redirect: flags 0x1 are not allowed in XDP (they must be 0): returns XDP_ABORTED and "
            "the "
            "target is unchanged",
            "4 pc 3 exit: XDP_ABORTED: the packet is dropped and the xdp:xdp_exception tracepoint fires"});
    CHECK_FALSE(s->host().net.run.redirect.set);
}

TEST_CASE("a redirect to an ifindex the host does not have drops the packet at exit") {
    auto s = open_asm("r1 = 9\nr2 = 0\ncall bpf_redirect\nexit\n", "xdp");
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 4);
    REQUIRE(r.host_events.size() == 2);
    CHECK(r.host_events[0].text == "the packet goes to ifindex 9 if the program returns XDP_REDIRECT");
    CHECK(r.host_events[1].text == "XDP_REDIRECT: the packet is dropped: there is no device with ifindex 9");
}

TEST_CASE("a redirect to a device that is down drops the packet") {
    Host host;
    host.net.devices[2].up = false;
    auto s = open_asm("r1 = 3\nr2 = 0\ncall bpf_redirect\nexit\n", "xdp", host);
    CHECK(run_packet(*s).host_events.back().text ==
          "XDP_REDIRECT: the packet is dropped: eth1 (ifindex 3) is down");
}

TEST_CASE("XDP_REDIRECT without a target drops the packet") {
    auto s = open_asm("r0 = 4\nexit\n", "xdp");
    CHECK(event_lines(run_packet(*s).host_events) == V{"2 pc 1 exit: XDP_REDIRECT: the packet is dropped: no "
                                                       "bpf_redirect or bpf_redirect_map call chose a "
                                                       "target"});
}

TEST_CASE("XDP_PASS and XDP_TX name the device the packet arrived on") {
    Host host;
    host.net.ingress_ifindex = 2;
    auto pass = open_asm("r0 = 2\nexit\n", "xdp", host);
    CHECK(run_packet(*pass).host_events.at(0).text ==
          "XDP_PASS: the packet is passed up to the network stack on eth0 (ifindex 2)");
    auto tx = open_asm("r0 = 3\nexit\n", "xdp");
    CHECK(run_packet(*tx).host_events.at(0).text == "XDP_TX: the packet is sent back out of lo (ifindex 1)");
    auto bad = open_asm("r0 = 9\nexit\n", "xdp");
    CHECK(run_packet(*bad).host_events.at(0).text == "return value 9 is not an XDP action: the kernel warns "
                                                     "(bpf_warn_invalid_xdp_action) and drops the packet");
}

TEST_CASE("the ingress device and receive queue reach xdp_md and __sk_buff") {
    Host host;
    host.net.ingress_ifindex = 3;
    host.net.devices[2].rx_queues = 4;
    host.net.rx_queue_index = 2;
    auto xdp =
        open_asm("r0 = *(u32 *)(r1 + 12)\nr2 = *(u32 *)(r1 + 16)\nr2 <<= 8\nr0 |= r2\nexit\n", "xdp", host);
    CHECK(run_packet(*xdp).r0 == 0x203);
    auto tc = open_asm("r0 = *(u32 *)(r1 + 40)\nexit\n", "tc", host);
    CHECK(run_packet(*tc).r0 == 3);
    auto lo = open_asm("r0 = *(u32 *)(r1 + 12)\nexit\n", "xdp");
    CHECK(run_packet(*lo).r0 == 1); // BPF_PROG_TEST_RUN's loopback
}

TEST_CASE("a run on a device the host does not have fails as the kernel's test run does") {
    Host host;
    host.net.ingress_ifindex = 7;
    auto s = open_asm("r0 = 2\nexit\n", "xdp", host);
    const RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "-ENODEV: packets arrive on ifindex 7, but the host has no device with that ifindex");
    Host queues;
    queues.net.rx_queue_index = 1;
    auto q = open_asm("r0 = 2\nexit\n", "xdp", queues);
    CHECK(run_packet(*q).error->what ==
          "-EINVAL: packets arrive on receive queue 1 of lo, which has 1 receive queue(s)");
}

TEST_CASE("TC bpf_redirect takes only BPF_F_INGRESS") {
    auto ingress = open_asm("r1 = 2\nr2 = 1\ncall bpf_redirect\nexit\n", "tc");
    RunResult r = run_packet(*ingress);
    CHECK(r.r0 == 7);
    CHECK(r.return_name == "TC_ACT_REDIRECT");
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 bpf_redirect: the packet goes to eth0 (ifindex 2) as an incoming packet (BPF_F_INGRESS) "
            "if the "
            "program returns TC_ACT_REDIRECT",
            "4 pc 3 exit: TC_ACT_REDIRECT: the packet is received again as incoming on eth0 (ifindex 2)"});
    auto egress = open_asm("r1 = 3\nr2 = 0\ncall bpf_redirect\nexit\n", "tc");
    CHECK(run_packet(*egress).host_events.back().text ==
          "TC_ACT_REDIRECT: the packet is sent out of eth1 (ifindex 3)");
    auto bad = open_asm("r1 = 3\nr2 = 2\ncall bpf_redirect\nexit\n", "tc");
    r = run_packet(*bad);
    CHECK(r.r0 == 2);
    CHECK(event_lines(r.host_events) == V{"3 pc 2 bpf_redirect: flags 0x2 have bits other than "
                                          "BPF_F_INGRESS: returns TC_ACT_SHOT and the target "
                                          "is unchanged",
                                          "4 pc 3 exit: TC_ACT_SHOT: the packet is dropped"});
}

TEST_CASE("a socket filter may not call bpf_redirect: refused at load, as the kernel's verifier does") {
    const Error e = refused_asm("r1 = 3\nr2 = 0\ncall bpf_redirect\nexit\n", "socket");
    CHECK(e.kind == ErrorKind::Verify);
    CHECK(e.where.pc == 2u);
    CHECK(e.what == "program of type socket_filter cannot use helper bpf_redirect#23");
    CHECK(e.hint == "The kernel's verifier refuses the call. bpf_redirect is available to sched_cls, sched_act, "
                    "xdp and lwt_xmit programs.");
}

namespace {

// A session whose program has the devmap "tx_ports" (map id 0) in r1 for bpf_redirect_map.
std::unique_ptr<ObjectSession> devmap_session(std::string_view body, MapType type = MapType::Devmap,
                                              uint32_t value_size = 4) {
    const std::string text = "r1 = 0x" + [] {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(map_handle(0)));
        return std::string(buf);
    }() + " ll\n" + std::string(body);
    auto s = open_asm(text, "xdp");
    MapSpec spec;
    spec.type = type;
    spec.name = "tx_ports";
    spec.key_size = 4;
    spec.value_size = value_size;
    spec.max_entries = 8;
    auto m = create_map(spec);
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().to_string()));
    REQUIRE(s->object().maps->add(std::move(m).value()).ok());
    return s;
}

void set_port(ObjectSession& s, uint32_t key, uint32_t ifindex) {
    Map& m = *s.object().maps->get(0);
    std::vector<uint8_t> k(4), v(m.value_size(), 0);
    store_le<uint32_t>(k.data(), key);
    store_le<uint32_t>(v.data(), ifindex);
    REQUIRE(m.update_user(k, v) == 0);
}

} // namespace

TEST_CASE("bpf_redirect_map through a devmap entry sends the packet to its device") {
    for (MapType type : {MapType::Devmap, MapType::DevmapHash}) {
        CAPTURE(int(type));
        auto s = devmap_session("r2 = 1\nr3 = 0\ncall bpf_redirect_map\nexit\n", type);
        set_port(*s, 1, 3);
        const RunResult r = run_packet(*s);
        CHECK(r.r0 == 4);
        CHECK(event_lines(r.host_events) ==
              V{"4 pc 4 bpf_redirect_map: devmap \"tx_ports\" key 1 is eth1 (ifindex 3): the packet goes "
                "there if "
                "the program returns XDP_REDIRECT",
                "5 pc 5 exit: XDP_REDIRECT: the packet is sent out of eth1 (ifindex 3)"});
        CHECK(s->host().net.run.redirect == RedirectTarget{true, 3, 0, "tx_ports", {}});
    }
}

TEST_CASE("a devmap miss returns the action in the flags' low bits") {
    auto s = devmap_session("r2 = 5\nr3 = 2\ncall bpf_redirect_map\nexit\n");
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 2);
    CHECK(event_lines(r.host_events) ==
          V{"4 pc 4 bpf_redirect_map: devmap \"tx_ports\" has no entry for key 5: returns 2, the low bits of "
            "the flags",
            "5 pc 5 exit: XDP_PASS: the packet is passed up to the network stack on lo (ifindex 1)"});
    auto aborted = devmap_session("r2 = 5\nr3 = 0\ncall bpf_redirect_map\nexit\n");
    CHECK(run_packet(*aborted).r0 == 0);
}

TEST_CASE("bpf_redirect_map with unknown flag bits returns XDP_ABORTED") {
    auto s = devmap_session("r2 = 1\nr3 = 4\ncall bpf_redirect_map\nexit\n");
    set_port(*s, 1, 3);
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text == "flags 0x4 have unknown bits: returns XDP_ABORTED");
}

TEST_CASE("a devmap miss after bpf_redirect keeps bpf_redirect's device, as the kernel does") {
    auto s = devmap_session("r6 = r1\nr1 = 2\nr2 = 0\ncall bpf_redirect\nr1 = r6\nr2 = 7\nr3 = 0\n"
                            "call bpf_redirect_map\nr0 = 4\nexit\n");
    const RunResult r = run_packet(*s);
    CHECK(r.host_events.back().text == "XDP_REDIRECT: the packet is sent out of eth0 (ifindex 2)");
}

TEST_CASE(
    "BPF_F_BROADCAST copies the packet to every device of the devmap, except the ingress one if asked") {
    auto s = devmap_session("r2 = 0\nr3 = 24\ncall bpf_redirect_map\nexit\n"); // BROADCAST | EXCLUDE_INGRESS
    set_port(*s, 0, 1);
    set_port(*s, 3, 3);
    set_port(*s, 5, 2);
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 4);
    CHECK(
        event_lines(r.host_events) ==
        V{"4 pc 4 bpf_redirect_map: the packet is copied to every device in devmap \"tx_ports\" except the "
          "one it "
          "arrived on if the program returns XDP_REDIRECT",
          "5 pc 5 exit: XDP_REDIRECT: the packet is copied out of every device in devmap \"tx_ports\": eth1 "
          "(ifindex 3), eth0 (ifindex 2)"});
}

TEST_CASE("bpf_redirect_map is refused on other maps and in TC programs") {
    auto s = devmap_session("r2 = 1\nr3 = 0\ncall bpf_redirect_map\nexit\n", MapType::Hash);
    RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "bpf_redirect_map cannot be used on hash map \"tx_ports\": the kernel's verifier refuses it "
          "(\"cannot pass map_type 1 into func bpf_redirect_map#51\")");
    const Error tc = refused_asm("r1 = 0\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit\n", "tc");
    CHECK(tc.what == "program of type sched_cls cannot use helper bpf_redirect_map#51");
}

TEST_CASE("a program may read a devmap entry but not change it") {
    auto s = devmap_session(
        "*(u32 *)(r10 - 4) = 1\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = *(u32 *)(r0 + 0)\n"
        "exit\n");
    set_port(*s, 1, 3);
    CHECK(run_packet(*s).r0 == 3);
    auto w = devmap_session("*(u32 *)(r10 - 4) = 1\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -4\nr4 = 0\n"
                            "call bpf_map_update_elem\nexit\n");
    const RunResult r = run_packet(*w);
    REQUIRE(r.status == RunStatus::Faulted);
    // Linux 6.18's verifier: "write into map forbidden" (the devmap is BPF_F_RDONLY_PROG).
    CHECK(r.error->what == "bpf_map_update_elem: cannot change devmap map \"tx_ports\": the kernel makes every devmap "
                           "read-only for programs (BPF_F_RDONLY_PROG) and its verifier refuses the call (\"write into "
                           "map forbidden\")");
}

namespace {

MapSpec redirect_map_spec(MapType type, const char* name, uint32_t value_size) {
    MapSpec m;
    m.type = type;
    m.name = name;
    m.key_size = 4;
    m.value_size = value_size;
    m.max_entries = 4;
    return m;
}

std::unique_ptr<ObjectSession> redirect_through(const MapSpec& spec, const std::string& key, const std::string& flags) {
    auto s = open_asm("r1 = " + std::to_string(map_handle(0)) + " ll\nr2 = " + key + "\nr3 = " + flags +
                          "\ncall bpf_redirect_map\nexit\n",
                      "xdp");
    REQUIRE(s->object().maps->create(spec).ok());
    return s;
}

std::vector<uint8_t> le32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }

} // namespace

TEST_CASE("bpf_redirect_map through a cpumap queues the packet to that CPU") {
    auto s = redirect_through(redirect_map_spec(MapType::Cpumap, "cpus", 8), "2", "1");
    REQUIRE(s->object().maps->find("cpus")->update_user(le32(2), std::vector<uint8_t>{0, 8, 0, 0, 0, 0, 0, 0}) == 0);
    RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 4);
    CHECK(event_lines(r.host_events) ==
          V{"4 pc 4 bpf_redirect_map: cpumap \"cpus\" key 2 is CPU 2 (queue of 2048): the packet goes there if "
            "the program returns XDP_REDIRECT",
            "5 pc 5 exit: XDP_REDIRECT: the packet is queued to CPU 2 (cpumap \"cpus\"), whose kthread builds an "
            "skb and passes it up to the network stack there"});
    CHECK(s->host().net.run.redirect.kind == RedirectKind::Cpu);
    // An empty slot, or one past max_entries: the flags' low bits (XDP_DROP here).
    auto empty = redirect_through(redirect_map_spec(MapType::Cpumap, "cpus", 8), "1", "1");
    CHECK(run_packet(*empty).r0 == 1);
    auto past = redirect_through(redirect_map_spec(MapType::Cpumap, "cpus", 8), "9", "2");
    CHECK(run_packet(*past).r0 == 2);
    // BPF_F_BROADCAST is a devmap flag: XDP_ABORTED.
    auto broadcast = redirect_through(redirect_map_spec(MapType::Cpumap, "cpus", 8), "2", "8");
    CHECK(run_packet(*broadcast).r0 == 0);
}

TEST_CASE("bpf_redirect_map through an xskmap delivers the packet to the AF_XDP socket") {
    auto s = redirect_through(redirect_map_spec(MapType::Xskmap, "xsks", 4), "0", "2");
    CHECK(run_packet(*s).r0 == 2);  // no socket yet: XDP_PASS from the flags
    REQUIRE(s->object().maps->find("xsks")->update_user(le32(0), le32(7)) == 0);
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 4);
    CHECK(event_lines(r.host_events).back() ==
          "5 pc 5 exit: XDP_REDIRECT: the packet is delivered to the AF_XDP socket (fd 7) in xskmap \"xsks\" key 0: "
          "user space reads it from the socket's RX ring");
    CHECK(s->host().net.run.redirect.socket == 7);
}
