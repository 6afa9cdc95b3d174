// bpfvm debug prog.o: the gdb-like REPL driven with batches of commands on stdin (and --batch),
// over the bundled examples with packets from examples/cases.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

// examples/cases/xdp_drop_port.json "tcp4_to_blocked_port" (XDP_DROP).
const char* const kTcpTo8080 = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f900"
                               "00003e8000000005002ffffdc270000";
// examples/cases/bpf2bpf_calls.json "udp_ephemeral_drop".
const char* const kUdpTo60000 = "02000000000202000000000108004500002100014000401126c90a0000010a0000020035ea6000"
                                "0da5697265706c79";
// examples/cases/xdp_proto_count.json "mixed_protocols", its first packet (TCP).
const char* const kTcpPacket = "02000000000202000000000108004500002800014000400626cd0a0000010a00000200010050000"
                               "003e8000000005002ffff97a70000";

ProcessResult debug(const char* object, const char* packet, const std::string& commands,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"debug", example_object(object), "--packet-hex", packet};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_bpfvm(args, commands);
}

const char* const kDropPortStart = "Program xdp_drop_port (58 instructions), stopped before its first instruction.\n"
                                   "./examples/xdp_drop_port.c:31: void *data_end = (void *)(long)ctx->data_end;\n"
                                   "=> 0: r2 = *(u32 *)(r1 + 4)\n";

} // namespace

TEST_CASE("debug: stepping, registers, x/ and print on xdp_drop_port") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080,
                   "si\nsi 3\ninfo registers\nx/16xb r10-16\nx/2xg r1\nx/4dw r1\nx/3uh r1+12\n"
                   "p r10-16\np r2 - r1\np 0 - 1\nn\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == std::string(kDropPortStart) +
                       "./examples/xdp_drop_port.c:30: void *data = (void *)(long)ctx->data;\n"
                       "=> 1: r1 = *(u32 *)(r1 + 0)\n"
                       "./examples/xdp_drop_port.c:38: if ((void *)(eth + 1) > data_end)\n"
                       "=> 4: w0 = 2\n"
                       "r0    0x0                                   0                    0\n"
                       "r1    0x200000000                  8589934592           8589934592  packet+0\n"
                       "r2    0x200000036                  8589934646           8589934646  packet end (data_end, packet+54)\n"
                       "r3  * 0x20000000e                  8589934606           8589934606  packet+14\n"
                       "r4    0x0                                   0                    0\n"
                       "r5    0x0                                   0                    0\n"
                       "r6    0x0                                   0                    0\n"
                       "r7    0x0                                   0                    0\n"
                       "r8    0x0                                   0                    0\n"
                       "r9    0x0                                   0                    0\n"
                       "r10   0x800000200                 34359738880          34359738880  fp+0 (frame 0)\n"
                       "0x8000001f0 <fp-16>:\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\n"
                       "0x8000001f8 <fp-8>:\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\n"
                       "0x200000000 <packet+0>:\t0x0002020000000002\t0x0045000801000000\n"
                       "0x200000000 <packet+0>:\t2\t131584\t16777216\t4521992\n"
                       "0x20000000c <packet+12>:\t8\t69\t10240\n"
                       "$1 = 34359738864 (0x8000001f0) <fp-16>\n"
                       "$2 = 54 (0x36)\n"
                       "$3 = 18446744073709551615 (0xffffffffffffffff, -1)\n"
                       "./examples/xdp_drop_port.c:41: if (eth->h_proto == bpf_htons(ETH_P_IP)) {\n"
                       "=> 6: r5 = *(u8 *)(r1 + 12)\n");
}

TEST_CASE("debug: a breakpoint, disas around it, and the exit with its return value") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "break 55\nc\np r1 == r2\ndisas\nc\nsi\nmaps\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == std::string(kDropPortStart) +
                       "Breakpoint 1 at pc 55: ./examples/xdp_drop_port.c:81\n"
                       "Breakpoint 1, pc 55 in xdp_drop_port\n"
                       "./examples/xdp_drop_port.c:81: if (bpf_ntohs(dport) == blocked_port)\n"
                       "=> 55: if w1 == w2 goto +1\n"
                       "$1 = 1 (0x1)\n"
                       "   50: r1 = *(u16 *)(r3 + 2)\n"
                       "   51: r2 = map_value(0, 0) ll\n"
                       "   53: r2 = *(u16 *)(r2 + 0)\n"
                       "   54: r1 = be16 r1\n"
                       "=> 55: if w1 == w2 goto +1\n"
                       "   56: w0 = 2\n"
                       "   57: exit\n"
                       "Program exited with r0 = 1 (XDP_DROP) after 47 instructions\n"
                       "The program is not running: it exited with r0 = 1 (XDP_DROP). 'run' starts it again.\n"
                       "map xdp_drop.rodata (array map \"xdp_drop.rodata\"): 1 entry\n"
                       "  0x00000000 => { .blocked_port = 8080 }\n");
}

