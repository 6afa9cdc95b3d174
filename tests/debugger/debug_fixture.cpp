#include "debugger/debug_fixture.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>

#include "core/maps/map_set.hpp"

namespace bpfplay::testing {

Debugged open_case(const examples::ExampleCase& c, uint64_t budget) {
    Debugged d;
    bool loaded = false;
    d.object = examples::open_emulator_session(c, d.error, loaded);
    if (!d.object || !d.error.empty()) return d;
    RunInput in;
    if (!c.packets.empty()) in.packet = c.packets[0];
    in.ctx = c.ctx;
    in.budget = budget;
    auto s = DebugSession::open(*d.object, c.program, in);
    if (!s.ok()) {
        d.error = s.error().to_string();
        return d;
    }
    d.session = std::move(s).value();
    return d;
}

const examples::ExampleCase& find_case(const std::string& label) {
    static const examples::CaseFiles files = examples::load_case_files();
    for (const auto& c : files.cases)
        if (c.label() == label) return c;
    throw std::runtime_error("no case " + label);
}

std::string fingerprint(const DebugSession& s) {
    const Vm& vm = s.vm();
    std::string f = "pc=" + std::to_string(vm.pc()) + " depth=" + std::to_string(vm.depth()) +
                    " executed=" + std::to_string(vm.executed()) + " status=" + std::to_string(int(vm.status())) +
                    " tail_calls=" + std::to_string(vm.tail_calls()) + " held_lock=" + std::to_string(vm.held_lock()) +
                    " prog=" + s.program().name + " regs=";
    for (uint64_t r : vm.regs()) f += std::to_string(r) + ",";
    f += " base=" + std::to_string(vm.frame_base());
    for (uint32_t d = 1; d <= vm.depth(); ++d)
        f += " frame" + std::to_string(d) + "=" + std::to_string(vm.frame(d).return_pc) + "/" +
             s.program_at(d).name;
    // The first 8 stacks, and deeper ones while their frames exist (after tail calls made from
    // subprograms; their stacks are mapped when first used and stay mapped).
    for (uint32_t k = 0; k < std::max(uint32_t(kMaxCallFrames), vm.depth() + 1); ++k) {
        const uint8_t* p = vm.memory().helper_ptr(Vm::frame_pointer(k) - kStackSize, kStackSize, false);
        REQUIRE(p);
        f += " stack" + std::to_string(k) + "=" + examples::hex({p, kStackSize});
    }
    const RunState& run = s.run_state();
    f += " packet=" + examples::hex(run.packet.meta()) + "|" +
         examples::hex(run.packet.bytes());
    f += " ctx=" + examples::hex(run.ctx ? run.ctx->bytes() : run.raw_ctx);
    // The packet's place in its frame and the sk_buff state no field shows.
    const PacketGeometry& g = run.packet.geometry();
    const SkbState& k = run.packet.skb();
    f += " geometry=" + std::to_string(g.meta) + "," + std::to_string(g.data) + "," + std::to_string(g.end) +
         " skb=" + std::to_string(k.mac_header) + "," + std::to_string(k.network_header) + "," +
         std::to_string(k.transport_header) + "," + std::to_string(k.ip_summed) + "," + std::to_string(k.csum_level) +
         "," + std::to_string(k.encapsulation) + std::to_string(k.sw_hash) + std::to_string(k.l4_hash) + "," +
         std::to_string(k.csum) + " frags=" + std::to_string(run.packet.frags().size());
    const MapSet& maps = *s.object().object().maps;
    for (uint32_t id = 0; id < maps.size(); ++id) {
        std::vector<uint8_t> state;
        maps.get(id)->save_state(state);
        f += " map" + std::to_string(id) + "=" + examples::hex(state);
    }
    for (const std::string& line : s.object().host().printk) f += " printk=" + line;
    for (const PerfEventRecord& e : s.object().host().perf_events)
        f += " perf=" + e.map + "/" + std::to_string(e.cpu) + "/" + std::to_string(e.executed) + "/" +
             std::to_string(e.pc) + "/" + examples::hex(e.data);
    const Host& host = s.object().host();
    for (const HostEvent& e : host.events)
        f += " event=" + std::to_string(e.executed) + "/" + std::to_string(e.pc) + "/" + e.helper + "/" +
             e.text;
    const RedirectTarget& t = host.net.run.redirect;
    f += " redirect=" + std::to_string(t.set) + "/" + std::to_string(t.ifindex) + "/" +
         std::to_string(t.flags) + "/" + t.map + "/" + std::to_string(t.broadcast.size());
    for (uint32_t held : host.net.run.held_sockets)
        f += " held=" + std::to_string(held);
    for (const DynptrSlot& d : host.dynptrs.slots)
        f += " dynptr=" + std::to_string(d.addr) + "/" + std::to_string(int(d.type)) + "/" + std::to_string(d.referenced) +
             "/" + std::to_string(d.made_pc) + "/" + std::to_string(d.made_by) + "/" + examples::hex(d.bytes);
    for (const BpfTimer& tm : host.timers.timers)
        f += " timer=" + std::to_string(tm.addr) + "/" + std::to_string(tm.map_id) + "/" + examples::hex(tm.key) + "/" +
             std::to_string(tm.clock) + "/" + std::to_string(tm.has_callback) + "/" + std::to_string(tm.program) + "/" +
             std::to_string(tm.callback) + "/" + std::to_string(tm.armed) + "/" + std::to_string(tm.expires_ns) + "/" +
             std::to_string(tm.armed_seq);
    f += " timers_seq=" + std::to_string(host.timers.next_seq) + "/" + std::to_string(host.timers.running);
    f += " cookie=" + std::to_string(host.net.run.skb_cookie) + "/" + std::to_string(host.net.last_cookie);
    // The process's fds (bpf_sys_bpf opens and bpf_sys_close closes them) and what is mapped
    // where (a map bpf_sys_bpf created has a window until it is undone).
    const BpfProcess& proc = s.object().process();
    for (const auto& [fd, o] : proc.fds.open_fds())
        f += " fd" + std::to_string(fd) + "=" + bpf_object_kind_name(o.kind) + "/" + std::to_string(o.index) + "/" +
             std::to_string(o.can_read) + std::to_string(o.can_write);
    f += " btfs=" + std::to_string(proc.btfs.size());
    for (uint32_t w = 0; w < window::kCount; ++w) {
        const Region& r = vm.memory().region(w);
        // Stacks are fingerprinted above; frames past 8 get theirs on first use and keep them
        // (capacity, not state), so their windows are left out.
        if (r.kind != RegionKind::None && r.kind != RegionKind::Stack)
            f += " w" + std::to_string(w) + "=" + r.name + "/" + std::to_string(r.size);
    }
    return f;
}

std::vector<std::string> fingerprints_to_end(DebugSession& s) {
    std::vector<std::string> forward{fingerprint(s)};
    while (s.status() == RunStatus::Ready) {
        s.step();
        forward.push_back(fingerprint(s));
    }
    return forward;
}

void require_same_states_back(DebugSession& s, const std::vector<std::string>& forward) {
    for (uint64_t k = forward.size() - 1; k-- > 0;) {
        s.step_back();
        REQUIRE_MESSAGE(fingerprint(s) == forward[k], "back at " << k);
    }
}

}  // namespace bpfplay::testing
