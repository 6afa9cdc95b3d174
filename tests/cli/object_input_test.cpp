// bpfvm run prog.o: packets from pcap files and map contents from --map-init.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

const char* const kTcpTo8080 = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f900"
                               "00003e8000000005002ffffdc270000";
const char* const kTcpTo80 = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c400050000"
                             "003e8000000005002fffffb670000";
const char* const kRunt54 = "02000000000202000000000108004500002800014000400626cd0a0000010a000002000100020000"
                            "03e8000000005002ffff97f50000";

std::string bytes_of(const std::string& hex) {
    std::string out;
    for (size_t k = 0; k + 1 < hex.size(); k += 2)
        out += char(std::stoi(hex.substr(k, 2), nullptr, 16));
    return out;
}

void put32(std::string& out, uint32_t v, bool big_endian) {
    for (int k = 0; k < 4; ++k)
        out += char(big_endian ? v >> (24 - 8 * k) : v >> (8 * k));
}

void put16(std::string& out, uint16_t v, bool big_endian) {
    out += char(big_endian ? v >> 8 : v);
    out += char(big_endian ? v : v >> 8);
}

// A classic pcap file holding the frames.
std::string pcap(const std::vector<std::string>& frames, bool big_endian = false, uint32_t magic = 0xa1b2c3d4,
                 uint32_t link = 1) {
    std::string out;
    put32(out, magic, big_endian);
    put16(out, 2, big_endian);
    put16(out, 4, big_endian);
    put32(out, 0, big_endian);     // thiszone
    put32(out, 0, big_endian);     // sigfigs
    put32(out, 65535, big_endian); // snaplen
    put32(out, link, big_endian);
    for (const std::string& hex : frames) {
        std::string frame = bytes_of(hex);
        put32(out, 1700000000, big_endian);
        put32(out, 123, big_endian);
        put32(out, uint32_t(frame.size()), big_endian);
        put32(out, uint32_t(frame.size()), big_endian);
        out += frame;
    }
    return out;
}

std::string drop_port(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"run", example_object("xdp_drop_port.o")};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_bpfvm(args).out;
}

// "N runs, last NAME" from run --json: how many packets ran and the last one's verdict.
std::string return_names(const std::string& json_out) {
    auto doc = bpfplay::parse_json(json_out);
    REQUIRE_MESSAGE(doc.ok(), json_out);
    return std::to_string(doc->get("runs").as_int64().value_or(-1)) + " runs, last " + doc->get("return_name").as_string();
}

} // namespace

TEST_CASE("--pcap runs every packet of a capture in either byte order and timestamp precision") {
    struct Case {
        bool big_endian;
        uint32_t magic;
    };
    for (Case c :
         {Case{false, 0xa1b2c3d4}, Case{true, 0xa1b2c3d4}, Case{false, 0xa1b23c4d}, Case{true, 0xa1b23c4d}}) {
        CAPTURE(c.big_endian);
        CAPTURE(c.magic);
        TempFile pass_last(pcap({kTcpTo8080, kTcpTo80}, c.big_endian, c.magic), ".pcap");
        TempFile drop_last(pcap({kTcpTo80, kTcpTo8080}, c.big_endian, c.magic), ".pcap");
        CHECK(return_names(drop_port({"--pcap", pass_last.path(), "--json"})) == "2 runs, last XDP_PASS");
        CHECK(return_names(drop_port({"--pcap", drop_last.path(), "--json"})) == "2 runs, last XDP_DROP");
    }
}