TEST_CASE("debug: cf runs to the exit unrecorded, past a breakpoint, and reverse execution stops there") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "break 55\nsi\ncf\nrsi\nc\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == std::string(kDropPortStart) +
                       "Breakpoint 1 at pc 55: ./examples/xdp_drop_port.c:81\n"
                       "./examples/xdp_drop_port.c:30: void *data = (void *)(long)ctx->data;\n"
                       "=> 1: r1 = *(u32 *)(r1 + 0)\n"
                       // The same exit as a recorded continue's (the breakpoint test above), without
                       // stopping at pc 55.
                       "Program exited with r0 = 1 (XDP_DROP) after 47 instructions\n"
                       "Ran unrecorded (breakpoints and watchpoints passed by): reverse execution stops here.\n"
                       "No more reverse-execution history (at instruction 47).\n"
                       "The program is not running: it exited with r0 = 1 (XDP_DROP). 'run' starts it again.\n");
    r = debug("xdp_drop_port.o", kTcpTo8080, "cf\n", {"--json"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("\"fast\":true") != std::string::npos);
}

TEST_CASE("debug: map commands from user space (bpf(2)'s), a refused one on stderr") {
    auto r = debug("xdp_proto_count.o", kTcpPacket,
                   "map update proto_stats 06000000 05000000000000004000000000000000\n"
                   "map lookup_batch proto_stats 4\nmap lookup proto_stats 0600\nmap pop proto_stats\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("update: 0\n"
                     "lookup_batch: -ENOENT (no such entry; or the end of the walk)\n"
                     "count: 1  out_batch: 20000000\n"
                     "key: 06 00 00 00  value: 05 00 00 00 00 00 00 00 40 00 00 00 00 00 00 00\n"
                     // A hash map's pop: BPF_MAP_LOOKUP_AND_DELETE_ELEM with a NULL key (__bpf_copy_key).
                     "pop: -EINVAL (the flags, the key or the value are not valid for this map)\n") != std::string::npos);
    CHECK(r.err.find("KEY is 2 bytes; map proto_stats takes 4") != std::string::npos);
}

TEST_CASE("debug: a budget fault, then back through the history, trace, hits, goto") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "c\nrsi\nrsi 2\nhits 2\ntrace 3\ninfo journal\ngoto 3\nrc\nrsi\n",
                   {"--budget", "10"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    const std::string journal = "executed 8 instructions; history starts at instruction 0; journal ";
    const size_t at = r.out.find(journal);
    REQUIRE(at != std::string::npos);
    const std::string out = r.out.substr(0, at) + r.out.substr(r.out.find('\n', at) + 1); // byte counts may change
    CHECK(out == std::string(kDropPortStart) +
                     "Program faulted at pc 10: the program ran 10 instructions without exiting (the instruction "
                     "budget). Is there a loop that never ends? The budget can be raised.\n"
                     "./examples/xdp_drop_port.c:41: if (eth->h_proto == bpf_htons(ETH_P_IP)) {\n"
                     "=> 10: if w4 == 56710 goto +20\n"
                     "./examples/xdp_drop_port.c:41: if (eth->h_proto == bpf_htons(ETH_P_IP)) {\n"
                     "=> 10: if w4 == 56710 goto +20\n"
                     "./examples/xdp_drop_port.c:41: if (eth->h_proto == bpf_htons(ETH_P_IP)) {\n"
                     "=> 8: w4 <<= 8\n"
                     "       1x  0: r2 = *(u32 *)(r1 + 4)\n"
                     "       1x  1: r1 = *(u32 *)(r1 + 0)\n"
                     "     5     5  if r3 > r2 goto +51\n"
                     "     6     6  r5 = *(u8 *)(r1 + 12)    ; r5=0x8\n"
                     "     7     7  r4 = *(u8 *)(r1 + 13)\n"
                     "./examples/xdp_drop_port.c:38: if ((void *)(eth + 1) > data_end)\n"
                     "=> 3: r3 += 14\n"
                     "No more reverse-execution history (at instruction 0).\n"
                     "./examples/xdp_drop_port.c:31: void *data_end = (void *)(long)ctx->data_end;\n"
                     "=> 0: r2 = *(u32 *)(r1 + 4)\n"
                     "No more reverse-execution history (at instruction 0).\n"
                     "./examples/xdp_drop_port.c:31: void *data_end = (void *)(long)ctx->data_end;\n"
                     "=> 0: r2 = *(u32 *)(r1 + 4)\n");
}

