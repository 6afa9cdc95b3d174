// bpfvm verify: the checker's verdict per program, its exit codes (0 accept, 1 refuse,
// 2 cannot tell or bad input), --json, and the warning bpfvm run prints for a refused program.
#include <doctest/doctest.h>

#include <string>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

std::string corpus(const char* name) { return std::string(BPFPLAY_SOURCE_DIR) + "/tests/verifier/corpus/" + name; }

} // namespace

TEST_CASE("verify: an accepted program exits 0") {
    auto r = run_bpfvm({"verify", corpus("acc_xdp_parse_eth.o")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("prog: the kernel would accept it ("));
}

TEST_CASE("verify: a refused program exits 1 with the kernel's message, the C line, why and fix") {
    auto r = run_bpfvm({"verify", corpus("ref_xdp_no_bounds_check.o")});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("  insn 1: invalid access to packet, off=12 size=1, R1(id=0,off=12,r=0)\n") != std::string::npos);
    CHECK(r.out.find("ref_xdp_no_bounds_check.c:13:   return eth->h_proto == bpf_htons(ETH_P_IP)") != std::string::npos);
    CHECK(r.out.find("  why: ") != std::string::npos);
    CHECK(r.out.find("  fix: ") != std::string::npos);
    CHECK(r.out.find("  path: 0-1\n") != std::string::npos);
    // The log's tail: the registers the checker inferred before each instruction of the path.
    CHECK(r.out.find("  path: 0-1\n"
                     "  registers the checker inferred (before each instruction):\n"
                     "    0: R1=ctx() R10=fp0\n"
                     "    1: R1=pkt(r=0) R10=fp0\n") != std::string::npos);
    auto j = run_bpfvm({"verify", corpus("ref_xdp_no_bounds_check.o"), "--json"});
    CHECK(j.exit_code == 1);
    auto doc = bpfplay::parse_json(j.out);
    REQUIRE(doc);
    const auto& p = *doc->get("programs").at(0);
    CHECK(p.get("verdict").as_string() == "refuse");
    CHECK(p.get("insn").as_int64() == 1);
    CHECK(p.get("source").get("line").as_int64() == 13);
    CHECK(p.get("path").size() == 2);
    CHECK(p.get("path_states_from").as_int64() == 0);
    REQUIRE(p.get("path_states").size() == 2);
    const auto& at = *p.get("path_states").at(1);
    CHECK(at.get("kept").as_bool());
    CHECK(at.get("regs").size() == 11);
    CHECK(at.get("regs").at(1)->as_string() == "pkt(r=0)");
    CHECK(at.get("regs").at(0)->as_string() == "");
}

TEST_CASE("verify: cannot tell and bad input exit 2") {
    // A callback whose changing numbers decide branches: the kernel's precision tracking decides.
    auto r = run_bpfvm({"verify", std::string(BPFPLAY_SOURCE_DIR) + "/tests/verifier/fixtures/callback_precise_counter.o"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("cannot tell: insn ") != std::string::npos);
    CHECK(run_bpfvm({"verify"}).exit_code == 2);
    CHECK(run_bpfvm({"verify", corpus("acc_xdp_pass.c")}).exit_code == 2);
    CHECK(run_bpfvm({"verify", corpus("acc_xdp_pass.o"), "--program", "nope"}).exit_code == 2);
}

TEST_CASE("run warns in one line before running a program the kernel would refuse") {
    auto r = run_bpfvm({"run", corpus("ref_xdp_no_bounds_check.o"), "--packet-hex", "00112233445566778899aabb0800"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "bpfvm: warning: the kernel would refuse prog: insn 1: invalid access to packet, off=12 size=1, "
                   "R1(id=0,off=12,r=0) (bpfvm verify explains); running it anyway\n");
    CHECK(r.out.find("XDP_PASS") != std::string::npos);
}
