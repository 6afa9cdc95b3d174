#pragma once
// A debug session: one program of a loaded object, one input, driven forward and backward.
// Every instruction runs through the same interpreter as a plain run, recording its undo
// information in a Journal; stepping back pops it. Breakpoints and watchpoints stop continues
// in either direction. State views (debug_state.hpp) are built on demand.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/debugger/debug_state.hpp"
#include "core/error.hpp"
#include "core/journal.hpp"
#include "core/run/object_session.hpp"
#include "core/verifier/verdict.hpp"

namespace bpfplay {

class ObjHeap;

struct DebugOptions {
    uint64_t journal_limit_bytes = Journal::kDefaultLimitBytes;
    uint32_t max_map_entries = 256;  // per map in a state view
};

enum class StopReason : uint8_t {
    None,         // nothing ran (e.g. step back at the start)
    Step,         // the command's own end (one step, a finished step over, ...)
    Breakpoint,
    Watchpoint,
    Exited,
    Faulted,
    Paused,       // continue ran its max_steps and stopped (call again to go on)
    HistoryStart, // stepping back reached the oldest recorded instruction
};
const char* stop_reason_name(StopReason r);

struct StopInfo {
    StopReason reason = StopReason::None;
    uint32_t id = 0;       // the breakpoint or watchpoint that stopped it
    uint64_t steps = 0;    // instructions run (or undone) by the command
    // A fast continue (DebugSession::cont_fast) ran the command unrecorded; fast_insns of its
    // steps ran as WebAssembly (0: the interpreter ran them all, as natively).
    bool fast = false;
    uint64_t fast_insns = 0;
};

struct Breakpoint {
    uint32_t id = 0;
    uint32_t pc = 0;
    std::string condition;  // "" or e.g. "r1 == 0x800", "r2 > 10 && r3 != 0"
    uint32_t line = 0;      // when set by source line
    std::string file;
    bool enabled = true;
    uint64_t hits = 0;
};

struct Watchpoint {
    uint32_t id = 0;
    std::string label;  // "fp-8 (8 bytes)", "packet[12..14)", "map counts key 0x06000000"
    uint64_t address = 0;
    uint32_t length = 0;
    // A map entry: stops when the entry's value changes or the entry appears or disappears.
    uint32_t map_id = UINT32_MAX;
    std::vector<uint8_t> key;
    uint64_t hits = 0;
};

// A finished run's path: one row per executed instruction.
struct TraceRow {
    uint64_t step = 0;  // 0-based instruction count
    uint32_t pc = 0;
    uint8_t depth = 0;
    // Registers whose value this instruction changed: (register, new value).
    std::vector<std::pair<uint8_t, uint64_t>> changed;
};

class DebugSession {
public:
    // Starts `program` of `object` on `input`, paused before its first instruction. The object
    // session must outlive the debug session; its maps are the ones the program changes.
    static Result<std::unique_ptr<DebugSession>> open(ObjectSession& object, std::string_view program,
                                                      const RunInput& input, const DebugOptions& options = {});
    // The callback of the armed BPF timer that fires next (ObjectSession::start_next_timer: the
    // clock moves on to its time), paused before its first instruction: a timer's callback is
    // debugged like a run. An error when no timer is armed.
    static Result<std::unique_ptr<DebugSession>> open_next_timer(ObjectSession& object,
                                                                 const DebugOptions& options = {});
    // Goes on with the callback of the armed timer that fires next, as open_next_timer does,
    // from the state the current run left (breakpoints and watchpoints stay). An error, and
    // nothing changed, when no timer is armed.
    Result<Unit> run_next_timer();
    // What fired, for a timer callback's session ("timer callback at insn 44 (...)"); else "".
    const std::string& timer() const;
    ~DebugSession();

