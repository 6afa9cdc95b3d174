// DebugSession::state(): the learner's view of the machine, built on demand from the Vm, the
// maps and the newest journal step (which says what the last step changed).
#include <algorithm>
#include <cstdio>

#include "core/btf/btf.hpp"
#include "core/btf/btf_value.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/debugger/helper_effects.hpp"
#include "core/hex.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/map_types.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/ringbuf_records.hpp"
#include "core/run/seg6_helpers.hpp"

namespace bpfplay {

const char* value_kind_name(ValueKind k) {
    switch (k) {
    case ValueKind::Scalar: return "scalar";
    case ValueKind::StackPtr: return "stack";
    case ValueKind::ContextPtr: return "ctx";
    case ValueKind::PacketPtr: return "packet";
    case ValueKind::PacketEnd: return "packet_end";
    case ValueKind::MapValuePtr: return "map_value";
    case ValueKind::MapPtr: return "map";
    case ValueKind::KernelPtr: return "kernel";
    case ValueKind::CodePtr: return "code";
    }
    return "scalar";
}

namespace {

const char* field_kind_name(FieldKind k) {
    switch (k) {
    case FieldKind::Value: return "value";
    case FieldKind::PacketStart: return "packet_start";
    case FieldKind::PacketEnd: return "packet_end";
    case FieldKind::PacketMeta: return "packet_meta";
    }
    return "value";
}

std::string signed_offset(int64_t off) { return off < 0 ? std::to_string(off) : "+" + std::to_string(off); }

SourceView source_of(const LoadedProgram& p, uint32_t pc) {
    SourceView v;
    if (const SourceLine* l = p.line_for(pc)) {
        v.file = l->file;
        v.line = l->line;
        v.column = l->column;
        v.text = l->text;
    }
    return v;
}

std::string function_of(const LoadedProgram& p, uint32_t pc) {
    std::string name;
    for (const FunctionInfo& f : p.func_info) {
        if (f.insn > pc) break;
        name = f.name;
    }
    if (name.empty()) {
        uint32_t entry = 0;
        for (uint32_t e : p.program.functions)
            if (e <= pc) entry = e;
        name = entry == 0 ? p.name : "func_" + std::to_string(entry);
    }
    return name;
}

}  // namespace

RegisterView DebugSession::describe_value(uint64_t v) const {
    RegisterView r;
    r.value = v;
    const uint64_t w = v >> 32;
    const uint64_t off = v & 0xffffffffull;
    const Memory& mem = vm().memory();
    const MapSet& maps = *object_.object().maps;
    const auto stack_frame = window::frame_of_stack(w);
    if (stack_frame && mem.region(uint32_t(w)).kind == RegionKind::Stack) {
        const uint32_t frame = *stack_frame;
        r.kind = ValueKind::StackPtr;
        r.offset = int64_t(v) - int64_t(Vm::frame_pointer(frame));
        r.points_to = "fp" + signed_offset(r.offset) + " (frame " + std::to_string(frame) + ")";
    } else if (w == window::kContext && mem.region(window::kContext).kind != RegionKind::None) {
        r.kind = ValueKind::ContextPtr;
        r.offset = int64_t(off);
        r.points_to = "ctx" + signed_offset(r.offset);
        if (run_->ctx)
            for (const ContextField& f : run_->ctx->fields())
                if (off >= f.off && off < f.off + f.size) {
                    r.points_to += std::string(" (") + f.name + ")";
                    break;
                }
    } else if (w == window::kPacket && mem.region(window::kPacket).kind != RegionKind::None) {
        // Offsets from data (the window starts at data_meta): metadata is at negative offsets.
        const int64_t metalen = int64_t(run_->packet.meta().size());
        r.offset = int64_t(off) - metalen;
        if (r.offset == int64_t(run_->packet.len())) {
            r.kind = ValueKind::PacketEnd;
            r.points_to = "packet end (data_end, packet" + signed_offset(r.offset) + ")";
        } else {
            r.kind = ValueKind::PacketPtr;
            r.points_to = "packet" + signed_offset(r.offset);
            if (r.offset < 0 && r.offset >= -metalen) r.points_to += " (metadata)";
        }
    } else if ((w == window::kKernel || w == window::kSockets) && mem.region(w).kind != RegionKind::None) {
        r.kind = ValueKind::KernelPtr;
        r.offset = int64_t(off);
        r.points_to = mem.region(w).name + signed_offset(r.offset);
    } else if (const Map* m = maps.from_handle(v)) {
        r.kind = ValueKind::MapPtr;
        r.points_to = "map " + m->name();
    } else if (w >= window::kFirstFree && w < window::kMapsEnd) {
        if (auto loc = const_cast<MapSet&>(maps).from_value_address(v)) {
            r.kind = ValueKind::MapValuePtr;
            r.offset = int64_t(loc->offset);
            r.points_to = "map " + loc->map->name();
            if (loc->map->max_entries() != 1 || loc->map->type() != MapType::Array) {
                r.points_to += loc->key ? " [key 0x" + hex_bytes(*loc->key) + "]" : " [free slot]";
                if (loc->map->is_percpu()) r.points_to += " cpu " + std::to_string(loc->cpu);
            }
            r.points_to += signed_offset(r.offset);
        }
    } else if (v >= kCodeBase && (v - kCodeBase) % 8 == 0 && (v - kCodeBase) / 8 < vm().program().insns.size()) {
        r.kind = ValueKind::CodePtr;
        r.offset = int64_t((v - kCodeBase) / 8);
        r.points_to = "function " + function_of(program(), uint32_t(r.offset));
    }
    return r;
}

DebugState DebugSession::state() const {
    DebugState s;
    const Vm& m = vm();
    const LoadedProgram& prog = program();
    s.program = prog.name;
    s.timer = timer_ ? run_->timer : "";
    s.pc = m.pc();
    s.status = m.status();
    s.executed = m.executed();
    s.history_start = history_start();
    s.journal_bytes = journal_.bytes_used();
    s.stop_reason = last_stop_;
    if (m.status() == RunStatus::Faulted && m.fault()) {
        s.fault = *m.fault();
        // What and hint joined as Error::to_string joins them (a full stop between the two
        // sentences, none before a parenthetical hint), without the place: the view shows it.
        Error words = *m.fault();
        words.where = Where{};
        s.fault_explanation = words.to_string();
    }
    if (m.status() == RunStatus::Exited) {
        s.r0 = m.result();
        s.return_name = timer_ ? "" : return_value_name(prog.type, s.r0);
    }
    for (int i = 0; i < 11; ++i) {
        s.regs[size_t(i)] = describe_value(m.reg(i));
        s.regs[size_t(i)].changed = m.reg(i) != regs_before_[size_t(i)];
    }
    s.source = source_of(prog, m.pc());
    if (checker_) s.checker = checker_->view(m.executed(), m.pc(), prog.name == checker_program_);

    // Frames: a caller's pc is its call instruction (return_pc - 1 of the frame above).
    for (uint32_t d = 0; d <= m.depth(); ++d) {
        FrameView f;
        f.depth = d;
        f.pc = d == m.depth() ? m.pc() : m.frame(d + 1).return_pc - 1;
        const LoadedProgram& frame_prog = program_at(d);
        f.function = function_of(frame_prog, f.pc);
        f.callback = callback_description(m.frame(d).callback);
        f.source = source_of(frame_prog, f.pc);
        f.frame_pointer = Vm::frame_pointer(d);
        const uint64_t base = f.frame_pointer - kStackSize;
        if (const uint8_t* p = m.memory().helper_ptr(base, kStackSize, false)) f.stack.assign(p, p + kStackSize);
        for (const Journal::Write& w : last_writes_)
            for (uint64_t a = w.vaddr; a < w.vaddr + w.len && w.vaddr != 0; ++a)
                if (a >= base && a < f.frame_pointer) f.changed.push_back(uint32_t(a - base));
        s.frames.push_back(std::move(f));
    }

    const auto data = run_->packet.data();
    const auto meta = run_->packet.meta();
    s.packet.assign(data.begin(), data.end());
    s.packet_meta.assign(meta.begin(), meta.end());
    const uint64_t packet_base = window_base(window::kPacket) + meta.size();  // data's address
    for (const Journal::Write& w : last_writes_)
        for (uint64_t a = w.vaddr; a < w.vaddr + w.len && w.vaddr != 0; ++a)
            if (a >= packet_base && a < packet_base + s.packet.size()) s.packet_changed.push_back(uint32_t(a - packet_base));
    s.context = run_->ctx ? run_->ctx->bytes() : run_->raw_ctx;
    if (run_->ctx) {
        s.context_struct = run_->ctx->struct_name();
        for (const ContextField& f : run_->ctx->fields()) s.context_fields.push_back({f.name, f.off, f.size, field_kind_name(f.kind), f.about});
    } else if (run_->program && has_btf_args(*run_->program)) {
        // A trampoline's or BTF tracepoint's u64 slots, by the attach point's argument names.
        if (auto layout = btf_args_layout(*run_->program); layout && layout->fits(s.context.size())) {
            // A tracepoint's record: the struct the kernel's BTF names it by.
            s.context_struct = layout->tracepoint ? "trace_event_raw_" + layout->tracepoint->event
                                                  : layout->attach + " arguments";
            for (const BtfArgSlot& a : layout->slots) {
                const std::string about =
                    layout->tracepoint ? "the record's field " + a.name + " (" + a.type + ")"
                    : a.is_return      ? "the function's return value (" + a.type + "), in a u64 slot"
                                       : "the argument " + a.name + " (" + a.type + "), in a u64 slot";
                s.context_fields.push_back({a.name, a.offset, a.width, "value", about});
            }
        }
    }

    // Maps: slots the last step wrote directly (stores) or through a helper.
    const MapSet& maps = *object_.object().maps;
    const std::shared_ptr<const Btf>& btf = object_.object().btf;
    for (uint32_t id = 0; id < maps.size(); ++id) {
        const Map& map = *maps.get(id);
        MapView v;
        v.id = id;
        v.name = map.name();
        v.type = map_type_name(map.type());
        v.key_size = map.key_size();
        v.value_size = map.value_size();
        v.max_entries = map.max_entries();
        v.percpu = map.is_percpu();
        v.count = map.count();
        v.summary = map.summary();
        v.occupancy = map.occupancy();
        const MapTypeInfo* info = map_type_info(map.type());
        v.user_update = info && info->user_update;
        if (btf && map.spec().btf_key_type_id) v.key_type = btf->type_to_string(map.spec().btf_key_type_id);
        if (btf && map.spec().btf_value_type_id) v.value_type = btf->type_to_string(map.spec().btf_value_type_id);
        std::vector<uint32_t> changed_slots;
        for (const Journal::Write& w : last_writes_) {
            if (w.vaddr == 0) continue;
            if (auto loc = const_cast<MapSet&>(maps).from_value_address(w.vaddr); loc && loc->map == &map)
                changed_slots.push_back(loc->slot);
        }
        for (const UndoAction* a : last_actions_)
            if (auto* h = dynamic_cast<const HelperUndo*>(a)) {
                for (const HelperUndo::MapChange& c : h->maps())
                    if (c.map == &map) v.changed = true;
                for (uint32_t slot : h->changed_slots(map)) changed_slots.push_back(slot);
            }
        v.changed |= !changed_slots.empty();
        if (map.type() == MapType::Ringbuf) {
            // No keys or values: what a reader gets, record by record, as its struct when one fits.
            for (RingbufRecordView& rec : ringbuf_records(static_cast<const RingbufMap&>(map), btf.get())) {
                s.events.push_back(map.name() + ": " + rec.label + " " +
                                   (rec.type_id ? to_c_text(format_value(*btf, rec.type_id, rec.bytes)) : hex_bytes(rec.bytes)));
                if (v.entries.size() >= options_.max_map_entries) {
                    v.truncated = true;
                    continue;
                }
                MapEntryView ev;
                ev.label = rec.label;
                ev.key_json = "null";
                ev.values_json.push_back(decoded_json(object_, rec.type_id, rec.bytes));
                ev.value_type_id = rec.type_id;
                ev.values.push_back(std::move(rec.bytes));
                v.entries.push_back(std::move(ev));
            }
            s.maps.push_back(std::move(v));
            continue;
        }
        const std::vector<MapEntry> entries = map.entries(options_.max_map_entries);
        v.truncated = entries.size() < map.count();
        for (const MapEntry& e : entries) {
            MapEntryView ev;
            ev.key = e.key;
            ev.values = e.values;
            ev.label = e.label;
            ev.key_json = decoded_json(object_, map.spec().btf_key_type_id, e.key);
            for (const auto& val : e.values) ev.values_json.push_back(decoded_json(object_, map.spec().btf_value_type_id, val));
            ev.value_type_id = map.spec().btf_value_type_id;
            ev.changed = std::find(changed_slots.begin(), changed_slots.end(), e.slot) != changed_slots.end();
            v.entries.push_back(std::move(ev));
        }
        s.maps.push_back(std::move(v));
    }
    s.printk = object_.host().printk;
    if (const IterState* it = run_->iter.get()) {
        s.iter_target = it->target;
        s.iter_element = it->current;
        s.iter_seq_num = it->seq_num;
        s.iter_output = it->seq.bytes;
    }
    s.perf_events = object_.host().perf_events;
    const Host& host = object_.host();
    s.host_events = host.events;
    for (const BpfTimer& t : host.timers.timers) {
        TimerView v;
        const Map* map = maps.get(t.map_id);
        v.map = map ? map->name() : "";
        v.key = t.key;
        v.armed = t.armed;
        v.expires_ns = t.expires_ns;
        v.due = t.armed && t.expires_ns <= host.clock_start_ns;
        v.callback = t.has_callback ? int64_t(t.callback) : -1;
        s.timers.push_back(std::move(v));
    }
    s.clock_ns = host.clock_start_ns;
    // What became of the packet belongs to the program's exit, not to a timer callback's.
    if (m.status() == RunStatus::Exited && !timer_) {
        for (HostEvent& e : exit_events(host.net, s.r0, m.executed(), m.pc()))
            s.host_events.push_back(std::move(e));
        // End.BPF's SRH check after the program (it may set the SRH's hdrlen: the view shows it).
        if (host.net.run.hook == PacketHook::LwtSeg6local)
            for (std::string& text : seg6_exit_report(run_->packet, host.net, s.r0, s.packet))
                s.host_events.push_back({m.executed(), m.pc(), "exit", std::move(text)});
    }
    return s;
}

}  // namespace bpfplay
