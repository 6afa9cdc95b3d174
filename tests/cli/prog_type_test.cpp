// Program types a section name does not give: libbpf 0.x names (xdp-tutorial's SEC("xdp_vlan01"))
// and --prog-type, which sets a type as tc or xdp-loader does for a section of any name.
#include <doctest/doctest.h>

#include "process.hpp"

using bpfplay::test::run_bpfvm;
using bpfplay::test::TempFile;

namespace {

const std::string kFixture = std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/legacy_sections.o";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a libbpf 0.x section name runs as its old type: SEC(\"xdp_vlan01\") is XDP") {
    // 16 bytes: the program passes frames that hold an Ethernet header and drops shorter ones.
    auto r = run_bpfvm({"run", kFixture, "--program", "xdp_vlan_swap", "--packet-hex", "000102030405060708090a0b08004500"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "return 0x2 (2) XDP_PASS\n"));
    r = run_bpfvm({"run", kFixture, "--program", "xdp_vlan_swap", "--packet-hex", "00010203040506070809"});
    CHECK(contains(r.out, "return 0x1 (1) XDP_DROP\n"));
    r = run_bpfvm({"info", kFixture});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "  0: xdp_vlan_swap  section \"xdp_vlan01\"  type xdp  7 insns  runnable\n"));
    CHECK(contains(r.out, "  - program \"xdp_vlan_swap\": section \"xdp_vlan01\" is a libbpf 0.x name, loaded as xdp "
                          "as libbpf 0.x did (libbpf 1.0 and later need SEC(\"xdp\") exactly)\n"));
}

TEST_CASE("a packet given to a program whose section names no type: a note before the run says it is not used") {
    const std::string fixture = std::string(BPFPLAY_SOURCE_DIR) + "/tests/browser/fixtures/xdp_custom_section.o";
    const char* packet = "02000000000202000000000108004500002800014000400626cd0a0000010a00000200010050000003e8000000005002ffff97a70000";
    auto r = run_bpfvm({"run", fixture, "--packet-hex", packet});
    CHECK(r.err.starts_with("bpfvm: note: section \"drop_ipv4\" names no program type, so xdp_custom runs on raw memory "
                            "(r1 = the --ctx bytes, r2 = their length) and the packet is not used; give its type with "
                            "--prog-type xdp_custom=TYPE (xdp, sched_cls, socket_filter, ...)\n"));
    r = run_bpfvm({"run", fixture, "--packet-hex", packet, "--prog-type", "xdp_custom=xdp"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(contains(r.out, "return 0x1 (1) XDP_DROP\n"));
}

TEST_CASE("--prog-type sets a program's type before load, with a note; names no program: a note") {
    auto r = run_bpfvm({"info", kFixture, "--prog-type", "tc_egress=sched_act", "--prog-type", "nothere=xdp"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "  1: tc_egress  section \"classifier_egress\"  type sched_act  6 insns  runnable\n"));
    CHECK(contains(r.out, "  - program \"tc_egress\": type sched_act set by the user (section "
                          "\"classifier_egress\" says sched_cls)\n"));
    CHECK(contains(r.out, "  - a type (xdp) was given for program \"nothere\", but the object has no such program\n"));
    // The type decides what the return value means: as a socket filter, 0 keeps no byte.
    r = run_bpfvm({"run", kFixture, "--program", "tc_egress", "--prog-type", "tc_egress=socket_filter",
                   "--packet-hex", "000102030405060708090a0b08004500"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "return 0x0 (0)\n"));
    CHECK(contains(r.out, "the socket does not get the packet (the filter returned 0)"));
}

TEST_CASE("--prog-type and the host JSON's prog_types refuse what is not a program type") {
    auto r = run_bpfvm({"run", kFixture, "--prog-type", "tc_egress=nope"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "bpfvm: run: --prog-type takes PROGRAM=TYPE with one of the kernel's type names (xdp, sched_cls, "
                   "sched_act, socket_filter, kprobe, ...), not 'tc_egress=nope'\nTry 'bpfvm --help'.\n");
    r = run_bpfvm({"info", kFixture, "--prog-type", "=xdp"});
    CHECK(r.exit_code == 2);
    TempFile host(R"({"prog_types": {"tc_egress": "unspec"}})", ".json");
    r = run_bpfvm({"run", kFixture, "--program", "tc_egress", "--host", host.path()});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "prog_types.tc_egress: \"unspec\" is not a program type"));
    TempFile good(R"({"prog_types": {"tc_egress": "socket_filter"}})", ".json");
    r = run_bpfvm({"run", kFixture, "--program", "tc_egress", "--host", good.path(), "--packet-hex",
                   "000102030405060708090a0b08004500"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "the socket does not get the packet (the filter returned 0)"));
}
