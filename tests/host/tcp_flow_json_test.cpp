// The TCP flow script alone (the page's editor holds the host JSON's "tcp_flow" member):
// core's default written out, read back, and errors named as in a host document.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "core/host/tcp_flow_script.hpp"

using namespace bpfplay;

TEST_CASE("the default TCP flow: one step per line, read back as it was") {
    const std::string text = tcp_flow_script_json(default_tcp_flow());
    CHECK(text ==
          "{\n"
          "  \"rtt_us\": 10000,\n"
          "  \"ecn\": false,\n"
          "  \"steps\": [\n"
          "    {\"rounds\": 5, \"segments\": 1},\n"
          "    {\"loss\": \"fast_retransmit\"},\n"
          "    {\"rounds\": 2, \"segments\": 1},\n"
          "    {\"loss\": \"rto\"},\n"
          "    {\"rounds\": 6, \"segments\": 1}\n"
          "  ]\n"
          "}");
    auto back = tcp_flow_from_json(text);
    REQUIRE_MESSAGE(back.ok(), back.error().to_string());
    CHECK(*back == default_tcp_flow());
}

TEST_CASE("the default TCP flow is examples/tcp_ca_flow.json's script") {
    std::ifstream in(std::string(BPFPLAY_SOURCE_DIR) + "/examples/tcp_ca_flow.json");
    std::stringstream text;
    text << in.rdbuf();
    Host h;
    REQUIRE(apply_host_json(h, text.str()).ok());
    REQUIRE(h.tcp_flow);
    CHECK(*h.tcp_flow == default_tcp_flow());
}

TEST_CASE("a TCP flow script with ECN and a bottleneck; its errors name the member") {
    auto f = tcp_flow_from_json(R"({"rtt_us": 2000, "ecn": true, "bottleneck_per_rtt": 64,
                                    "steps": [{"acks": 3, "segments": 2, "ece": true}, {"undo": true}]})");
    REQUIRE_MESSAGE(f.ok(), f.error().to_string());
    CHECK(f->rtt_us == 2000);
    CHECK(f->ecn);
    CHECK(f->bottleneck_per_rtt == 64);
    CHECK(f->steps == std::vector<TcpFlowStep>{{TcpFlowStep::Kind::Acks, 3, 2, true}, {TcpFlowStep::Kind::Undo, 1, 1, false}});
    auto again = tcp_flow_from_json(tcp_flow_script_json(*f));
    REQUIRE(again.ok());
    CHECK(*again == *f);

    const auto error_of = [](std::string_view json) {
        auto r = tcp_flow_from_json(json);
        REQUIRE_FALSE(r.ok());
        return r.error().what;
    };
    CHECK(error_of(R"({"steps": [{"rounds": 2}, {"loss": "timeout"}]})") ==
          "host JSON: tcp_flow.steps[1].loss: expected \"fast_retransmit\" or \"rto\"");
    CHECK(error_of(R"({"rtt": 5})") ==
          "host JSON: tcp_flow: unknown member \"rtt\" (known: rtt_us, ecn, bottleneck_per_rtt, steps)");
    CHECK(error_of("{\"steps\": [").starts_with("host JSON: tcp_flow: "));
}