TEST_CASE("--pcap runs each packet and prints every return value; debug says it debugs the first") {
    TempFile f(pcap({kTcpTo8080, kTcpTo80, kTcpTo80}), ".pcap");
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", f.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("3 runs; return values: XDP_DROP XDP_PASS XDP_PASS\nprogram xdp_drop_port\n"
                            "return 0x2 (2) XDP_PASS\n"));
    CHECK(r.err == "");
    // --all-packets, once needed for this, is still accepted and changes nothing.
    CHECK(run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", f.path(), "--all-packets"}).out == r.out);
    r = run_bpfvm({"debug", example_object("xdp_drop_port.o"), "--pcap", f.path()}, "q\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "bpfvm: note: " + f.path() + " has 3 packets; debugging the first (bpfvm run runs each)\n");
    TempFile one(pcap({kTcpTo80}), ".pcap");
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", one.path()});
    CHECK(r.out.starts_with("program xdp_drop_port\nreturn 0x2 (2) XDP_PASS\n"));
    CHECK(r.err == "");
}

TEST_CASE("no packet for a program that reads one: run and debug say it gets a 0-byte packet") {
    const std::string note = "bpfvm: note: no packet given (--packet HEXFILE, --packet-hex HEX or --pcap FILE); "
                             "xdp_drop_port runs on a 0-byte packet\n";
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("program xdp_drop_port\nreturn 0x2 (2) XDP_PASS\n"));
    CHECK(r.err == note);
    r = run_bpfvm({"debug", example_object("xdp_drop_port.o")}, "q\n");
    CHECK(r.err == note);
    // A program that reads no packet needs none: no note.
    CHECK(run_bpfvm({"run", example_object("kprobe_regs.o")}).err == "");
}

TEST_CASE("--all-packets runs every packet of the capture and --repeat runs the sequence again") {
    TempFile f(pcap({kTcpTo8080, kTcpTo80}), ".pcap");
    auto r = run_bpfvm(
        {"run", example_object("xdp_drop_port.o"), "--pcap", f.path(), "--all-packets", "--repeat", "2"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with(
        "4 runs; return values: XDP_DROP XDP_PASS XDP_DROP XDP_PASS\nprogram xdp_drop_port\n"
        "return 0x2 (2) XDP_PASS\n"));
    r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", f.path(), "--all-packets", "--repeat",
                   "500001"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err == "bpfvm: 2 packets 500001 times is 1000002 runs, more than the 1000000 bpfvm allows\n");
}

TEST_CASE("a bad capture file is a one-line error and exit 1") {
    const std::string good = pcap({kTcpTo8080});
    TempFile truncated(good.substr(0, good.size() - 10), ".pcap");
    TempFile header_only(good.substr(0, 30), ".pcap");
    TempFile short_header(good.substr(0, 10), ".pcap");
    TempFile no_packets(good.substr(0, 24), ".pcap");
    TempFile cooked(pcap({kTcpTo8080}, false, 0xa1b2c3d4, 113), ".pcap");
    TempFile pcapng(bytes_of("0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000"), ".pcapng");
    TempFile text("hello, world\n", ".pcap");
    std::string huge = good.substr(0, 24);
    put32(huge, 0, false);
    put32(huge, 0, false);
    put32(huge, 0x7fffffff, false);
    put32(huge, 0x7fffffff, false);
    TempFile too_big(huge, ".pcap");
    struct Case {
        const TempFile* file;
        std::string message;
    };
    const Case cases[] = {
        {&truncated, "truncated: packet 1 at offset 40 needs 54 bytes, the file has 44 left"},
        {&header_only, "truncated: packet 1's 16-byte record header at offset 24 has only 6 bytes"},
        {&short_header, "truncated: the file header needs 24 bytes, the file has 10"},
        {&no_packets, "the capture holds no packets"},
        {&cooked, "link type 113 (Linux cooked (SLL)) is not Ethernet (1); XDP and tc programs see Ethernet "
                  "frames (capture on an Ethernet interface, e.g. tcpdump -i eth0 -w FILE, not -i any)"},
        {&pcapng,
         "this is a pcapng file; bpfvm reads classic pcap files (convert it: editcap -F pcap IN.pcapng "
         "OUT.pcap, or tcpdump -r IN.pcapng -w OUT.pcap)"},
        {&text, "not a pcap file: magic number 0x68656c6c is none of a1b2c3d4, d4c3b2a1, a1b23c4d, 4d3cb2a1"},
        {&too_big,
         "packet 1 claims 2147483647 bytes, more than the 262144 any capture holds (a corrupt file?)"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.message);
        auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", c.file->path()});
        CHECK(r.exit_code == 1);
        CHECK(r.out == "");
        CHECK(r.err == "bpfvm: " + c.file->path() + ": " + c.message + "\n");
    }
    auto r = run_bpfvm({"run", example_object("xdp_drop_port.o"), "--pcap", "/nonexistent/x.pcap"});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "bpfvm: cannot open /nonexistent/x.pcap: No such file or directory\n");
}