TEST_CASE("debug: bpf-to-bpf calls: break on a function, bt, finish, ni over a call, reverse-nexti") {
    auto r = debug("bpf2bpf_calls.o", kUdpTo60000,
                   "break describe\nc\nbt\nx/4xw r1\nfinish\nbt\nfinish\nni 3\nni\nrni\nrsi\nbt\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "\"finish\" not meaningful in the outermost frame.\nUse 'continue' to run to the end.\n");
    CHECK(r.out == "Program xdp_bpf2bpf (82 instructions), stopped before its first instruction.\n"
                   "./examples/bpf2bpf_calls.c:72: void *data_end = (void *)(long)ctx->data_end;\n"
                   "=> 0: r5 = *(u32 *)(r1 + 4)\n"
                   "Breakpoint 1 at pc 58: ./examples/bpf2bpf_calls.c:52\n"
                   "Breakpoint 1, pc 58 in describe\n"
                   "./examples/bpf2bpf_calls.c:52: info->sport = sport;\n"
                   "=> 58: *(u16 *)(r1 + 4) = r3\n"
                   "#0  describe at pc 58, ./examples/bpf2bpf_calls.c:52\n"
                   "#1  xdp_bpf2bpf at pc 41, ./examples/bpf2bpf_calls.c:101\n"
                   "0x8000001f0 <fp-16 (frame 0)>:\t0x00000000\t0x00000000\t0x00000000\t0x00000000\n"
                   "Run till exit from describe\n"
                   "Value returned: r0 = 3 (0x3)\n"
                   "./examples/bpf2bpf_calls.c:101: cls = describe(&info, ip->protocol, sport, dport, data_end - data);\n"
                   "=> 42: w7 = w0\n"
                   "#0  xdp_bpf2bpf at pc 42, ./examples/bpf2bpf_calls.c:101\n"
                   "./examples/bpf2bpf_calls.c:102: action = verdict(&info, cls);\n"
                   "=> 45: call pc+27\n"
                   "./examples/bpf2bpf_calls.c:105: last_class = cls;\n"
                   "=> 46: r1 = map_value(0, 12) ll\n"
                   "./examples/bpf2bpf_calls.c:102: action = verdict(&info, cls);\n"
                   "=> 45: call pc+27\n"
                   "./examples/bpf2bpf_calls.c:102: action = verdict(&info, cls);\n"
                   "=> 44: w2 = w7\n"
                   "#0  xdp_bpf2bpf at pc 44, ./examples/bpf2bpf_calls.c:102\n");
}

