// bpfvm run prog.o: compiled objects on packets, against the kernel's results in examples/cases.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;
using bpfplay::JsonValue;

namespace {

const char* const kTcpTo8080 = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f900"
                               "00003e8000000005002ffffdc270000";
const char* const kTcpTo80 = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c400050000"
                             "003e8000000005002fffffb670000";
const char* const kFrame64 =
    "02000000000202000000000108004500003200014000401126b80a0000010a00000200010002001ebe7f"
    "78787878787878787878787878787878787878787878";
const char* const kRunt54 = "02000000000202000000000108004500002800014000400626cd0a0000010a000002000100020000"
                            "03e8000000005002ffff97f50000";

JsonValue parse(const std::string& text) {
    auto doc = bpfplay::parse_json(text);
    REQUIRE_MESSAGE(doc.ok(), text);
    return *doc;
}

JsonValue load_cases(const char* example) {
    std::string text =
        read_whole_file(std::string(BPFPLAY_SOURCE_DIR) + "/examples/cases/" + example + ".json");
    REQUIRE(!text.empty());
    return parse(text);
}

// The maps of a --json result as the case files hold them: name -> [{"key": hex, "value": hex}].
std::vector<std::pair<std::string, std::string>> map_hex(const JsonValue& map_entries) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const JsonValue& e : map_entries.items()) {
        if (e.contains("key_hex"))
            out.emplace_back(e.get("key_hex").as_string(), e.get("value_hex").as_string());
        else
            out.emplace_back(e.get("key").as_string(), e.get("value").as_string());
    }
    return out;
}

} // namespace

TEST_CASE("a TCP packet to port 8080 is dropped and one to port 80 passes") {
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo8080});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == "program xdp_drop_port\n"
                   "return 0x1 (1) XDP_DROP\n"
                   "47 instructions executed\n"
                   "host: pc 57: exit: XDP_DROP: the packet is dropped\n"
                   "map xdp_drop.rodata (array map \"xdp_drop.rodata\"): 1 entry\n"
                   "  0x00000000 => { .blocked_port = 8080 }\n");
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out ==
          "program xdp_drop_port\n"
          "return 0x2 (2) XDP_PASS\n"
          "48 instructions executed\n"
          "host: pc 57: exit: XDP_PASS: the packet is passed up to the network stack on lo (ifindex 1)\n"
          "map xdp_drop.rodata (array map \"xdp_drop.rodata\"): 1 entry\n"
          "  0x00000000 => { .blocked_port = 8080 }\n");
}

TEST_CASE("--scenario plays exec and exit events through bootstrap.c's programs, in order") {
    auto r = run_bpfvm({"run", example_object("bootstrap.o"), "--scenario", "default"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out.starts_with("event 1 at 1000000000 ns: exec: pid 4243 (ls) runs /usr/bin/ls\n"
                            "  handle_exec: return 0 (60 instructions)\n"
                            "  rb: record of 168 bytes => 93100000"));
    // The opens and the scheduler's events run none of bootstrap.c's programs.
    CHECK(r.out.find("event 3 at 1001200120 ns: open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3\n"
                     "event 4 at 1001500120 ns: open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13\n"
                     "event 5 at 1002000120 ns: switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs\n"
                     "event 6 at 1002500120 ns: wakeup: pid 4244 (cat) wakes pid 4243 (ls)\n"
                     "event 7 at 1003000120 ns: switch: pid 4244 (cat) is preempted (R), pid 4243 (ls) runs\n"
                     "event 8 at 1003500120 ns: exit: pid 4243 (ls) with status 0\n") != std::string::npos);
    CHECK(r.out.find("event 9 at 1004000192 ns: exit: pid 4244 (cat) with status 1\n  handle_exit: return 0") !=
          std::string::npos);
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--scenario", "default"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.starts_with("bpfvm: no program of the object is attached to the scenario's events"));
}

TEST_CASE("--scenario through an opensnoop: its openat tracepoints run at each open, one record each") {
    auto r = run_bpfvm({"run", std::string(BPFPLAY_SOURCE_DIR) + "/tests/run/bpf/opensnoop.o", "--scenario", "default"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out.starts_with("event 1 at 1000000000 ns: exec: pid 4243 (ls) runs /usr/bin/ls\n"
                            "event 2 at 1001000000 ns: exec: pid 4244 (cat) runs /usr/bin/cat\n"
                            "event 3 at 1001200000 ns: open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3\n"
                            "  openat_entry: return 0 (18 instructions)\n"
                            "  openat_exit: return 0 (49 instructions)\n"
                            // ts, pid and tid 4243, uid 1000, ret 3, flags O_CLOEXEC, mode 0, "ls", the path
                            "  events: record of 112 bytes => a219ad3b000000009310000093100000e80300000300000000000800000000006c73"
                            "00000000000000000000000000002f6574632f6c642e736f2e636163686500"));
    CHECK(r.out.find("event 4 at 1001500067 ns: open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13\n"
                     "  openat_entry: return 0 (18 instructions)\n"
                     "  openat_exit: return 0 (49 instructions)\n"
                     "  events: record of 112 bytes => c5adb13b000000009410000094100000e8030000f3ffffff") != std::string::npos);
}

TEST_CASE("a program that rewrites the packet: bpfvm run shows the packet out, changed bytes marked, headers decoded") {
    auto r = run_bpfvm({"run", example_object("tc_nat_rewrite.o"), "--packet-hex", kTcpTo80});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("packet out: 54 bytes, 10 changed (at 24-25, 30-33, 36-37, 50-51):\n") != std::string::npos);
    CHECK(r.out.ends_with("  Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 10.0.0.1 > 192.168.1.7, TCP 40000 > 8080\n"));
    // A program that leaves the packet as it was prints no packet.
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80});
    CHECK(r.out.find("packet out") == std::string::npos);
}

