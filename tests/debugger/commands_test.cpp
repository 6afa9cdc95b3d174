// Each debugger command over bpf2bpf_calls.c (xdp_bpf2bpf -> describe -> port_class, then
// verdict), on a TCP packet to port 22. Instruction numbers are the linked program's:
//   37-41: w5 -= w1 ... call pc+16 (describe, at 58)   42: w7 = w0
//   45: call pc+27 (verdict, at 73)                     57: exit
//   63: call pc+1 (port_class, at 65)                   line 79: the Ethernet check (7-14)
#include <doctest/doctest.h>

#include "core/debugger/debug_json.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

Debugged ssh() {
    Debugged d = open_case(find_case("bpf2bpf_calls/tcp_ssh_pass"));
    REQUIRE_MESSAGE(d.session, d.error);
    return d;
}

}  // namespace

TEST_CASE("step, step over, step out across bpf-to-bpf calls") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    CHECK(s.pc() == 0);
    REQUIRE(s.add_breakpoint(41).ok());
    StopInfo stop = s.cont();
    CHECK(stop.reason == StopReason::Breakpoint);
    CHECK(s.pc() == 41);
    CHECK(s.executed() == 38);  // TCP path: 0-29, 33-40 (the jump at 29 skips the UDP check)
    CHECK(s.vm().reg(1) == Vm::frame_pointer(0) - 16);  // &info
    CHECK(s.vm().reg(4) == 22);                          // dport
    CHECK(s.vm().reg(2) == 6);                           // IPPROTO_TCP

    // step: into describe(), a new frame.
    stop = s.step();
    CHECK(stop.reason == StopReason::Step);
    CHECK(s.pc() == 58);
    CHECK(s.vm().depth() == 1);
    CHECK(s.vm().reg(10) == Vm::frame_pointer(1));
    DebugState st = s.state();
    REQUIRE(st.frames.size() == 2);
    CHECK(st.frames[0].function == "xdp_bpf2bpf");
    CHECK(st.frames[0].pc == 41);
    CHECK(st.frames[0].source.line == 101);
    CHECK(st.frames[1].function == "describe");
    CHECK(st.frames[1].source.line == 52);
    CHECK(st.regs[10].changed);
    CHECK(st.regs[10].points_to == "fp+0 (frame 1)");
    CHECK(st.regs[1].kind == ValueKind::StackPtr);
    CHECK(st.regs[1].points_to == "fp-16 (frame 0)");

    // step over the nested call to port_class: one command, back at depth 1.
    REQUIRE(s.goto_count(s.executed() + 5).reason == StopReason::Step);
    CHECK(s.pc() == 63);
    stop = s.step_over();
    CHECK(s.pc() == 64);
    CHECK(s.vm().depth() == 1);
    CHECK(stop.steps == 6);  // call, 65 w0 = 0, 66, 67, 68 (22 < 1024 jumps), 72 exit
    CHECK(s.vm().reg(0) == 1);  // PORT_WELL_KNOWN

    // step out of describe(): back in the caller after the call.
    stop = s.step_out();
    CHECK(s.pc() == 42);
    CHECK(s.vm().depth() == 0);
    CHECK(s.vm().reg(0) == 1);
    CHECK(stop.steps == 1);

    // The stack the callee wrote through the pointer: struct pkt_info at fp-16.
    st = s.state();
    const std::vector<uint8_t>& stack = st.frames[0].stack;
    REQUIRE(stack.size() == 512);
    // len 54 (u32: the whole frame), sport (u16), dport 22 (u16), proto 6.
    CHECK(stack[512 - 16] == 54);
    CHECK(stack[512 - 10] == 22);
    CHECK(stack[512 - 8] == 6);

    // continue to the end: XDP_PASS.
    stop = s.cont();
    CHECK(stop.reason == StopReason::Exited);
    st = s.state();
    CHECK(st.status == RunStatus::Exited);
    CHECK(st.r0 == 2);
    CHECK(st.return_name == "XDP_PASS");
}

TEST_CASE("step back over a whole call, and reverse continue to a breakpoint") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    REQUIRE(s.add_breakpoint(42).ok());
    REQUIRE(s.cont().reason == StopReason::Breakpoint);
    const uint64_t at_42 = s.executed();
    // Back over describe() (and port_class inside it) in one command: to the call insn.
    StopInfo stop = s.step_back_over();
    CHECK(s.pc() == 41);
    CHECK(s.vm().depth() == 0);
    CHECK(stop.steps == at_42 - s.executed());
    CHECK(s.executed() == 38);
    // Forward to the end, then reverse-continue: stops at the breakpoint at 42.
    REQUIRE(s.remove_breakpoint(1));
    REQUIRE(s.cont().reason == StopReason::Exited);
    const auto id = s.add_breakpoint(42);
    REQUIRE(id.ok());
    stop = s.reverse_cont();
    CHECK(stop.reason == StopReason::Breakpoint);
    CHECK(stop.id == id.value());
    CHECK(s.pc() == 42);
    CHECK(s.executed() == at_42);
    // And on back to the start.
    REQUIRE(s.remove_breakpoint(id.value()));
    stop = s.reverse_cont();
    CHECK(stop.reason == StopReason::HistoryStart);
    CHECK(s.executed() == 0);
    CHECK(s.pc() == 0);
}

