#pragma once
// One loaded BPF object and the emulated host it runs on, across many runs: what a user gets
// after `bpftool prog load` plus BPF_PROG_TEST_RUN. Maps persist between runs (as they do in the
// kernel between test runs of one loaded object); each run gets a fresh stack and context.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/context/field_context.hpp"
#include "core/fastrun/fast_run.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/loader/loader.hpp"
#include "core/run/bpf_process.hpp"
#include "core/run/iter_run.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/time_limit.hpp"
#include "core/vm.hpp"

namespace bpfplay {

struct RunInput {
    // XDP, TC and socket-filter programs: the frame, from the Ethernet header on.
    std::vector<uint8_t> packet;
    // Context bytes: struct pt_regs for kprobes, the bytes for raw-memory programs, or the
    // initial fields of struct __sk_buff / xdp_md (as BPF_PROG_TEST_RUN's ctx_in). Empty: zeros.
    std::vector<uint8_t> ctx;
    // fentry / fexit / fmod_ret / lsm / tp_btf / raw_tp: arguments set by name over ctx and the
    // defaults (core/run/btf_args_context.hpp), e.g. {"dfd", -100}.
    std::vector<std::pair<std::string, uint64_t>> args;
    // A tracepoint record's char array or __data_loc string set by its text, after `args`:
    // {"filename", "/usr/bin/curl"}.
    std::vector<std::pair<std::string, std::string>> text_args;
    uint64_t budget = kDefaultBudget;
    // An iter/bpf_map_elem program: the map it iterates over ("": the object's only map that is
    // not global data).
    std::string iter_map;
    // A struct_ops run inside a TCP flow (tcp_ca_flow.hpp): the socket's congestion state, set
    // before the run and read back after it. Null: the host socket's fields, as for one run.
    struct TcpCaCall* tcp_ca = nullptr;
};

struct RunResult {
    std::string program;
    RunStatus status = RunStatus::Ready;  // Exited or Faulted
    uint64_t r0 = 0;
    std::string return_name;   // "XDP_DROP", "TC_ACT_SHOT"; empty when the type names none
    uint64_t instructions = 0;
    uint32_t tail_calls = 0;
    std::vector<std::string> printk;  // this run's trace_printk lines
    std::vector<PerfEventRecord> perf_events;  // this run's bpf_perf_event_output samples
    std::vector<HostEvent> host_events; // what the emulated kernel did (host_events.hpp)
    std::vector<uint8_t> packet_out;  // the packet after the run (programs may rewrite it)
    std::vector<uint8_t> ctx_out;     // the context bytes after the run
    std::optional<Error> error;       // set when status is Faulted
    // For a run of a timer's callback: what fired ("timer callback at insn 40, map \"timers\"").
    std::string timer;
    // The timer callbacks that fired after this run, in the order they ran (run_due_timers).
    std::vector<RunResult> timer_runs;
    // An iterator program's run (iter_run.hpp): its calls and what reading the file gave.
    std::optional<IterOutput> iter;
};

// One run in progress: the Vm and the packet and context it works on (they outlive the Vm's
// use of them). The debugger drives `vm` step by step; ObjectSession::run drives it to the end.
struct RunState {
    const LoadedProgram* program = nullptr;
    RunInput input;
    PacketBuffer packet;  // XDP and __sk_buff programs' packet (kind None for others)
    std::vector<uint8_t> raw_ctx;
    std::unique_ptr<FieldContext> ctx;
    KernelObjects kernel;  // task_structs for bpf_get_current_task (window::kKernel)
    // A struct_ops run: the socket fields the program may write (struct_ops_run.hpp).
    std::shared_ptr<ContextAccess> kernel_writes;
    HelperEnv env;         // what the run's helpers see (vm->env points here)
    std::unique_ptr<Vm> vm;
    std::string timer;        // a timer callback's run: what fired (RunResult::timer)
    uint64_t timer_addr = 0;  // and its struct bpf_timer's address
    std::unique_ptr<IterState> iter;  // an iterator program's run (iter_run.hpp)
};

// The kernel's name for a program's return value ("XDP_PASS"), or "" when its type has none.
std::string return_value_name(ProgType type, uint64_t r0);

class ObjectSession {
public:
    // Loads an object (the bytes of a clang-compiled .o); `object_name` is its file name, which
    // names global data maps as libbpf does. The host's ncpus sizes per-CPU maps; every perf
    // event array gets a reader per CPU (attach_perf_readers), as perf_buffer__new would.
    static Result<std::unique_ptr<ObjectSession>> open(std::span<const uint8_t> elf_bytes,
                                                       std::string object_name, Host host = {});

    // A program given as llvm-objdump text (what `bpfvm disasm` prints, labels allowed) as a
    // one-program object named "asm". `section` picks its type as a section name would
    // ("xdp", "socket", "kprobe/x"); "" runs it on raw memory (r1 = bytes, r2 = length).
    static Result<std::unique_ptr<ObjectSession>> open_assembly(std::string_view text, std::string_view section,
                                                                Host host = {});