TEST_CASE("--json prints exactly one object with the run's results") {
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo8080, "--json"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    REQUIRE(r.out.ends_with("}\n"));
    CHECK(r.out.find('\n') == r.out.size() - 1);
    JsonValue j = parse(r.out);
    CHECK(j.get("program").as_string() == "xdp_drop_port");
    CHECK(j.get("return").as_uint64() == 1u);
    CHECK(j.get("return_name").as_string() == "XDP_DROP");
    CHECK(j.get("instructions").as_uint64() == 47u);
    CHECK(j.get("printk").is_array());
    CHECK(j.get("printk").size() == 0);
    CHECK(j.get("packet_out").as_string() == kTcpTo8080);
    CHECK(j.get("runs").as_uint64() == 1u);
    CHECK(j.get("returns").dump() == "[1]");
    CHECK_FALSE(j.contains("error"));
    REQUIRE(j.get("maps").is_object());
    const JsonValue& rodata = j.get("maps").get("xdp_drop.rodata");
    REQUIRE(rodata.size() == 1);
    CHECK(rodata.at(0)->get("value").dump() == "{\"blocked_port\":8080}");
    CHECK(rodata.at(0)->get("value_hex").as_string() == "901f");
}

TEST_CASE("every case of xdp_drop_port global_vars and tc_classifier gives the kernel's results") {
    for (const char* example : {"xdp_drop_port", "global_vars", "tc_classifier"}) {
        JsonValue cases = load_cases(example);
        const std::string object = std::string(BPFPLAY_SOURCE_DIR) + "/" + cases.get("object").as_string();
        for (const JsonValue& c : cases.get("cases").items()) {
            CAPTURE(example);
            CAPTURE(c.get("name").as_string());
            std::vector<std::string> args{"run",          object,
                                          "--program",    c.get("program").as_string(),
                                          "--packet-hex", c.get("packet").as_string(),
                                          "--json"};
            args.insert(args.end(), {"--repeat", c.get("repeat").number_text()});
            if (c.contains("ctx")) args.insert(args.end(), {"--ctx", c.get("ctx").as_string()});
            std::unique_ptr<TempFile> init;
            if (c.contains("map_init")) {
                init = std::make_unique<TempFile>(c.get("map_init").dump(), ".json");
                args.insert(args.end(), {"--map-init", init->path()});
            }
            auto r = run_bpfvm(args);
            const JsonValue& kernel = c.get("kernel");
            CHECK(r.exit_code == 0);
            CHECK(r.err == "");
            JsonValue j = parse(r.out);
            CHECK(j.get("return").as_uint64() == kernel.get("return").as_uint64());
            CHECK(j.get("returns").dump() == kernel.get("returns").dump());
            CHECK(j.get("runs").as_uint64() == kernel.get("runs").as_uint64());
            CHECK(j.get("packet_out").as_string() == kernel.get("packet_out").as_string());
            for (size_t m = 0; m < kernel.get("maps").size(); ++m) {
                const std::string& name = kernel.get("maps").keys()[m];
                CAPTURE(name);
                CHECK(map_hex(j.get("maps").get(name)) == map_hex(kernel.get("maps").items()[m]));
            }
            if (kernel.contains("ctx_out")) {
                // skb->mark and skb->priority (bytes 8-11 and 32-35), which the classifier writes.
                const std::string& want = kernel.get("ctx_out").as_string();
                const std::string& got = j.get("ctx_out").as_string();
                REQUIRE(got.size() >= 72);
                CHECK(got.substr(16, 8) == want.substr(16, 8));
                CHECK(got.substr(64, 8) == want.substr(64, 8));
            }
        }
    }
}

