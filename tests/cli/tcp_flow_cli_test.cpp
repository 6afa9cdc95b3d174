// bpfvm run on a congestion control with a host "tcp_flow" script: the flow's table (or JSON).
#include <doctest/doctest.h>

#include <string>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {
std::string in_source(const char* name) { return std::string(BPFPLAY_SOURCE_DIR) + "/" + name; }
}  // namespace

TEST_CASE("bpfvm run tcp_ca_reno.o --host tcp_ca_flow.json: Reno's cwnd per step") {
    const ProcessResult r = run_bpfvm(
        {"run", in_source("public/examples/tcp_ca_reno.o"), "--host", in_source("examples/tcp_ca_flow.json")});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.starts_with("TCP flow through bpf_reno: 215 member calls, "));
    CHECK(r.out.find("\n  step              time_us  snd_cwnd  snd_ssthresh  ca_state  in_flight  calls\n"
                     "  start                   0        10            40  Open             10  \n"
                     "  round 1             10000        20            40  Open             20  cong_avoid x10\n"
                     "  round 2             20000        40            40  Open             40  cong_avoid x20\n"
                     "  round 3             30000        41            40  Open             41  cong_avoid x40\n") !=
          std::string::npos);
    CHECK(r.out.find("  fast_retransmit     50000        43            21  Recovery         43  ssthresh\n") !=
          std::string::npos);
    CHECK(r.out.ends_with("  end                130000        13            11  Open             13  \n"));

    const ProcessResult j = run_bpfvm({"run", in_source("public/examples/tcp_ca_reno.o"), "--host",
                                       in_source("examples/tcp_ca_flow.json"), "--json"});
    CHECK(j.exit_code == 0);
    auto doc = bpfplay::parse_json(j.out);
    REQUIRE(doc.ok());
    CHECK(doc->find("ca")->as_string() == "bpf_reno");
    const bpfplay::JsonValue& rows = *doc->find("rows");
    REQUIRE(rows.size() == 17);  // start, 13 rounds, two losses, end
    CHECK(rows.at(2)->find("snd_cwnd")->as_uint64() == 40u);
    CHECK(rows.at(6)->find("ca_state")->as_string() == "Recovery");
    CHECK(rows.at(1)->find("calls")->find("cong_avoid")->as_uint64() == 10u);
}