TEST_CASE("--map-init sets .rodata before load and .data after it as the kernel case does") {
    // examples/cases/global_vars.json "rodata_and_data_set": min_len 0, packets_seen 1000.
    TempFile init(R"({"global_v.rodata": [{"key": "00000000", "value": "00000000ea050000"}],
                      "global_v.data": [{"key": "00000000", "value": "e8030000000000006e6f6e6500000000"}]})",
                  ".json");
    auto r = run_bpfvm(
        {"run", example_object("global_vars.o"), "--packet-hex", kRunt54, "--map-init", init.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out ==
          "program xdp_global_vars\n"
          "return 0x2 (2) XDP_PASS\n"
          "31 instructions executed\n"
          "host: pc 55: exit: XDP_PASS: the packet is passed up to the network stack on lo (ifindex 1)\n"
          "map global_v.rodata (array map \"global_v.rodata\"): 1 entry\n"
          "  0x00000000 => { .min_len = 0, .max_len = 1514 }\n"
          "map global_v.data (array map \"global_v.data\"): 1 entry\n"
          "  0x00000000 => { .packets_seen = 1001, .last_verdict = \"pass\" }\n"
          "map global_v.bss (array map \"global_v.bss\"): 1 entry\n"
          "  0x00000000 => { .bytes_seen = 54, .last_len = 54, .runts = 0 }\n"
          "map .rodata.str1.1 (array map \".rodata.str1.1\"): 1 entry\n"
          "  0x00000000 => 0x64726f70007061737300\n");
}

TEST_CASE("--map-init fills per-CPU maps and prog_array slots and maps of maps") {
    const std::string zeros(64, '0');
    TempFile percpu(R"({"stats": [{"key": "00000000", "values": ["0a)" + zeros.substr(2) + R"(", ")" + zeros +
                        R"(", ")" + zeros + R"(", "07)" + zeros.substr(2) + R"("]}]})",
                    ".json");
    auto r = run_bpfvm({"run", example_object("xdp_percpu_stats.o"), "--packet-hex", kTcpTo80, "--map-init",
                        percpu.path(), "--json"});
    CHECK(r.exit_code == 0);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    const bpfplay::JsonValue& values = j->get("maps").get("stats").at(0)->get("values");
    CHECK(values.at(0)->get("rx_packets").as_uint64() == 11u); // 10, and this run
    CHECK(values.at(3)->get("rx_packets").as_uint64() == 7u);

    // Slot 6 (TCP) now holds handle_udp, whose counter is hits[1].
    TempFile jump(R"({"jmp_table": [{"key": "06000000", "program": "handle_udp"}]})", ".json");
    r = run_bpfvm({"run", example_object("xdp_tail_call.o"), "--program", "xdp_dispatcher", "--packet-hex",
                   kTcpTo80, "--map-init", jump.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("map hits (array map \"hits\"): 4 entries\n  0 => 0\n  1 => 1\n") != std::string::npos);

    TempFile inner(R"({"by_version": [{"key": "00000000", "map": "v6_counts"}]})", ".json");
    r = run_bpfvm({"run", example_object("xdp_map_in_map.o"), "--packet-hex", kTcpTo80, "--map-init",
                   inner.path(), "--json"});
    CHECK(r.exit_code == 0);
    j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK(j->get("maps").get("v4_counts").size() == 0);
    CHECK(j->get("maps").get("v6_counts").size() == 1);
}