TEST_CASE("debug: line breakpoints with conditions, disable, delete, info breakpoints") {
    auto r = debug("bpf2bpf_calls.o", kUdpTo60000,
                   "break bpf2bpf_calls.c:45\nbreak line 40 if r1 > 70000\ninfo breakpoints\nc\nlist\nbt\np r1\n"
                   "disable 1\nrc\nenable 1\ndelete 2\ndelete 7\nbreak *68 if r1 == 60000\ninfo breakpoints\n"
                   "run\nc\nc\nc\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "No breakpoint or watchpoint number 7.\n");
    CHECK(r.out == "Program xdp_bpf2bpf (82 instructions), stopped before its first instruction.\n"
                   "./examples/bpf2bpf_calls.c:72: void *data_end = (void *)(long)ctx->data_end;\n"
                   "=> 0: r5 = *(u32 *)(r1 + 4)\n"
                   "Breakpoint 1 at ./examples/bpf2bpf_calls.c:45: pc 72\n"
                   "Breakpoint 2 at ./examples/bpf2bpf_calls.c:40: pc 68 if r1 > 70000\n"
                   "Num  Type        Enb  Hits  Where\n"
                   "1    breakpoint  y       0  pc 72 (./examples/bpf2bpf_calls.c:45)\n"
                   "2    breakpoint  y       0  pc 68 (./examples/bpf2bpf_calls.c:40) if r1 > 70000\n"
                   "Breakpoint 1, pc 72 in port_class\n"
                   "./examples/bpf2bpf_calls.c:45: }\n"
                   "=> 72: exit\n"
                   "     36  static __noinline __u32 port_class(__u16 port)\n"
                   "     38  \tif (port == 0)\n"
                   "     40  \tif (port < 1024)\n"
                   "=>   45  }\n"
                   "     51  \tinfo->proto = proto;\n"
                   "     52  \tinfo->sport = sport;\n"
                   "     53  \tinfo->dport = dport;\n"
                   "     54  \tinfo->len = len;\n"
                   "     55  \treturn port_class(dport); // a call from a subprogram: one more frame\n"
                   "     61  \tif (info->proto == IPPROTO_UDP && cls == PORT_EPHEMERAL)\n"
                   "#0  port_class at pc 72, ./examples/bpf2bpf_calls.c:45\n"
                   "#1  describe at pc 63, ./examples/bpf2bpf_calls.c:55\n"
                   "#2  xdp_bpf2bpf at pc 41, ./examples/bpf2bpf_calls.c:101\n"
                   "$1 = 60000 (0xea60)\n"
                   "Disabled breakpoint 1.\n"
                   "No more reverse-execution history (at instruction 0).\n"
                   "./examples/bpf2bpf_calls.c:72: void *data_end = (void *)(long)ctx->data_end;\n"
                   "=> 0: r5 = *(u32 *)(r1 + 4)\n"
                   "Enabled breakpoint 1.\n"
                   "Deleted 2.\n"
                   "Breakpoint 3 at pc 68: ./examples/bpf2bpf_calls.c:40 if r1 == 60000\n"
                   "Num  Type        Enb  Hits  Where\n"
                   "1    breakpoint  y       1  pc 72 (./examples/bpf2bpf_calls.c:45)\n"
                   "3    breakpoint  y       0  pc 68 (./examples/bpf2bpf_calls.c:40) if r1 == 60000\n"
                   "Starting program xdp_bpf2bpf\n"
                   "./examples/bpf2bpf_calls.c:72: void *data_end = (void *)(long)ctx->data_end;\n"
                   "=> 0: r5 = *(u32 *)(r1 + 4)\n"
                   "Breakpoint 3, pc 68 in port_class\n"
                   "./examples/bpf2bpf_calls.c:40: if (port < 1024)\n"
                   "=> 68: if w1 < 1024 goto +3\n"
                   "Breakpoint 1, pc 72 in port_class\n"
                   "./examples/bpf2bpf_calls.c:45: }\n"
                   "=> 72: exit\n"
                   "Program exited with r0 = 1 (XDP_DROP) after 69 instructions\n");
}

TEST_CASE("debug: a map watchpoint stops where the entry appears and changes; maps marks changes") {
    auto r = debug("xdp_proto_count.o", kTcpPacket,
                   "watch map proto_stats 06000000\nc\nmaps\nc\nmaps\nc\nrc\nwatch map nosuch 00\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "there is no map \"nosuch\"\n");
    CHECK(r.out == "Program xdp_proto_count (53 instructions), stopped before its first instruction.\n"
                   "./examples/xdp_proto_count.c:33: void *data = (void *)(long)ctx->data;\n"
                   "=> 0: r8 = *(u32 *)(r1 + 0)\n"
                   "Watchpoint 1: map proto_stats key 0x06000000\n"
                   "Watchpoint 1 (map proto_stats key 0x06000000): (no entry) -> { .packets = 0, .bytes = 0 }\n"
                   "./examples/xdp_proto_count.c:66: stats = bpf_map_lookup_elem(&proto_stats, &proto);\n"
                   "=> 42: r1 = map_fd(0) ll\n"
                   "map proto_stats (hash map \"proto_stats\"): 1 entry (changed)\n"
                   "* 6 => { .packets = 0, .bytes = 0 }\n"
                   "Watchpoint 1 (map proto_stats key 0x06000000): { .packets = 0, .bytes = 0 } -> { .packets = 1, .bytes = 0 }\n"
                   "./examples/xdp_proto_count.c:72: __sync_fetch_and_add(&stats->bytes, len);\n"
                   "=> 50: lock *(u64 *)(r0 + 8) += r7\n"
                   "map proto_stats (hash map \"proto_stats\"): 1 entry (changed)\n"
                   "* 6 => { .packets = 1, .bytes = 0 }\n"
                   "Watchpoint 1 (map proto_stats key 0x06000000): { .packets = 1, .bytes = 0 } -> { .packets = 1, .bytes = 54 }\n"
                   "./examples/xdp_proto_count.c:74: }\n"
                   "=> 51: w0 = 2\n"
                   "Watchpoint 1 (map proto_stats key 0x06000000): { .packets = 1, .bytes = 54 } -> { .packets = 1, .bytes = 0 }\n"
                   "./examples/xdp_proto_count.c:72: __sync_fetch_and_add(&stats->bytes, len);\n"
                   "=> 50: lock *(u64 *)(r0 + 8) += r7\n");
}

TEST_CASE("debug: stack and packet watchpoints report old -> new") {
    auto r = debug("bpf2bpf_calls.o", kUdpTo60000, "watch fp-16 4\nwatch packet[12:14]\nwatch *r10-12 2\nc\nc\nc\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == "Program xdp_bpf2bpf (82 instructions), stopped before its first instruction.\n"
                   "./examples/bpf2bpf_calls.c:72: void *data_end = (void *)(long)ctx->data_end;\n"
                   "=> 0: r5 = *(u32 *)(r1 + 4)\n"
                   "Watchpoint 1: fp-16 of frame 0 (4 bytes)\n"
                   "Watchpoint 2: packet[12..14)\n"
                   "Watchpoint 3: *0x8000001f4 (2 bytes)\n"
                   "Watchpoint 3 (*0x8000001f4 (2 bytes)): 0x0 (0) -> 0x35 (53)\n"
                   "./examples/bpf2bpf_calls.c:51: info->proto = proto;\n"
                   "=> 59: *(u8 *)(r1 + 8) = r2\n"
                   "Watchpoint 1 (fp-16 of frame 0 (4 bytes)): 0x0 (0) -> 0x2f (47)\n"
                   "./examples/bpf2bpf_calls.c:53: info->dport = dport;\n"
                   "=> 61: *(u16 *)(r1 + 6) = r4\n"
                   "Program exited with r0 = 1 (XDP_DROP) after 69 instructions\n");
}

TEST_CASE("debug: bad commands, expressions and maps report and the session goes on") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080,
                   "frob\np r1 +\nx/4q r1\nx/4xb r0\nwatch map nosuch 00\nsi 0\ngoto\nbreak 999\nsi\nquit\nsi\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "Undefined command: \"frob\".\n"
                   "Try \"help\".\n"
                   "in \"r1 +\": the expression ends early\n"
                   "Write conditions like r1 == 0x800 or r2 > 10 && r3 != 0.\n"
                   "x: unknown letter 'q' in '/4q'\n"
                   "Formats: x (hex), d (signed), u (unsigned); sizes: b h w g (1 2 4 8 bytes).\n"
                   "Cannot access memory at address 0x0 (4 bytes)\n"
                   "there is no map \"nosuch\"\n"
                   "stepi takes a positive count, not '0'\n"
                   "goto takes an instruction count: goto 12\n"
                   "there is no instruction 999 (the program has 58)\n");
    CHECK(r.out == std::string(kDropPortStart) + "./examples/xdp_drop_port.c:30: void *data = (void *)(long)ctx->data;\n"
                                                 "=> 1: r1 = *(u32 *)(r1 + 0)\n");
}