TEST_CASE("--repeat 3 runs on the same maps and lists every return value") {
    auto r = run_bpfvm({"run", example_object("global_vars.o"), "--packet-hex", kFrame64, "--repeat", "3"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    // The counters of examples/cases/global_vars.json "three_runs": packets_seen 100 -> 103,
    // bytes_seen 3 * 64.
    CHECK(r.out ==
          "3 runs; return values: XDP_PASS XDP_PASS XDP_PASS\n"
          "program xdp_global_vars\n"
          "return 0x2 (2) XDP_PASS\n"
          "31 instructions executed\n"
          "host: pc 55: exit: XDP_PASS: the packet is passed up to the network stack on lo (ifindex 1)\n"
          "map global_v.rodata (array map \"global_v.rodata\"): 1 entry\n"
          "  0x00000000 => { .min_len = 60, .max_len = 1514 }\n"
          "map global_v.data (array map \"global_v.data\"): 1 entry\n"
          "  0x00000000 => { .packets_seen = 103, .last_verdict = \"pass\" }\n"
          "map global_v.bss (array map \"global_v.bss\"): 1 entry\n"
          "  0x00000000 => { .bytes_seen = 192, .last_len = 64, .runts = 0 }\n"
          "map .rodata.str1.1 (array map \".rodata.str1.1\"): 1 entry\n"
          "  0x00000000 => 0x64726f70007061737300\n");
    r = run_bpfvm({"run", example_object("global_vars.o"), "--packet-hex", kFrame64, "--repeat=3", "--json"});
    JsonValue j = parse(r.out);
    CHECK(j.get("returns").dump() == "[2,2,2]");
    CHECK(j.get("runs").as_uint64() == 3u);
    CHECK(j.get("maps").get("global_v.data").at(0)->get("value_hex").as_string() ==
          "67000000000000007061737300000000");
    CHECK(j.get("maps").get("global_v.bss").at(0)->get("value_hex").as_string() ==
          "c0000000000000004000000000000000");
}

TEST_CASE("many equal return values are counted instead of listed") {
    auto r = run_bpfvm({"run", example_object("global_vars.o"), "--packet-hex", kRunt54, "--repeat", "1000"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("1000 runs; return values: XDP_DROP x1000\nprogram xdp_global_vars\n"));
    CHECK(r.out.find(".packets_seen = 1100,") != std::string::npos);
}

TEST_CASE("--packet reads hex from a file with whitespace anywhere and comments") {
    std::string hex = "# TCP/IPv4 to port 8080\n";
    const std::string packet = kTcpTo8080;
    for (size_t k = 0; k < packet.size(); k += 7)
        hex += packet.substr(k, 7) + (k % 2 ? "\n" : " \t "); // bytes split across lines
    TempFile f(hex, ".hex");
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet", f.path(), "--json"});
    CHECK(r.exit_code == 0);
    JsonValue j = parse(r.out);
    CHECK(j.get("return_name").as_string() == "XDP_DROP");
    CHECK(j.get("packet_out").as_string() == packet);
}

TEST_CASE("--cpu picks the CPU a per-CPU map counts on") {
    auto r = run_bpfvm(
        {"run", example_object("xdp_percpu_stats.o"), "--packet-hex", kTcpTo80, "--cpu", "2", "--json"});
    CHECK(r.exit_code == 0);
    JsonValue j = parse(r.out);
    const JsonValue& stats = *j.get("maps").get("stats").at(0);
    REQUIRE(stats.get("values").size() == 4);
    CHECK(stats.get("values").at(0)->get("rx_packets").as_uint64() == 0u);
    CHECK(stats.get("values").at(2)->get("rx_packets").as_uint64() == 1u);
}

TEST_CASE("an object with many programs: the first one no prog_array holds and a note") {
    const std::string object = example_object("xdp_tail_call.o");
    auto r = run_bpfvm({"run", object, "--packet-hex", kTcpTo80, "--json"});
    CHECK(r.exit_code == 0);
    CHECK(
        r.err ==
        "bpfvm: note: " + object +
            " has 4 programs (handle_tcp, handle_udp, handle_icmp, xdp_dispatcher); running xdp_dispatcher, "
            "the first one no prog_array holds (choose with --program NAME)\n");
    JsonValue j = parse(r.out);
    CHECK(j.get("program").as_string() == "xdp_dispatcher");
    CHECK(j.get("tail_calls").as_uint64() == 1u);
    r = run_bpfvm({"run", object, "--packet-hex", kTcpTo80, "--program", "handle_udp", "--json"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(parse(r.out).get("program").as_string() == "handle_udp");
}

TEST_CASE("a fault: the error on stderr and exit 1 or an error object with --json") {
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80, "--budget", "5"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err ==
          "bpfvm: insn 5: the program ran 5 instructions without exiting (the instruction budget). Is "
          "there a loop that never ends? The budget can be raised.\n"
          "5 instructions executed\n");
    r = run_bpfvm(
        {"run", example_object("global_vars.o"), "--packet-hex", kFrame64, "--budget", "5", "--repeat", "2"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.starts_with("bpfvm: run 1 of 2: insn "));
    r = run_bpfvm(
        {"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80, "--budget", "5", "--json"});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "");
    JsonValue j = parse(r.out);
    CHECK(j.get("error").get("kind").as_string() == "budget");
    CHECK(j.get("error").get("message").as_string().starts_with("insn 5: the program ran 5 instructions"));
    CHECK_FALSE(j.contains("return"));
    CHECK(j.get("returns").dump() == "[]");
}

TEST_CASE("--time-limit is for the whole command: runs after it has passed are not started") {
    // A million runs take longer than a millisecond anywhere; which run finds the limit passed
    // depends on the machine, what is said does not.
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80, "--repeat", "1000000",
                        "--time-limit", "0.001"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err.starts_with("bpfvm: run "));
    CHECK(r.err.find(" of 1000000: insn 0: the run was not started: the wall-clock time limit of 0.001 s had "
                     "passed. Is there a loop that never ends, or a helper called very often? The time limit can "
                     "be raised.\n0 instructions executed\n") != std::string::npos);
}

TEST_CASE("trace_printk output is part of the result") {
    auto r = run_bpfvm({"run", example_object("trace_printk.o"), "--packet-hex", kTcpTo80, "--json"});
    CHECK(r.exit_code == 0);
    JsonValue j = parse(r.out);
    CHECK(j.get("printk").dump() == "[\"len=54 ethertype=0x0800 first=E\",\"ipv4 10.0.0.1 -> 10.0.0.2 "
                                    "ttl=64\",\"[   54] [tcp   ] [beef]\"]");
    r = run_bpfvm({"run", example_object("trace_printk.o"), "--packet-hex", kTcpTo80});
    CHECK(r.out.find("\nprintk: ipv4 10.0.0.1 -> 10.0.0.2 ttl=64\n") != std::string::npos);
}

TEST_CASE("--trace on an object: each instruction before it runs (a tail call's target named), then the same report") {
    auto plain = run_bpfvm({"run", example_object("trace_printk.o"), "--packet-hex", kTcpTo80});
    auto traced = run_bpfvm({"run", example_object("trace_printk.o"), "--packet-hex", kTcpTo80, "--trace"});
    CHECK(traced.exit_code == 0);
    CHECK(traced.err == "");
    CHECK(traced.out.starts_with("       0:\tr8 = *(u32 *)(r1 + 4)\n       1:\tr7 = *(u32 *)(r1 + 0)\n"));
    // The traced steps are undone: the run reports as without --trace (the same printk, once).
    CHECK(traced.out.ends_with(plain.out));
    CHECK(traced.out.find("program xdp_trace_printk") == traced.out.rfind("program xdp_trace_printk"));

    auto tail = run_bpfvm({"run", example_object("xdp_tail_call.o"), "--packet-hex", kTcpTo80, "--trace"});
    CHECK(tail.exit_code == 0);
    CHECK(tail.out.find("\n<handle_tcp>:\n       0:\t") != std::string::npos);
}

TEST_CASE("--host sets the device the packet arrives on, in the report and the JSON") {
    TempFile host(R"({"ingress_ifindex": 2})", ".json");
    auto r = run_bpfvm(
        {"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80, "--host", host.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out.find("host: pc 57: exit: XDP_PASS: the packet is passed up to the network stack on eth0 "
                     "(ifindex 2)\n") != std::string::npos);
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo80, "--host", host.path(),
                   "--json"});
    CHECK(
        parse(r.out).get("host_events").dump() ==
        R"j([{"executed":48,"pc":57,"helper":"exit","text":"XDP_PASS: the packet is passed up to the network stack )j"
        R"j(on eth0 (ifindex 2)"}])j");
    TempFile bad(R"({"ingress_ifindex": 9})", ".json");
    r = run_bpfvm({"debug", example_object("xdp_drop_port.o"), "--host", bad.path()});
    CHECK(r.exit_code == 1);
    CHECK(r.err ==
          "bpfvm: " + bad.path() + ": host JSON: ingress_ifindex: the host has no device with ifindex 9\n");
}