TEST_CASE("--map-init errors name the file the map and the entry") {
    const std::string zeros(64, '0');
    struct Case {
        std::string json;
        std::string message;
        const char* object = "xdp_drop_port.o";
    };
    const Case cases[] = {
        {R"({"nope": []})", "no map \"nope\" in the object (its maps: \"xdp_drop.rodata\")"},
        {R"({"xdp_drop.rodata": [{"key": "00", "value": "5000"}]})",
         "map \"xdp_drop.rodata\" entry [0]: key has 1 byte; the map's key_size is 4"},
        {R"({"xdp_drop.rodata": [{"key": "00000000", "value": "500000"}]})",
         "map \"xdp_drop.rodata\" entry [0]: value has 3 bytes; the map's value_size is 2"},
        {R"({"xdp_drop.rodata": [{"key": "01000000", "value": "5000"}]})",
         "map \"xdp_drop.rodata\" entry [0]: global data has one entry, key 00000000 (01000000 is out of "
         "range)"},
        {R"({"xdp_drop.rodata": [{"key": "00000000", "value": "5g00"}]})",
         "map \"xdp_drop.rodata\" entry [0]: value: 'g' at character 2 is not a hex digit (write bytes as "
         "pairs of "
         "hex digits, e.g. \"02 00 00 00 00 02\" or \"020000000002\")"},
        {R"({"xdp_drop.rodata": [{"key": "00000000"}]})",
         "map \"xdp_drop.rodata\" entry [0]: give exactly one of \"value\", \"values\" (per-CPU maps), "
         "\"program\" "
         "(prog_array) or \"map\" (maps of maps)"},
        {R"({"xdp_drop.rodata": [{"key": "00000000", "valeu": "5000"}]})",
         "map \"xdp_drop.rodata\" entry [0]: unknown member \"valeu\" (an entry has \"key\" and one of "
         "\"value\", "
         "\"values\", \"program\", \"map\")"},
        {R"({"xdp_drop.rodata": {"key": "00000000"}})",
         "map \"xdp_drop.rodata\": must be an array of entries like {\"key\": \"hex\", \"value\": \"hex\"}, "
         "not object"},
        {R"([1, 2])", "must be a JSON object {\"map name\": [entries...]}, not array"},
        {R"({"xdp_drop.rodata": [],})",
         "line 1: column 24: expected a key after ',', found '}' (trailing commas are "
         "not allowed)"},
        {R"({"stats": [{"key": "00000000", "value": "00"}]})",
         "map \"stats\" entry [0]: the map is per-CPU: give \"values\", one hex value for each of its 4 CPUs",
         "xdp_percpu_stats.o"},
        {R"({"stats": [{"key": "00000000", "values": [")" + zeros + R"("]}]})",
         "map \"stats\" entry [0]: \"values\" has 1 value; the map is per-CPU with 4 CPUs",
         "xdp_percpu_stats.o"},
        {R"({"hits": [{"key": "09000000", "value": "0100000000000000"}]})",
         "map \"hits\" entry [0]: update failed: -E2BIG (the keys of this array are 0 to 3)",
         "xdp_tail_call.o"},
        {R"({"jmp_table": [{"key": "06000000", "program": "nope"}]})",
         "map \"jmp_table\" entry [0]: no program \"nope\" in the object (its programs: handle_tcp, "
         "handle_udp, "
         "handle_icmp, xdp_dispatcher)",
         "xdp_tail_call.o"},
        {R"({"hits": [{"key": "00000000", "program": "handle_tcp"}]})",
         "map \"hits\" entry [0]: \"program\" is for prog_array maps, not array maps", "xdp_tail_call.o"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.json);
        TempFile init(c.json, ".json");
        auto r = run_bpfvm({"run", example_object(c.object), "--program",
                            std::string(c.object) == "xdp_tail_call.o" ? "xdp_dispatcher" : "", "--map-init",
                            init.path()});
        CHECK(r.exit_code == 1);
        CHECK(r.out == "");
        CHECK(r.err == "bpfvm: " + init.path() + ": " + c.message + "\n");
    }
}

