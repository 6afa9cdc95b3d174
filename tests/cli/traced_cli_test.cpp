// bpfvm run on xdp_dump.o (examples/xdp_dump.c): an fentry/fexit on a BPF program says what it
// traces, --traced chooses, and the context lines show the traced program's struct xdp_buff.
#include <doctest/doctest.h>

#include <string>

#include "process.hpp"

using namespace bpfplay::test;

namespace {

const char* const kTcp =
    "02000000000202000000000108004500003200014000400626c30a0000010a00000204d20050000003e800000000"
    "5002ffffd75e0000627066706c6179210d0a";

}  // namespace

TEST_CASE("run: fexit/func traces the object's only XDP program, which runs first and gives ret") {
    auto r = run_bpfvm({"run", example_object("xdp_dump.o"), "--program", "dump_exit", "--packet-hex", kTcp});
    CHECK(r.exit_code == 0);
    CHECK(r.err ==
          "bpfvm: note: dump_exit attaches to \"func\", no kernel function: it traces xdp_ttl_guard, the object's "
          "only program of type xdp, whose kernel context is a struct xdp_buff (choose another with --traced PROGRAM "
          "or --traced TYPE)\n");
    CHECK(r.out.find("context (xdp_ttl_guard's arguments):\n  ctx = 0x") != std::string::npos);
    CHECK(r.out.find(" (struct xdp_buff *)\n  ret = 2 (int)\n") != std::string::npos);
    CHECK(r.out.find("host: pc 0: trampoline: the traced program xdp_ttl_guard ran first on the packet and returned "
                     "2 (XDP_PASS): dump_exit's ret\n") != std::string::npos);
    CHECK(r.out.find("perf event: captures cpu 0 (insn 39, pc 42): 0x0100000000000000400040000100000002000000"
                     "02000000") != std::string::npos);
}

TEST_CASE("run --traced TYPE: no program runs first, ret is 0 unless --arg sets it; unknown names refused") {
    auto r = run_bpfvm({"run", example_object("xdp_dump.o"), "--program", "dump_exit", "--traced", "xdp",
                        "--packet-hex", kTcp});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "bpfvm: note: dump_exit traces a program of type xdp (--traced)\n"
                   "bpfvm: note: no program of the object runs first, so dump_exit's ret is 0 (set it with --arg "
                   "ret=N)\n");
    CHECK(r.out.find("context (the traced xdp program's arguments):\n") != std::string::npos);
    r = run_bpfvm({"run", example_object("xdp_dump.o"), "--program", "dump_exit", "--traced", "xdp", "--arg", "ret=1",
                   "--packet-hex", kTcp});
    CHECK(r.err == "bpfvm: note: dump_exit traces a program of type xdp (--traced)\n");
    CHECK(r.out.find("0100000000000000400040000100000001000000") != std::string::npos);
    r = run_bpfvm({"run", example_object("xdp_dump.o"), "--program", "dump_exit", "--traced", "kprobe"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("--traced: \"kprobe\" names no program of the object nor a type whose programs can be traced; "
                     "choose one of xdp, tc (sched_cls), sched_act, socket_filter, cgroup_skb, xdp_ttl_guard") !=
          std::string::npos);
}
