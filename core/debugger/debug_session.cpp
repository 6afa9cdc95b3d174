// The commands of a debug session: forward and backward motion, breakpoints, watchpoints.
#include "core/debugger/debug_session.hpp"

#include <algorithm>

#include "core/debugger/expression.hpp"
#include "core/debugger/helper_effects.hpp"
#include "core/hex.hpp"
#include "core/maps/map_set.hpp"

namespace bpfplay {

const char* stop_reason_name(StopReason r) {
    switch (r) {
    case StopReason::None: return "none";
    case StopReason::Step: return "step";
    case StopReason::Breakpoint: return "breakpoint";
    case StopReason::Watchpoint: return "watchpoint";
    case StopReason::Exited: return "exit";
    case StopReason::Faulted: return "fault";
    case StopReason::Paused: return "paused";
    case StopReason::HistoryStart: return "history start";
    }
    return "unknown";
}

DebugSession::DebugSession(ObjectSession& object, const DebugOptions& options)
    : object_(object), options_(options), journal_(options.journal_limit_bytes) {}

DebugSession::~DebugSession() {
    if (run_ && run_->vm) run_->vm->set_recording(nullptr, nullptr);
}

Result<std::unique_ptr<DebugSession>> DebugSession::open(ObjectSession& object, std::string_view program,
                                                         const RunInput& input, const DebugOptions& options) {
    return open_mode(object, program, input, options, false);
}

Result<std::unique_ptr<DebugSession>> DebugSession::open_next_timer(ObjectSession& object,
                                                                    const DebugOptions& options) {
    return open_mode(object, "", RunInput{}, options, true);
}

const std::string& DebugSession::timer() const { return run_->timer; }

Result<std::unique_ptr<DebugSession>> DebugSession::open_mode(ObjectSession& object, std::string_view program,
                                                              const RunInput& input, const DebugOptions& options,
                                                              bool timer) {
    std::unique_ptr<DebugSession> s(new DebugSession(object, options));
    s->timer_ = timer;
    s->program_name_ = std::string(program);
    s->input_ = input;
    s->save_initial_state();
    s->effects_ = std::make_unique<HelperEffectsRecorder>(s->journal_, *object.object().maps, object.host());
    if (auto r = s->start(); !r.ok()) return r.error();
    return s;
}

void DebugSession::save_initial_state() {
    initial_timers_ = object_.host().timers;
    initial_heap_ = object_.host().heap ? object_.host().heap->clone() : nullptr;
    MapSet& maps = *object_.object().maps;
    initial_maps_.clear();
    for (uint32_t id = 0; id < maps.size(); ++id) {
        initial_maps_.emplace_back();
        maps.get(id)->save_state(initial_maps_.back());
    }
    initial_prandom_ = object_.host().prandom;
    initial_cookie_ = object_.host().net.last_cookie;
    initial_process_ = object_.process();
}

Result<Unit> DebugSession::run_next_timer() {
    if (!object_.host().timers.next_due(UINT64_MAX))
        return make_error(ErrorKind::Load, "no BPF timer is armed", std::nullopt,
                          "Run a program that starts one (bpf_timer_start) first.");
    // The maps, host and process as the run left them are where the callback's session starts
    // (and what its reset goes back to).
    timer_ = true;
    save_initial_state();
    for (Breakpoint& b : breakpoints_) b.hits = 0;
    for (Watchpoint& w : watchpoints_) w.hits = 0;
    return start();
}

Result<Unit> DebugSession::start() {
    if (run_ && run_->vm) run_->vm->set_recording(nullptr, nullptr);
    run_.reset();
    if (timer_) {
        std::optional<std::unique_ptr<RunState>> due = object_.start_next_timer();
        if (!due)
            return make_error(ErrorKind::Load, "no BPF timer is armed", std::nullopt,
                              "Run a program that starts one (bpf_timer_start) first.");
        run_ = std::move(*due);
        if (program_name_.empty()) program_name_ = run_->program->name;
    } else {
        auto started = object_.start(program_name_, input_);
        if (!started.ok()) return started.error();
        run_ = std::move(started).value();
    }
    journal_.clear();
    run_->vm->set_recording(&journal_, effects_.get());
    regs_before_ = vm().regs();
    last_writes_.clear();
    last_actions_.clear();
    last_stop_ = "start";
    snapshot_watches();
    if (checker_) checker_->restart();
    return Unit{};
}

void DebugSession::reset() {
    if (run_ && run_->vm) run_->vm->set_recording(nullptr, nullptr);
    run_.reset();
    MapSet& maps = *object_.object().maps;
    // Maps a syscall program created with bpf_sys_bpf during the run are gone again.
    while (maps.size() > initial_maps_.size()) maps.remove_last();
    for (uint32_t id = 0; id < maps.size() && id < initial_maps_.size(); ++id)
        maps.get(id)->restore_state(initial_maps_[id]);
    object_.process() = initial_process_;
    object_.host().prandom = initial_prandom_;
    object_.host().net.last_cookie = initial_cookie_;
    object_.host().timers = initial_timers_;
    // A fresh copy each time: the run about to start changes the one it gets.
    object_.host().heap = initial_heap_ ? initial_heap_->clone() : nullptr;
    for (Breakpoint& b : breakpoints_) b.hits = 0;
    for (Watchpoint& w : watchpoints_) w.hits = 0;
    (void)start();  // the same program and input started before, so it starts again
}

const LoadedProgram& DebugSession::program() const { return program_at(vm().depth()); }

const LoadedProgram& DebugSession::program_at(uint32_t depth) const {
    const Program& running = vm().program_at(depth);
    for (const LoadedProgram& p : object_.object().programs)
        if (&p.program == &running) return p;
    return *run_->program;
}

uint64_t DebugSession::history_start() const {
    const uint64_t undoable = journal_.steps() - (vm().status() == RunStatus::Faulted && journal_.steps() > 0 &&
                                                          vm().fault() && vm().fault()->kind != ErrorKind::Budget
                                                      ? 1
                                                      : 0);
    return vm().executed() >= undoable ? vm().executed() - undoable : 0;
}

// ---- one step each way ----

void DebugSession::note_last_step() {
    last_writes_ = journal_.last_step_writes();
    last_actions_ = journal_.last_step_actions();
}

bool DebugSession::step_one(StopInfo& info) {
    if (vm().status() != RunStatus::Ready) {
        info.reason = vm().status() == RunStatus::Exited ? StopReason::Exited : StopReason::Faulted;
        return false;
    }
    const uint64_t before = journal_.steps();
    vm_mut().run(1);
    if (journal_.steps() > before) {
        note_last_step();
        ++info.steps;
    }
    if (vm().status() == RunStatus::Exited) {
        info.reason = StopReason::Exited;
        return false;
    }
    if (vm().status() == RunStatus::Faulted) {
        info.reason = StopReason::Faulted;
        return false;
    }
    return true;
}

bool DebugSession::step_back_one(StopInfo& info) {
    if (journal_.steps() == 0 && vm().status() != RunStatus::Faulted) {
        info.reason = StopReason::HistoryStart;
        return false;
    }
    // What the undone step changed is what this backward step changes.
    if (journal_.steps() > 0) note_last_step();
    last_actions_.clear();  // they are freed by the undo
    if (!vm_mut().undo_step()) {
        info.reason = StopReason::HistoryStart;
        return false;
    }
    ++info.steps;
    return true;
}

// ---- stops ----

bool DebugSession::breakpoint_hit(StopInfo& info) {
    for (Breakpoint& b : breakpoints_) {
        if (!b.enabled || b.pc != vm().pc()) continue;
        if (!b.condition.empty()) {
            auto v = evaluate_expression(b.condition, vm().regs());
            if (!v.ok() || v.value() == 0) continue;
        }
        ++b.hits;
        info.reason = StopReason::Breakpoint;
        info.id = b.id;
        return true;
    }
    return false;
}

std::vector<uint8_t> DebugSession::watch_value(const Watchpoint& w) const {
    if (w.map_id != UINT32_MAX) {
        // [present][value (every CPU's for per-CPU maps)], by a user-space lookup: one hash
        // probe per step, and it leaves an LRU map's order alone.
        Map* m = object_.object().maps->get(w.map_id);
        std::vector<uint8_t> v(1, 0);
        if (!m) return v;
        std::vector<uint8_t> value(m->user_value_size());
        if (m->lookup_user(w.key, value) == 0) {
            v[0] = 1;
            v.insert(v.end(), value.begin(), value.end());
        }
        return v;
    }
    auto bytes = read_memory(w.address, w.length);
    return bytes ? *bytes : std::vector<uint8_t>{};
}

void DebugSession::snapshot_watches() {
    watch_values_.clear();
    for (const Watchpoint& w : watchpoints_) watch_values_.push_back(watch_value(w));
}

bool DebugSession::watch_hit(StopInfo& info) {
    bool hit = false;
    for (size_t i = 0; i < watchpoints_.size(); ++i) {
        std::vector<uint8_t> now = watch_value(watchpoints_[i]);
        if (now != watch_values_[i]) {
            watch_values_[i] = std::move(now);
            if (!hit) {
                ++watchpoints_[i].hits;
                info.reason = StopReason::Watchpoint;
                info.id = watchpoints_[i].id;
                hit = true;
            }
        }
    }
    return hit;
}

bool DebugSession::check_stops(StopInfo& info) {
    if (watch_hit(info)) return true;
    return breakpoint_hit(info);
}

// ---- forward commands ----

void DebugSession::begin_command() {
    regs_before_ = vm().regs();
    last_writes_.clear();
    last_actions_.clear();
}

void DebugSession::follow_checker(const verifier::Verdict& verdict) {
    checker_.reset();
    if (verdict.kind != verifier::VerdictKind::Refuse) return;
    checker_ = std::make_unique<CheckerPath>(verdict);
    checker_program_ = verdict.program;
    sync_checker();
}

void DebugSession::sync_checker() {
    if (!checker_) return;
    const uint64_t now = vm().executed();
    checker_->rewound(now);
    // Journal step i ran as the run's instruction history_start() + i; those before were not
    // recorded (a fast continue, a map edit) and cannot be compared.
    const uint64_t first = history_start();
    if (checker_->seen() < first) checker_->skipped(first);
    while (checker_->seen() < now) {
        if (!checker_->stepped(journal_.pc_of_step(checker_->seen() - first))) {
            checker_->skipped(now);
            break;
        }
    }
}

StopInfo DebugSession::finish_command(StopInfo info) {
    sync_checker();
    if (info.reason == StopReason::None && info.steps > 0) info.reason = StopReason::Step;
    last_stop_ = stop_reason_name(info.reason);
    if (info.reason == StopReason::Breakpoint || info.reason == StopReason::Watchpoint)
        last_stop_ += " " + std::to_string(info.id);
    return info;
}

StopInfo DebugSession::step() {
    begin_command();
    StopInfo info;
    if (step_one(info)) {
        watch_hit(info);  // a single step stops anyway; this records which watch changed
        if (info.reason != StopReason::Watchpoint) breakpoint_hit(info);
    }
    return finish_command(info);
}

bool DebugSession::at_call() const {
    const Program& p = vm().program();
    if (vm().status() != RunStatus::Ready || vm().pc() >= p.insns.size()) return false;
    const Op op = p.insns[vm().pc()].op;
    // A helper call too: bpf_loop and bpf_for_each_map_elem run their callbacks in frames
    // above the caller's, which stepping over a call runs to the end.
    return op == Op::CallLocal || op == Op::Callx || op == Op::CallHelper;
}

StopInfo DebugSession::step_over() {
    begin_command();
    StopInfo info;
    if (!at_call()) {
        if (step_one(info)) check_stops(info);
        return finish_command(info);
    }
    run_over_call(info);
    return finish_command(info);
}

bool DebugSession::run_over_call(StopInfo& info) {
    const uint32_t depth = vm().depth();
    while (step_one(info)) {
        if (check_stops(info)) return false;
        if (vm().depth() <= depth) return true;
    }
    return false;
}

StopInfo DebugSession::step_out() {
    begin_command();
    StopInfo info;
    const uint32_t depth = vm().depth();
    while (step_one(info)) {
        if (check_stops(info)) break;
        if (depth > 0 && vm().depth() < depth) break;
    }
    return finish_command(info);
}

std::pair<std::string, uint32_t> DebugSession::line_at(uint32_t pc) const {
    const SourceLine* l = program().line_for(pc);
    if (!l || l->line == 0) return {"", 0};
    return {l->file, l->line};
}

StopInfo DebugSession::step_line() { return line_step(false); }
StopInfo DebugSession::next_line() { return line_step(true); }

StopInfo DebugSession::line_step(bool over_calls) {
    begin_command();
    StopInfo info;
    const auto start = line_at(vm().pc());
    const uint32_t depth = vm().depth();
    const Program* prog = &vm().program();
    for (;;) {
        if (over_calls && at_call()) {
            if (!run_over_call(info)) break;
        } else {
            if (!step_one(info)) break;
            if (check_stops(info)) break;
        }
        const auto now = line_at(vm().pc());
        if (now.second != 0 && (now != start || vm().depth() != depth || &vm().program() != prog)) break;
    }
    return finish_command(info);
}

StopInfo DebugSession::cont(uint64_t max_steps) {
    begin_command();
    StopInfo info;
    if (breakpoints_.empty() && watchpoints_.empty()) {
        // Nothing to check between instructions: one interpreter call for the whole chunk.
        if (vm().status() != RunStatus::Ready) {
            info.reason = vm().status() == RunStatus::Exited ? StopReason::Exited : StopReason::Faulted;
            return finish_command(info);
        }
        const uint64_t before = vm().executed();
        vm_mut().run(max_steps);
        info.steps = vm().executed() - before;
        if (journal_.steps() > 0) note_last_step();
        if (vm().status() == RunStatus::Exited) info.reason = StopReason::Exited;
        else if (vm().status() == RunStatus::Faulted) info.reason = StopReason::Faulted;
        else info.reason = StopReason::Paused;
        return finish_command(info);
    }
    while (info.steps < max_steps) {
        if (!step_one(info)) return finish_command(info);
        if (check_stops(info)) return finish_command(info);
    }
    info.reason = StopReason::Paused;
    return finish_command(info);
}

StopInfo DebugSession::cont_fast(uint64_t max_steps) {
    begin_command();
    StopInfo info;
    if (vm().status() != RunStatus::Ready) {
        info.reason = vm().status() == RunStatus::Exited ? StopReason::Exited : StopReason::Faulted;
        return finish_command(info);
    }
    info.fast = true;
    // A journal with an unrecorded gap in it could not undo exactly: it starts again, empty,
    // where the fast run ends (forget_history's rule for a map edit).
    journal_.clear();
    last_writes_.clear();
    last_actions_.clear();
    vm_mut().set_recording(nullptr, nullptr);
    const uint64_t before = vm().executed();
    info.fast_insns = object_.run_to_end(vm_mut(), max_steps);
    vm_mut().set_recording(&journal_, effects_.get());
    info.steps = vm().executed() - before;
    switch (vm().status()) {
    case RunStatus::Exited: info.reason = StopReason::Exited; break;
    case RunStatus::Faulted: info.reason = StopReason::Faulted; break;
    case RunStatus::Ready: info.reason = StopReason::Paused; break;  // max_steps ran
    }
    snapshot_watches();
    return finish_command(info);
}

// ---- backward commands ----

StopInfo DebugSession::step_back() {
    begin_command();
    StopInfo info;
    if (step_back_one(info)) {
        snapshot_watches();
        breakpoint_hit(info);
    }
    return finish_command(info);
}

StopInfo DebugSession::step_back_over() {
    begin_command();
    StopInfo info;
    const uint32_t depth = vm().depth();
    while (step_back_one(info)) {
        if (vm().depth() <= depth) break;
    }
    snapshot_watches();
    return finish_command(info);
}

StopInfo DebugSession::step_back_line(bool over_calls) {
    begin_command();
    StopInfo info;
    const auto start = line_at(vm().pc());
    const uint32_t depth = vm().depth();
    // Back until another line, then back to where that line's run of instructions began.
    std::pair<std::string, uint32_t> target{"", 0};
    uint32_t target_depth = depth;
    while (step_back_one(info)) {
        if (over_calls && vm().depth() > depth) continue;
        const auto now = line_at(vm().pc());
        if (now.second != 0 && (now != start || vm().depth() != depth)) {
            target = now;
            target_depth = vm().depth();
            break;
        }
    }
    if (target.second != 0) {
        // The previous instruction is the newest journal step; stop before leaving the line
        // (or the frame) it belongs to.
        while (journal_.steps() > 0) {
            const auto prev = line_at(journal_.last_header().pc);
            if (prev != target) break;  // line 0 (compiler-made code) is not this line either
            if (!step_back_one(info)) break;
            if (vm().depth() != target_depth) {
                // Stepped back out of (or into) a frame: that instruction is on another line.
                vm_mut().run(1);
                --info.steps;
                break;
            }
        }
    }
    snapshot_watches();
    return finish_command(info);
}

StopInfo DebugSession::reverse_cont(uint64_t max_steps) {
    begin_command();
    StopInfo info;
    snapshot_watches();
    while (info.steps < max_steps) {
        if (!step_back_one(info)) return finish_command(info);
        if (check_stops(info)) return finish_command(info);
    }
    info.reason = StopReason::Paused;
    return finish_command(info);
}

StopInfo DebugSession::goto_count(uint64_t count) {
    begin_command();
    StopInfo info;
    while (vm().executed() > count)
        if (!step_back_one(info)) break;
    if (vm().executed() < count && vm().status() == RunStatus::Ready) {
        const uint64_t before = vm().executed();
        vm_mut().run(count - vm().executed());
        info.steps += vm().executed() - before;
        if (journal_.steps() > 0) note_last_step();
        if (vm().status() == RunStatus::Exited) info.reason = StopReason::Exited;
        if (vm().status() == RunStatus::Faulted) info.reason = StopReason::Faulted;
    }
    snapshot_watches();
    return finish_command(info);
}

// ---- breakpoints and watchpoints ----

Result<uint32_t> DebugSession::add_breakpoint(uint32_t pc, std::string condition) {
    const Program& p = run_->program->program;
    if (pc >= p.insns.size())
        return make_error(ErrorKind::Parse, "there is no instruction " + std::to_string(pc) + " (the program has " +
                                                std::to_string(p.insns.size()) + ")");
    if (p.insns[pc].op == Op::LddwTail)
        return make_error(ErrorKind::Parse, "instruction " + std::to_string(pc) +
                                                " is the second half of an lddw; break at " + std::to_string(pc - 1));
    if (!condition.empty()) {
        if (auto v = evaluate_expression(condition, vm().regs()); !v.ok()) return v.error();
    }
    Breakpoint b;
    b.id = next_id_++;
    b.pc = pc;
    b.condition = std::move(condition);
    breakpoints_.push_back(b);
    return b.id;
}

Result<uint32_t> DebugSession::add_line_breakpoint(uint32_t line, std::string file, std::string condition) {
    const LoadedProgram& prog = *run_->program;
    auto file_matches = [&](const std::string& f) {
        return file.empty() || f == file || (f.size() > file.size() && f.ends_with(file) && f[f.size() - file.size() - 1] == '/');
    };
    // The first instruction of each run of instructions on that line.
    std::optional<uint32_t> first_id;
    uint32_t last_pc_on_line = UINT32_MAX;
    for (const SourceLine& l : prog.line_info) {
        if (l.line != line || !file_matches(l.file)) continue;
        if (last_pc_on_line != UINT32_MAX && l.insn == last_pc_on_line + 1) {
            last_pc_on_line = l.insn;
            continue;
        }
        auto id = add_breakpoint(l.insn, condition);
        if (!id.ok()) return id.error();
        breakpoints_.back().line = line;
        breakpoints_.back().file = l.file;
        if (first_id) {
            // One user-visible breakpoint may cover several places: they share its id.
            breakpoints_.back().id = *first_id;
            --next_id_;
        } else {
            first_id = id.value();
        }
        last_pc_on_line = l.insn;
    }
    if (!first_id)
        return make_error(ErrorKind::Parse, "no instruction of " + prog.name + " comes from line " + std::to_string(line) +
                                                (file.empty() ? "" : " of " + file),
                          std::nullopt, "Lines with only declarations or comments have no code.");
    return *first_id;
}

bool DebugSession::remove_breakpoint(uint32_t id) {
    const size_t n = breakpoints_.size();
    std::erase_if(breakpoints_, [&](const Breakpoint& b) { return b.id == id; });
    return breakpoints_.size() != n;
}

bool DebugSession::enable_breakpoint(uint32_t id, bool enabled) {
    bool found = false;
    for (Breakpoint& b : breakpoints_)
        if (b.id == id) b.enabled = enabled, found = true;
    return found;
}

Result<uint32_t> DebugSession::add_watch(uint64_t address, uint32_t length, std::string label) {
    if (length == 0 || length > 4096)
        return make_error(ErrorKind::Parse, "a watchpoint covers 1 to 4096 bytes");
    if (!vm().memory().helper_ptr(address, length, false))
        return make_error(ErrorKind::Memory, "cannot watch " + std::to_string(length) + " bytes at that address: " +
                                                 vm().memory().describe_fault(address, length, Access::Load, vm().pc()).what);
    Watchpoint w;
    w.id = next_id_++;
    w.address = address;
    w.length = length;
    w.label = label.empty() ? std::to_string(length) + " bytes" : std::move(label);
    watchpoints_.push_back(w);
    watch_values_.push_back(watch_value(w));
    return w.id;
}

Result<uint32_t> DebugSession::add_stack_watch(int32_t fp_offset, uint32_t length, uint32_t frame) {
    if (frame > vm().depth())
        return make_error(ErrorKind::Parse, "there is no frame " + std::to_string(frame));
    return add_watch(Vm::frame_pointer(frame) + uint64_t(int64_t(fp_offset)), length,
                     "fp" + std::to_string(fp_offset) + " of frame " + std::to_string(frame) + " (" +
                         std::to_string(length) + " bytes)");
}

Result<uint32_t> DebugSession::add_packet_watch(uint32_t offset, uint32_t length) {
    // The offset counts from data; the packet's window starts at data_meta.
    return add_watch(window_base(window::kPacket) + run_->packet.meta().size() + offset, length,
                     "packet[" + std::to_string(offset) + ".." + std::to_string(offset + length) + ")");
}

Result<uint32_t> DebugSession::add_map_watch(std::string_view map_name, std::span<const uint8_t> key) {
    MapSet& maps = *object_.object().maps;
    Map* m = maps.find(map_name);
    if (!m) return make_error(ErrorKind::Map, "there is no map \"" + std::string(map_name) + "\"");
    if (key.size() != m->key_size())
        return make_error(ErrorKind::Map, "map " + m->name() + " has " + std::to_string(m->key_size()) +
                                              "-byte keys, the key given has " + std::to_string(key.size()));
    Watchpoint w;
    w.id = next_id_++;
    w.map_id = m->id();
    w.key.assign(key.begin(), key.end());
    w.label = "map " + m->name() + " key 0x" + hex_bytes(key);
    watchpoints_.push_back(w);
    watch_values_.push_back(watch_value(w));
    return w.id;
}

bool DebugSession::remove_watch(uint32_t id) {
    for (size_t i = 0; i < watchpoints_.size(); ++i)
        if (watchpoints_[i].id == id) {
            watchpoints_.erase(watchpoints_.begin() + ptrdiff_t(i));
            watch_values_.erase(watch_values_.begin() + ptrdiff_t(i));
            return true;
        }
    return false;
}

// ---- queries ----

std::optional<std::vector<uint8_t>> DebugSession::read_memory(uint64_t address, uint32_t length) const {
    const uint8_t* p = vm().memory().read_ptr(address, 1) ? vm().memory().helper_ptr(address, length, false) : nullptr;
    if (!p) {
        // Contexts the kernel rewrites have no plain bytes: show their fields' bytes.
        if (run_->ctx && (address >> 32) == window::kContext) {
            const auto& b = run_->ctx->bytes();
            const uint64_t off = address & 0xffffffffull;
            if (off + length <= b.size()) return std::vector<uint8_t>(b.begin() + ptrdiff_t(off), b.begin() + ptrdiff_t(off + length));
        }
        return std::nullopt;
    }
    return std::vector<uint8_t>(p, p + length);
}

Result<uint64_t> DebugSession::evaluate(std::string_view expression) const {
    return evaluate_expression(expression, vm().regs());
}

std::vector<uint64_t> DebugSession::hit_counts() const {
    std::vector<uint64_t> hits(run_->program->program.insns.size(), 0);
    for (uint64_t i = 0; i < journal_.steps(); ++i) {
        const uint32_t pc = journal_.pc_of_step(i);
        if (pc < hits.size()) ++hits[pc];
    }
    return hits;
}

std::vector<TraceRow> DebugSession::trace(uint64_t max_rows) {
    // Replays the recorded history: back to its start, then forward one instruction at a time
    // noting which registers each changed, ending where the session was.
    const uint64_t end = vm().executed();
    const bool ended_faulted = vm().status() == RunStatus::Faulted;
    StopInfo ignored;
    while (step_back_one(ignored)) {
    }
    std::vector<TraceRow> rows;
    while (vm().status() == RunStatus::Ready && (vm().executed() < end || (ended_faulted && vm().executed() == end))) {
        TraceRow row;
        row.step = vm().executed();
        row.pc = vm().pc();
        row.depth = uint8_t(vm().depth());
        const auto before = vm().regs();
        vm_mut().run(1);
        for (uint8_t r = 0; r < 11; ++r)
            if (vm().regs()[r] != before[r]) row.changed.emplace_back(r, vm().regs()[r]);
        if (rows.size() < max_rows) rows.push_back(std::move(row));
    }
    if (journal_.steps() > 0) note_last_step();
    snapshot_watches();
    return rows;
}

int64_t DebugSession::update_map(std::string_view map_name, std::span<const uint8_t> key,
                                 std::span<const uint8_t> value, uint64_t flags) {
    Map* m = object_.object().maps->find(map_name);
    if (!m) return -2;  // -ENOENT, as for a map fd that does not exist
    const int64_t r = m->update_user(key, value, flags);
    if (r == 0) forget_history();
    return r;
}

Map* DebugSession::find_map(std::string_view map_name) {
    return object_.object().maps ? object_.object().maps->find(map_name) : nullptr;
}

int64_t DebugSession::delete_map_entry(std::string_view map_name, std::span<const uint8_t> key) {
    Map* m = object_.object().maps->find(map_name);
    if (!m) return -2;
    const int64_t r = m->delete_user(key);
    if (r == 0) forget_history();
    return r;
}

void DebugSession::forget_history() {
    // The edit is not an instruction: stepping back across it could not be exact.
    journal_.clear();
    last_writes_.clear();
    last_actions_.clear();
    snapshot_watches();
    if (vm().executed() == 0) {
        // Edited before the first instruction: the edited maps are the new starting point.
        MapSet& maps = *object_.object().maps;
        for (uint32_t id = 0; id < maps.size() && id < initial_maps_.size(); ++id) {
            initial_maps_[id].clear();
            maps.get(id)->save_state(initial_maps_[id]);
        }
    }
}

}  // namespace bpfplay