TEST_CASE("debug: --json answers every command with one JSON line") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "si\np r10-16\nbogus\nx/2xb r2-54\nbreak 55\nc\nmaps\nc\n", {"--json"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    std::vector<bpfplay::JsonValue> lines;
    size_t start = 0;
    for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
        auto doc = bpfplay::parse_json(std::string_view(r.out).substr(start, nl - start));
        REQUIRE(doc.ok());
        lines.push_back(*doc);
    }
    CHECK(start == r.out.size());
    REQUIRE(lines.size() == 9);
    CHECK(lines[0].get("command").as_string() == "start");
    CHECK(lines[0].get("state").get("pc").as_uint64() == 0u);
    CHECK(lines[1].get("command").as_string() == "si");
    CHECK(lines[1].get("stop").get("reason").as_string() == "step");
    CHECK(lines[1].get("state").get("pc").as_uint64() == 1u);
    CHECK(lines[2].get("value").as_string() == "0x8000001f0");
    CHECK(lines[2].get("points_to").as_string() == "fp-16");
    CHECK(lines[3].get("error").get("what").as_string() == "Undefined command: \"bogus\".");
    CHECK(lines[4].get("address").as_string() == "0x200000000");
    REQUIRE(lines[4].get("values").items().size() == 2);
    CHECK(lines[4].get("values").items()[0].as_string() == "0x02");
    CHECK(lines[5].get("id").as_uint64() == 1u);
    CHECK(lines[6].get("stop").get("reason").as_string() == "breakpoint");
    CHECK(lines[6].get("stop").get("id").as_uint64() == 1u);
    CHECK(lines[6].get("state").get("pc").as_uint64() == 55u);
    CHECK(lines[7].get("maps").items()[0].get("name").as_string() == "xdp_drop.rodata");
    CHECK(lines[8].get("stop").get("reason").as_string() == "exit");
    CHECK(lines[8].get("state").get("return_name").as_string() == "XDP_DROP");
}