    const LoadedObject& object() const { return object_; }
    LoadedObject& object() { return object_; }
    Host& host() { return host_; }
    const Host& host() const { return host_; }
    // The CPU the next runs execute on (bpf_get_smp_processor_id, which copy of a per-CPU map's
    // value they see); the maps carry over. An error names the host's CPUs.
    Result<Unit> set_cpu(uint64_t cpu);
    // What fentry / fexit program `program` traces when its attach point is no kernel function
    // (core/loader/traced_program.hpp): a program of this object by name, or a type ("xdp", "tc").
    Result<Unit> set_traced(std::string_view program, std::string_view target);
    // The user process running the tests: its bpf fds (the object's BTF, maps and programs,
    // then whatever syscall programs opened with bpf_sys_bpf). It lives as long as the session.
    BpfProcess& process() { return process_; }
    const BpfProcess& process() const { return process_; }

    // Runs one program to its end. An unknown program name is an error result.
    RunResult run(std::string_view program, const RunInput& input);
    // The same in two halves: a run set up and ready at its first instruction (the caller runs
    // run->vm), and the results of a run that ended. finish() moves the host clock on.
    Result<std::unique_ptr<RunState>> start(std::string_view program, const RunInput& input);
    RunResult finish(RunState& run);

    // ---- BPF timers (Host::timers) on the virtual clock ----
    // Runs the callbacks of every timer due now, earliest first (a callback may start timers
    // that are due at once: at most kMaxTimerRuns run). run() calls it after each run.
    static constexpr size_t kMaxTimerRuns = 64;
    std::vector<RunResult> run_due_timers();
    // Moves the clock on by `ns`, firing the timers that come due on the way at their time.
    std::vector<RunResult> advance_time(uint64_t ns);
    // The earliest due timer's callback as a run ready at its first instruction (the debugger
    // steps through it); nullopt when no timer is due. The timer is disarmed.
    std::optional<std::unique_ptr<RunState>> start_due_timer();
    // The same for the armed timer that fires next, the clock moved on to its time if it is not
    // due yet; nullopt when no timer is armed.
    std::optional<std::unique_ptr<RunState>> start_next_timer();
    // ---- the fast run (core/fastrun) ----
    // With a factory, run() and the timers' runs go through each program's translated module
    // (translated once, on its first run) and the engine the factory gives for it: the wasm
    // build's make_wasm_engine, or a test's. A program the translator refuses, or a module the
    // factory gives no engine for, runs in the interpreter. nullptr (the default): the
    // interpreter alone. Results are the same either way; only the speed differs.
    using FastEngineFactory = std::unique_ptr<FastEngine> (*)(const FastModule&);
    void set_fast_run(FastEngineFactory factory) { fast_factory_ = factory; }
    // Runs `vm`, one of this session's runs paused anywhere (not recording), on to its exit or
    // fault as run() does, or for `max_insns` instructions (then vm is Ready and a later call
    // goes on): the debugger's fast continue. Gives the instructions the modules ran (0 when
    // the interpreter ran them all).
    uint64_t run_to_end(Vm& vm, uint64_t max_insns = UINT64_MAX) { return run_vm(vm, max_insns); }
    // ---- a wall-clock limit (core/time_limit.hpp) ----
    // Every later run (run(), the timers' runs) stops with an error once the deadline passes.
    // Only for interpreted runs: the fast run is for the page, whose worker the user can stop.
    void set_time_limit(const TimeLimit& limit) { time_limit_ = limit; }

private:
    ObjectSession() = default;
    // vm.run(max_insns), or the fast run of its program (what its modules ran)
    uint64_t run_vm(Vm& vm, uint64_t max_insns = UINT64_MAX);
    // An fexit's traced program of this object run on the fexit's packet (ret and the packet after it).
    Result<RunResult> run_traced_target(const LoadedProgram& tracer, const RunInput& input);
    struct FastProgram {
        std::unique_ptr<FastModule> module;  // null: the translator refused the program
        std::unique_ptr<FastEngine> engine;  // null: no engine for it
    };
    FastEngineFactory fast_factory_ = nullptr;
    std::optional<TimeLimit> time_limit_;
    std::map<const Program*, FastProgram> fast_programs_;
    void index_programs();  // fills programs_ once object_ is loaded
    void open_process();    // opens the object's fds in process_, as libbpf's load does
    LoadedObject object_;
    Host host_;
    BpfProcess process_;
    // object_.programs' decoded programs by index, for tail calls; null for one that failed to load.
    std::vector<const Program*> programs_;
    uint64_t iter_sessions_ = 0;  // iterator files opened so far: the next one's session_id - 1
};

// The result as one JSON object: "program", "return" (r0 unsigned), "return_name",
// "instructions", "printk" (array), "maps" (map name -> array of {"key", "value"} decoded
// through BTF, plus "key_hex"/"value_hex"; per-CPU maps give "values" per CPU), "packet_out"
// (hex), "ringbuf" (map name -> record hex), "perf_events" (this run's samples:
// [{"map", "cpu", "data" (hex), "executed", "pc"}]), and "error" (absent on success).
// (hex), "host_events" (host_events_json), and "error" (absent on success).
std::string run_result_json(const ObjectSession& session, const RunResult& result);
// The same members, into an object the caller opened (bpfvm run adds the runs' return values).
class JsonWriter;
void run_result_members(JsonWriter& w, const ObjectSession& session, const RunResult& result);
// A key or value as JSON, decoded through the object's BTF type (a hex string without one).
std::string decoded_json(const ObjectSession& session, uint32_t type_id, std::span<const uint8_t> bytes);

// The same for people: return value, printk lines, every map's entries as C values.
std::string run_result_text(const ObjectSession& session, const RunResult& result);

}  // namespace bpfplay