    // ---- forward ----
    StopInfo step();       // one instruction (into calls)
    StopInfo step_over();  // a bpf-to-bpf call runs to its return as one step
    StopInfo step_out();   // run until the current function returns to its caller
    StopInfo step_line();  // run until the C source line changes (into calls)
    StopInfo next_line();  // the same, stepping over calls
    // Runs until a breakpoint, a watchpoint, exit or a fault, or max_steps instructions (then
    // Paused: call again to go on; the browser uses this to show progress and stop at once).
    StopInfo cont(uint64_t max_steps = UINT64_MAX);
    // Runs the rest of the program unrecorded, through the object session's fast run
    // (ObjectSession::set_fast_run; the interpreter without one), to its exit or fault: the
    // same registers, maps, output, events and instruction count as cont(), without checking
    // breakpoints or watchpoints on the way. The history before is forgotten with it (an
    // unrecorded stretch cannot be stepped back through): stepping back stops where it ended.
    // With max_steps, Paused after that many instructions (the page's slices, as cont's).
    StopInfo cont_fast(uint64_t max_steps = UINT64_MAX);
    // Back to the first instruction with the maps as they were when the session opened.
    void reset();

    // ---- backward ----
    StopInfo step_back();
    StopInfo step_back_over();           // back over a whole call
    // Back to where the previous source line started; over_calls: lines of called functions
    // are skipped (gdb's reverse-next), else a call's last line counts (reverse-step).
    StopInfo step_back_line(bool over_calls = false);
    StopInfo reverse_cont(uint64_t max_steps = UINT64_MAX);  // back to a breakpoint/watchpoint or the start
    // Goes to the state after exactly `count` instructions: backward through the journal, or
    // forward by running (stops early at exit, fault, or a count beyond the run's end).
    StopInfo goto_count(uint64_t count);

    // ---- breakpoints and watchpoints ----
    Result<uint32_t> add_breakpoint(uint32_t pc, std::string condition = {});
    // Every instruction where `line` of `file` starts ("" = any file; a suffix like "xdp.c" is
    // enough). Errors when no instruction has that line.
    Result<uint32_t> add_line_breakpoint(uint32_t line, std::string file = {}, std::string condition = {});
    bool remove_breakpoint(uint32_t id);
    bool enable_breakpoint(uint32_t id, bool enabled);
    const std::vector<Breakpoint>& breakpoints() const { return breakpoints_; }
    // Any readable address range of the program's memory (stack, packet, map value, context).
    Result<uint32_t> add_watch(uint64_t address, uint32_t length, std::string label = {});
    // fp_offset is negative: fp-8 is -8. Frame 0 is the program's own.
    Result<uint32_t> add_stack_watch(int32_t fp_offset, uint32_t length, uint32_t frame = 0);
    Result<uint32_t> add_packet_watch(uint32_t offset, uint32_t length);
    Result<uint32_t> add_map_watch(std::string_view map, std::span<const uint8_t> key);
    bool remove_watch(uint32_t id);
    const std::vector<Watchpoint>& watchpoints() const { return watchpoints_; }

    // The static checker's refusal of the program (its verdict; other verdicts are ignored):
    // from now on state() says where the run is on the refused path (CheckerPath's rule).
    void follow_checker(const verifier::Verdict& verdict);

    // ---- state ----
    DebugState state() const;
    uint64_t executed() const { return vm().executed(); }
    uint32_t pc() const { return vm().pc(); }
    RunStatus status() const { return vm().status(); }
    const Vm& vm() const { return *run_->vm; }
    const RunState& run_state() const { return *run_; }
    const Journal& journal() const { return journal_; }
    const LoadedProgram& program() const;  // the one running now (a tail call changes it)
    // The one frame `depth` runs (a tail call made from a subprogram leaves its callers in
    // the program that made it).
    const LoadedProgram& program_at(uint32_t depth) const;
    const ObjectSession& object() const { return object_; }
    uint64_t history_start() const;  // the smallest instruction count stepping back reaches
    uint64_t journal_bytes() const { return journal_.bytes_used(); }
    // Reads `length` bytes of the program's memory (nullopt when not readable).
    std::optional<std::vector<uint8_t>> read_memory(uint64_t address, uint32_t length) const;
    // Where a value points, as the register view shows it ("packet+14", "fp-8 (frame 0)").
    RegisterView describe_value(uint64_t v) const;
    // Evaluates a condition ("r1 == 0x800") or a value ("r10-16") on the current registers.
    Result<uint64_t> evaluate(std::string_view expression) const;