TEST_CASE("source lines: step line, next line, line breakpoints, step back line") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    // pc 0 is line 72; the next line is 71 (pc 1), then 74 (pc 3), then 79 (pc 7).
    s.step_line();
    CHECK(s.pc() == 1);
    CHECK(s.state().source.line == 71);
    s.step_line();
    CHECK(s.pc() == 3);
    s.step_line();
    CHECK(s.pc() == 7);
    CHECK(s.state().source.text.find("eth + 1") != std::string::npos);

    // A breakpoint on line 102 (action = verdict(...)) stops at its first instruction.
    const auto bp = s.add_line_breakpoint(102, "bpf2bpf_calls.c");
    REQUIRE(bp.ok());
    CHECK(s.breakpoints().back().pc == 43);
    CHECK(s.cont().reason == StopReason::Breakpoint);
    CHECK(s.pc() == 43);
    // next line over verdict(): stays in this frame.
    s.next_line();
    CHECK(s.vm().depth() == 0);
    CHECK(s.state().source.line == 105);
    CHECK(s.pc() == 46);
    // back one line over the call: to the start of line 102's run (pc 43).
    s.step_back_line(/*over_calls=*/true);
    CHECK(s.pc() == 43);
    CHECK(s.state().source.line == 102);
    CHECK(s.vm().depth() == 0);
    // Forward again, then back one line into the call: verdict()'s last line (66, its exit).
    s.next_line();
    CHECK(s.pc() == 46);
    s.step_back_line();
    CHECK(s.vm().depth() == 1);
    CHECK(s.state().source.line == 66);
    CHECK(s.pc() == 81);

    // A line with no code is refused with a reason.
    const auto none = s.add_line_breakpoint(30);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().what.find("line 30") != std::string::npos);
}

TEST_CASE("conditional breakpoints evaluate register expressions") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    // port_class's first instruction, only when called with port 22.
    REQUIRE(s.add_breakpoint(65, "r1 == 23").ok());
    CHECK(s.cont().reason == StopReason::Exited);  // never true: runs to the end
    s.reset();
    CHECK(s.executed() == 0);
    REQUIRE(s.add_breakpoint(65, "r1 == 22 && r10 > 0x900000000").ok());
    const StopInfo stop = s.cont();
    CHECK(stop.reason == StopReason::Breakpoint);
    CHECK(s.pc() == 65);
    CHECK(s.vm().depth() == 2);
    CHECK(s.breakpoints()[1].hits == 1);
    CHECK(s.breakpoints()[0].hits == 0);
    // A bad expression is refused when the breakpoint is set.
    const auto bad = s.add_breakpoint(65, "r11 == 1");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().what.find("no register r11") != std::string::npos);
    CHECK(s.evaluate("r10 - 16").value() == Vm::frame_pointer(2) - 16);
    CHECK(s.evaluate("s(r1) < 0").value() == 0);
    CHECK(s.evaluate("(r1 & 0xff) << 2").value() == 88);
}

TEST_CASE("watchpoints on a stack slot, packet bytes and a map entry") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    // info.len at fp-16 of frame 0: first written (zeroed) at pc 5, then by describe() at 60.
    const auto w = s.add_stack_watch(-16, 4);
    REQUIRE(w.ok());
    StopInfo stop = s.cont();
    // pc 5 stores 0 over 0: the bytes do not change, so the first stop is describe()'s store.
    CHECK(stop.reason == StopReason::Watchpoint);
    CHECK(stop.id == w.value());
    CHECK(s.pc() == 61);  // stopped after the store at 60
    CHECK(s.vm().depth() == 1);
    CHECK(s.read_memory(Vm::frame_pointer(0) - 16, 4).value() == std::vector<uint8_t>{54, 0, 0, 0});
    // Back past the write: the watch fires going backward too.
    stop = s.reverse_cont();
    CHECK(stop.reason == StopReason::Watchpoint);
    CHECK(s.pc() == 60);
    REQUIRE(s.remove_watch(w.value()));

    // Global data is a map: watch .bss's last_class through its value address via the map.
    s.reset();
    const uint32_t zero = 0;
    const auto mw = s.add_map_watch("bpf2bpf_.bss", {reinterpret_cast<const uint8_t*>(&zero), 4});
    REQUIRE_MESSAGE(mw.ok(), (mw.ok() ? "" : mw.error().to_string()));
    stop = s.cont();
    CHECK(stop.reason == StopReason::Watchpoint);
    CHECK(s.pc() == 49);  // after `*(u32 *)(r1 + 0) = r7` stored last_class
    DebugState st = s.state();
    bool found = false;
    for (const MapView& m : st.maps)
        if (m.name == "bpf2bpf_.bss") {
            found = true;
            CHECK(m.changed);
            REQUIRE(m.entries.size() == 1);
            CHECK(m.entries[0].changed);
        }
    CHECK(found);

    // Packet bytes: this program never writes the packet, so the watch never fires.
    REQUIRE(s.remove_watch(mw.value()));
    s.reset();
    REQUIRE(s.add_packet_watch(12, 2).ok());
    CHECK(s.cont().reason == StopReason::Exited);
    CHECK_FALSE(s.add_packet_watch(4000, 2).ok());
}