TEST_CASE("run: a fentry program's context by argument name; --arg sets one, an unknown name lists them") {
    const std::string obj = example_object("fentry_unlink.o");
    auto r = run_bpfvm({"run", obj, "--program", "unlink_exit", "--arg", "ret=-2", "--arg", "dfd=0x10"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.starts_with("program unlink_exit\ncontext (do_unlinkat's arguments):\n  dfd = 16 (int)\n  name = 0x"));
    CHECK(r.out.find(" (struct filename *)\n  ret = -2 (int)\nreturn 0x0 (0)\n") != std::string::npos);
    CHECK(r.out.find("printk: fexit: pid = 4242, filename = /tmp/test_file, ret = -2\n") != std::string::npos);

    auto bad = run_bpfvm({"run", obj, "--program", "unlink_exit", "--arg", "rett=1"});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err == "bpfvm: --arg: no argument \"rett\" in the context of do_unlinkat; its arguments: dfd, name, ret\n");
    auto value = run_bpfvm({"run", obj, "--arg", "ret=zz"});
    CHECK(value.exit_code == 2);
    CHECK(value.err.starts_with("bpfvm: run: --arg takes NAME=VALUE (a decimal, negative or 0x number, or NULL; a "
                                "tracepoint record's string in double quotes), not 'ret=zz'\n"));
    auto tc = run_bpfvm({"run", example_object("tc_classifier.o"), "--arg", "x=1"});
    CHECK(tc.exit_code == 1);
    CHECK(tc.err.find("takes no arguments by name; only fentry, fexit, fmod_ret, lsm, tp_btf, raw_tp, kprobe, "
                      "kretprobe and tracepoint programs do") != std::string::npos);
}

TEST_CASE("run: a tracepoint's record by field name; --arg sets a field or an array element") {
    const std::string obj = std::string(BPFPLAY_SOURCE_DIR) + "/tests/run/bpf/tracepoint_records.o";
    auto r = run_bpfvm({"run", obj, "--program", "switch_pids", "--arg", "prev_pid=7", "--arg", "next_comm[0]=65"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.starts_with(
        "program switch_pids\ncontext (sched/sched_switch's record):\n  common_type = 372 (unsigned short)\n"
        "  common_flags = 0 (unsigned char)\n  common_preempt_count = 0 (unsigned char)\n  common_pid = 4242 (int)\n"
        "  prev_comm = \"bpfplay-demo\" (char[16])\n  prev_pid = 7 (pid_t)\n  prev_prio = 0 (int)\n"
        "  prev_state = 0 (long)\n  next_comm = \"Apfplay-demo\" (char[16])\n  next_pid = 4242 (pid_t)\n"
        "  next_prio = 0 (int)\nreturn 0x1b99 (7065)\n"));

    auto curl = run_bpfvm({"run", obj, "--program", "exec_filename", "--arg", "filename=\"/usr/bin/curl\""});
    REQUIRE(curl.exit_code == 0);
    CHECK(curl.out.find("  filename = \"/usr/bin/curl\" (14 bytes at 42) (__data_loc char[])\n") != std::string::npos);
    CHECK(curl.out.find("printk: exec /usr/bin/curl pid 4242 old 4242\n") != std::string::npos);
    auto text_name = run_bpfvm({"run", obj, "--program", "exec_filename", "--arg", "file=\"x\""});
    CHECK(text_name.exit_code == 1);
    CHECK(text_name.err == "bpfvm: --arg: no field \"file\" in the context of sched/sched_process_exec; its fields: "
                           "common_type, common_flags, common_preempt_count, common_pid, filename, pid, old_pid\n");

    auto bad = run_bpfvm({"run", obj, "--program", "irq_entry", "--arg", "irqq=1"});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err == "bpfvm: --arg: no field \"irqq\" in the context of irq/irq_handler_entry; its fields: "
                     "common_type, common_flags, common_preempt_count, common_pid, irq, name\n");
    auto missing = run_bpfvm({"run", obj, "--program", "no_event"});
    CHECK(missing.exit_code != 0);
    CHECK(missing.err.find("no tracepoint \"sched/sched_no_such_event\" in the emulated Linux 6.18 kernel (2323 "
                           "events)") != std::string::npos);
}

TEST_CASE("run: a kprobe's pt_regs by argument name: the registers the prototype puts them in") {
    const std::string obj = example_object("task_core.o");  // kprobe/do_sys_openat2
    auto r = run_bpfvm({"run", obj, "--arg", "dfd=-100"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("context (do_sys_openat2's arguments):\n  dfd = -100 (int, in di)\n  filename = NULL (const char "
                     "*, in si)\n  how = NULL (struct open_how *, in dx)\n") != std::string::npos);
    auto bad = run_bpfvm({"run", obj, "--arg", "x=1"});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err == "bpfvm: --arg: no argument \"x\" in the context of do_sys_openat2; its arguments: dfd in di, "
                     "filename in si, how in dx\n");
}