    // Per-instruction hit counts of the instructions executed so far (index = pc of the
    // current program; only history still in the journal is counted).
    std::vector<uint64_t> hit_counts() const;
    // Replays the recorded history (back to its start, then forward to where the session is),
    // so the session ends where it was.
    std::vector<TraceRow> trace(uint64_t max_rows = 1'000'000);

    // ---- changing the world between steps ----
    // Map edits made while paused: the program sees them from the next step on. They are not
    // part of the program's history, so the journal is cleared (stepping back stops here).
    int64_t update_map(std::string_view map, std::span<const uint8_t> key, std::span<const uint8_t> value,
                       uint64_t flags = 0);
    int64_t delete_map_entry(std::string_view map, std::span<const uint8_t> key);
    // For user-space commands on maps (map_command.hpp): the map by name (nullptr: none), and
    // what a command that changed one must say afterwards (the history is forgotten as above).
    Map* find_map(std::string_view map);
    void user_changed_maps() { forget_history(); }

private:
    DebugSession(ObjectSession& object, const DebugOptions& options);
    Vm& vm_mut() { return *run_->vm; }
    Result<Unit> start();
    static Result<std::unique_ptr<DebugSession>> open_mode(ObjectSession& object, std::string_view program,
                                                           const RunInput& input, const DebugOptions& options,
                                                           bool timer);
    void save_initial_state();  // what reset() goes back to: maps, timers, process, host state
    // One instruction forward; records the stop reason when it exits or faults.
    bool step_one(StopInfo& info);
    bool step_back_one(StopInfo& info);
    void note_last_step();  // remembers what the newest journal step wrote (the "changed" marks)
    void begin_command();
    StopInfo finish_command(StopInfo info);
    bool at_call() const;
    std::pair<std::string, uint32_t> line_at(uint32_t pc) const;  // (file, line); line 0: none
    StopInfo line_step(bool over_calls);
    std::vector<uint8_t> watch_value(const Watchpoint& w) const;
    void forget_history();
    // Compares the instructions run since the last command with the checker's path.
    void sync_checker();
    // After a step: does a breakpoint (at the new pc) or watchpoint stop us?
    bool check_stops(StopInfo& info);
    // Runs the call at pc to its return (true), or until something stops it (false).
    bool run_over_call(StopInfo& info);
    bool breakpoint_hit(StopInfo& info);
    bool watch_hit(StopInfo& info);
    void snapshot_watches();

    ObjectSession& object_;
    DebugOptions options_;
    std::string program_name_;
    RunInput input_;
    bool timer_ = false;          // a timer callback's session (open_next_timer)
    TimerTable initial_timers_;   // Host::timers when the session opened
    std::shared_ptr<const ObjHeap> initial_heap_;  // a copy of Host::heap then (null: none yet)
    std::unique_ptr<RunState> run_;
    Journal journal_;
    std::unique_ptr<HelperEffects> effects_;
    std::vector<std::vector<uint8_t>> initial_maps_;  // each map's state when the session opened
    BpfProcess initial_process_;  // the process's fds then (bpf_sys_bpf opens more)
    Lfsr113 initial_prandom_{1};
    uint64_t initial_cookie_ = 0;  // Host::net.last_cookie: a restarted run gets the same cookie
    std::vector<Breakpoint> breakpoints_;
    std::vector<Watchpoint> watchpoints_;
    std::vector<std::vector<uint8_t>> watch_values_;  // what each watchpoint saw last
    uint32_t next_id_ = 1;
    std::string last_stop_;
    // Registers before the last command, for RegisterView::changed.
    std::array<uint64_t, 11> regs_before_{};
    std::vector<Journal::Write> last_writes_;
    std::vector<const UndoAction*> last_actions_;  // the last step's helper effects
    std::unique_ptr<CheckerPath> checker_;  // the refused path the run is compared with
    std::string checker_program_;
};

}  // namespace bpfplay