TEST_CASE("debug: --batch FILE, no prompt without a terminal, and load errors") {
    TempFile batch("# a comment\n\nsi\n  ni  \n", ".gdb");
    auto r = run_bpfvm({"debug", example_object("xdp_drop_port.o"), "--packet-hex", kTcpTo8080, "--batch", batch.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    CHECK(r.out == std::string(kDropPortStart) + "./examples/xdp_drop_port.c:30: void *data = (void *)(long)ctx->data;\n"
                                                 "=> 1: r1 = *(u32 *)(r1 + 0)\n"
                                                 "./examples/xdp_drop_port.c:38: if ((void *)(eth + 1) > data_end)\n"
                                                 "=> 2: r3 = r1\n");
    CHECK(r.out.find("(bpfdb)") == std::string::npos);

    r = run_bpfvm({"debug", example_object("xdp_drop_port.o"), "--program", "nope"});
    CHECK(r.exit_code == 1);
    CHECK(r.out == "");
    CHECK(r.err == "bpfvm: no program \"nope\" in " + example_object("xdp_drop_port.o") +
                       "; its programs: xdp_drop_port\n");
    r = run_bpfvm({"debug", example_object("xdp_drop_port.o"), "--program", "nope", "--json"});
    CHECK(r.exit_code == 1);
    auto doc = bpfplay::parse_json(r.out);
    REQUIRE(doc.ok());
    CHECK(doc->get("error").get("kind").as_string() == "load");
    r = run_bpfvm({"debug", example_object("xdp_drop_port.o"), "--repeat", "2"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "bpfvm: debug: unknown option '--repeat'\nTry 'bpfvm --help'.\n");
}

TEST_CASE("debug: host lists what the emulated kernel did, and what became of the packet at exit") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "host\nc\nhost\n");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("(no host events yet)\n") != std::string::npos);
    CHECK(r.out.find("insn 47, pc 57: exit: XDP_DROP: the packet is dropped\n") != std::string::npos);
    r = debug("xdp_drop_port.o", kTcpTo8080, "c\nhost\n", {"--json"});
    CHECK(r.out.find(R"("host_events":[{"executed":47,"pc":57,"helper":"exit","text":"XDP_DROP: the packet is dropped"}])") !=
          std::string::npos);
}

TEST_CASE("debug: timer goes on with the armed timer's callback; reset restarts the callback") {
    // examples/cases/xdp_timer.json "one_packet": a UDP packet arms the timer.
    const char* const kUdp = "02000000000202000000000108004500003200014000401126b80a0000010a00000200010035001e"
                             "7d187878787878787878787878787878787878787878";
    auto r = debug("xdp_timer.o", kUdp, "timer\nc\ntimer\nsi\nreset\np r0\ntimer\nc\np r0\ntimer\n");
    CHECK(r.exit_code == 0);
    // Before the program ran: no timer. After it: the callback at insn 44 runs and returns 0;
    // after that nothing is armed any more.
    CHECK(r.err.find("no BPF timer is armed") == 0);
    CHECK(r.out.find("timer callback at insn 44 (array map \"timers\"): stopped before its first instruction "
                     "(pc 44).\n") != std::string::npos);
    CHECK(r.err.find("no BPF timer is armed", 10) != std::string::npos);
}