TEST_CASE("register kinds in the state view") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    DebugState st = s.state();
    CHECK(st.regs[1].kind == ValueKind::ContextPtr);
    CHECK(st.regs[1].points_to == "ctx+0 (data)");
    CHECK(st.regs[10].kind == ValueKind::StackPtr);
    s.step();  // r5 = data_end
    st = s.state();
    CHECK(st.regs[5].kind == ValueKind::PacketEnd);
    CHECK(st.regs[5].changed);
    CHECK_FALSE(st.regs[1].changed);
    s.step();  // r1 = data
    st = s.state();
    CHECK(st.regs[1].kind == ValueKind::PacketPtr);
    CHECK(st.regs[1].points_to == "packet+0");
    REQUIRE(s.add_breakpoint(48).ok());  // just after `r1 = map_value(0, 12) ll`
    REQUIRE(s.cont().reason == StopReason::Breakpoint);
    st = s.state();
    bool saw_map_value = false;
    for (const RegisterView& r : st.regs)
        if (r.kind == ValueKind::MapValuePtr) {
            saw_map_value = true;
            CHECK(r.points_to.starts_with("map bpf2bpf_.bss"));
        }
    CHECK(saw_map_value);
    CHECK(st.regs[0].kind == ValueKind::Scalar);
}

TEST_CASE("trace and hit counts of a finished run") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    REQUIRE(s.cont().reason == StopReason::Exited);
    const uint64_t n = s.executed();
    const auto before = s.vm().regs();
    const std::vector<TraceRow> rows = s.trace();
    REQUIRE(rows.size() == n);
    CHECK(s.executed() == n);  // the session is back where it was
    CHECK(s.vm().regs() == before);
    CHECK(rows[0].pc == 0);
    REQUIRE(rows[0].changed.size() == 1);
    CHECK(rows[0].changed[0].first == 5);
    CHECK(rows[0].changed[0].second == window_base(window::kPacket) + 54);  // data_end
    CHECK(rows.back().pc == 57);
    const std::vector<uint64_t> hits = s.hit_counts();
    uint64_t total = 0;
    for (uint64_t h : hits) total += h;
    CHECK(total == n);
    CHECK(hits[0] == 1);
    CHECK(hits[30] == 0);  // the UDP branch
}

TEST_CASE("map edits between steps change the run; history restarts at the edit") {
    Debugged d = open_case(find_case("xdp_proto_count/mixed_protocols"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    const DebugState st0 = s.state();
    REQUIRE_FALSE(st0.maps.empty());
    s.step();
    s.step();
    CHECK(s.history_start() == 0);
    const Map* m = s.object().object().maps->get(0);
    std::vector<uint8_t> key(m->key_size(), 0), value(m->value_size(), 0);
    value[0] = 41;
    CHECK(s.update_map(m->name(), key, value) == 0);
    CHECK(s.history_start() == 2);
    CHECK(s.step_back().reason == StopReason::HistoryStart);
    CHECK(s.update_map("no_such_map", key, value) == -2);
}

}  // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("an entry a helper inserts is marked changed, in its map and in the view") {
    Debugged d = open_case(find_case("xdp_proto_count/mixed_protocols"));
    REQUIRE_MESSAGE(d.session, d.error);
    DebugSession& s = *d.session;
    const uint8_t tcp[4] = {6, 0, 0, 0};
    REQUIRE(s.add_map_watch("proto_stats", tcp).ok());
    const StopInfo stop = s.cont();
    REQUIRE(stop.reason == StopReason::Watchpoint);
    const DebugState st = s.state();
    const MapView* stats = nullptr;
    for (const MapView& m : st.maps)
        if (m.name == "proto_stats") stats = &m;
    REQUIRE(stats);
    CHECK(stats->changed);
    REQUIRE(stats->entries.size() == 1);
    CHECK(stats->entries[0].key == std::vector<uint8_t>(tcp, tcp + 4));
    CHECK(stats->entries[0].changed);
    // The step that inserted it was a helper call (bpf_map_update_elem).
    const uint32_t call_pc = s.journal().last_header().pc;
    CHECK(s.program().program.insns[call_pc].op == Op::CallHelper);
    // Stepping back removes it again.
    s.step_back();
    CHECK(s.object().object().maps->find("proto_stats")->count() == 0);
}

}  // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("hit counts as JSON: one number per instruction") {
    Debugged d = ssh();
    DebugSession& s = *d.session;
    s.step();
    s.step();
    const std::string j = hit_counts_json(s.hit_counts());
    CHECK(j.starts_with("[1,1,0,0,"));
    CHECK(j.ends_with("0]"));
    CHECK(hit_counts_json({}) == "[]");
}

}  // namespace bpfplay::testing