TEST_CASE("debug: explain the current instruction with its values, or any instruction in words") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "si 3\nexplain\nexplain 54\nexplain 99\ninfo registers r0 r3\ni r fp\ni r r11\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "explain takes an instruction index below 58\n"
                   "info registers takes register names r0..r10 (or fp), not 'r11'\n");
    CHECK(r.out == std::string(kDropPortStart) +
                       "./examples/xdp_drop_port.c:38: if ((void *)(eth + 1) > data_end)\n"
                       "=> 3: r3 += 14\n"
                       "3: r3 += 14\n"
                       "  Add 14 to r3.\n"
                       "  Now: r3 was packet+0, becomes packet+14.\n"
                       "54: r1 = be16 r1\n"
                       "  Reverse the order of the low 2 bytes of r1 (host order to big-endian network order, as htons/htonl do).\n"
                       "  The upper 48 bits of r1 become 0.\n"
                       "  (Values are shown for the current instruction only.)\n"
                       "r0    0x0                                   0                    0\n"
                       "r3  * 0x200000000                  8589934592           8589934592  packet+0\n"
                       "r10   0x800000200                 34359738880          34359738880  fp+0 (frame 0)\n");

    // --json: the same explanation as the page reads it (core's explain_json).
    r = debug("xdp_drop_port.o", kTcpTo8080, "explain 3\n", {"--json"});
    CHECK(r.exit_code == 0);
    const std::string second = r.out.substr(r.out.find('\n') + 1);
    CHECK(second == R"x({"command":"explain 3","explain":{"ok":true,"pc":3,"text":"r3 += 14","class":"alu64",)x"
                    R"x("summary":"add 14 to r3","details":[],"values":"","valid":true,"helper_id":0,"current":false,)x"
                    R"x("helper":null}})x" "\n");
}

TEST_CASE("debug: list again goes on after the last line shown, as gdb's does; a step centres it again") {
    auto r = debug("xdp_drop_port.o", kTcpTo8080, "list\nlist\nlist\nsi\nlist\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err == "no code comes from lines after 84 of ./examples/xdp_drop_port.c\n"
                   "(list LINE shows the lines around LINE.)\n");
    const std::string first_ten = "     30  \tvoid *data = (void *)(long)ctx->data;\n"
                                  "=>   31  \tvoid *data_end = (void *)(long)ctx->data_end;\n"
                                  "     38  \tif ((void *)(eth + 1) > data_end)\n"
                                  "     41  \tif (eth->h_proto == bpf_htons(ETH_P_IP)) {\n"
                                  "     44  \t\tif ((void *)(ip + 1) > data_end)\n"
                                  "     46  \t\tif (ip->ihl < 5)\n"
                                  "     49  \t\tif (ip->frag_off & bpf_htons(IP_FRAG_OFFSET))\n"
                                  "     51  \t\tproto = ip->protocol;\n"
                                  "     52  \t\tl4 = (void *)ip + ip->ihl * 4; // IPv4 options make the header longer "
                                  "than 20 bytes\n"
                                  "     56  \t\tif ((void *)(ip6 + 1) > data_end)\n";
    std::string after_step = first_ten;
    after_step.replace(after_step.find("=>   31"), 7, "     31");
    after_step.replace(after_step.find("     30"), 7, "=>   30");
    CHECK(r.out == std::string(kDropPortStart) + first_ten +
                       "     58  \t\tproto = ip6->nexthdr; // extension headers are not followed, to keep this short\n"
                       "     65  \tif (proto == IPPROTO_TCP) {\n"
                       "     68  \t\tif ((void *)(tcp + 1) > data_end)\n"
                       "     74  \t\tif ((void *)(udp + 1) > data_end)\n"
                       "     81  \tif (bpf_ntohs(dport) == blocked_port)\n"
                       "     84  }\n"
                       "./examples/xdp_drop_port.c:30: void *data = (void *)(long)ctx->data;\n"
                       "=> 1: r1 = *(u32 *)(r1 + 0)\n" +
                       after_step);
}
