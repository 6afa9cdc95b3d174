#include "core/run/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "core/hex.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/open_flags.hpp"
#include "core/host/syscall_table.hpp"
#include "core/json/json.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/ringbuf_records.hpp"

namespace bpfplay {

namespace {

// Where in the kernel an event's programs run, in the order the kernel reaches those places.
enum class HookPoint : uint8_t {
    ProcessExec,     // trace_sched_process_exec in exec_binprm
    ProcessExit,     // trace_sched_process_exit in do_exit
    SysEnter,        // trace_sys_enter on the way into the call (raw_syscalls and syscalls events)
    OpenEntry,       // do_sys_openat2's entry
    VfsOpenEntry,    // vfs_open's entry (only an open that gets that far: one that succeeds)
    VfsOpenReturn,   // vfs_open's return
    OpenReturn,      // do_sys_openat2's return
    SysExit,         // trace_sys_exit on the way out, rax holding the result
    SchedSwitch,     // trace_sched_switch in __schedule, before the switch (current is prev)
    SchedWakeup,     // trace_sched_wakeup in ttwu_do_wakeup
    SchedWakeupNew,  // trace_sched_wakeup_new in wake_up_new_task
};

// How a program attaches there.
enum class HookKind : uint8_t {
    Tracepoint,     // SEC("tp/<system>/<event>"): the event's record
    BtfTracepoint,  // SEC("tp_btf/<event>"), SEC("raw_tp/<event>"): the tracepoint's arguments
    Kprobe,         // SEC("kprobe/<function>"): pt_regs at the entry
    Kretprobe,      // SEC("kretprobe/<function>"): pt_regs at the return
    Fentry,         // SEC("fentry/<function>"): the arguments
    Fexit,          // SEC("fexit/<function>"): the arguments and the return value
};

struct ScenarioHook {
    ScenarioEventKind kind;
    HookPoint point;
    HookKind hook;
    const char* target;  // "sched/sched_process_exec", "sched_process_exec", "do_sys_openat2"
};

// One row per hook, each event's in the order the kernel reaches them.
constexpr ScenarioHook kScenarioHooks[] = {
    {ScenarioEventKind::Exec, HookPoint::ProcessExec, HookKind::Tracepoint, "sched/sched_process_exec"},
    {ScenarioEventKind::Exec, HookPoint::ProcessExec, HookKind::BtfTracepoint, "sched_process_exec"},
    {ScenarioEventKind::Exit, HookPoint::ProcessExit, HookKind::Tracepoint, "sched/sched_process_exit"},
    {ScenarioEventKind::Exit, HookPoint::ProcessExit, HookKind::BtfTracepoint, "sched_process_exit"},
    {ScenarioEventKind::Open, HookPoint::SysEnter, HookKind::Tracepoint, "raw_syscalls/sys_enter"},
    {ScenarioEventKind::Open, HookPoint::SysEnter, HookKind::BtfTracepoint, "sys_enter"},
    {ScenarioEventKind::Open, HookPoint::SysEnter, HookKind::Tracepoint, "syscalls/sys_enter_openat"},
    {ScenarioEventKind::Open, HookPoint::OpenEntry, HookKind::Kprobe, "do_sys_openat2"},
    {ScenarioEventKind::Open, HookPoint::OpenEntry, HookKind::Fentry, "do_sys_openat2"},
    {ScenarioEventKind::Open, HookPoint::VfsOpenEntry, HookKind::Kprobe, "vfs_open"},
    {ScenarioEventKind::Open, HookPoint::VfsOpenEntry, HookKind::Fentry, "vfs_open"},
    {ScenarioEventKind::Open, HookPoint::VfsOpenReturn, HookKind::Kretprobe, "vfs_open"},
    {ScenarioEventKind::Open, HookPoint::VfsOpenReturn, HookKind::Fexit, "vfs_open"},
    {ScenarioEventKind::Open, HookPoint::OpenReturn, HookKind::Kretprobe, "do_sys_openat2"},
    {ScenarioEventKind::Open, HookPoint::OpenReturn, HookKind::Fexit, "do_sys_openat2"},
    {ScenarioEventKind::Open, HookPoint::SysExit, HookKind::Tracepoint, "syscalls/sys_exit_openat"},
    {ScenarioEventKind::Open, HookPoint::SysExit, HookKind::Tracepoint, "raw_syscalls/sys_exit"},
    {ScenarioEventKind::Open, HookPoint::SysExit, HookKind::BtfTracepoint, "sys_exit"},
    {ScenarioEventKind::Switch, HookPoint::SchedSwitch, HookKind::Tracepoint, "sched/sched_switch"},
    {ScenarioEventKind::Switch, HookPoint::SchedSwitch, HookKind::BtfTracepoint, "sched_switch"},
    {ScenarioEventKind::Wakeup, HookPoint::SchedWakeup, HookKind::Tracepoint, "sched/sched_wakeup"},
    {ScenarioEventKind::Wakeup, HookPoint::SchedWakeup, HookKind::BtfTracepoint, "sched_wakeup"},
    {ScenarioEventKind::WakeupNew, HookPoint::SchedWakeupNew, HookKind::Tracepoint, "sched/sched_wakeup_new"},
    {ScenarioEventKind::WakeupNew, HookPoint::SchedWakeupNew, HookKind::BtfTracepoint, "sched_wakeup_new"},
};

bool attached_to(const LoadedProgram& p, const ScenarioHook& h) {
    if (p.attach_target != h.target) return false;
    switch (h.hook) {
    case HookKind::Tracepoint: return p.type == ProgType::Tracepoint;
    case HookKind::BtfTracepoint:
        return p.type == ProgType::RawTracepoint || p.type == ProgType::RawTracepointWritable ||
               (p.type == ProgType::Tracing && p.attach == AttachType::TraceRawTp);
    case HookKind::Kprobe: return p.type == ProgType::Kprobe && p.section.starts_with("kprobe/");
    case HookKind::Kretprobe: return p.type == ProgType::Kprobe && p.section.starts_with("kretprobe/");
    case HookKind::Fentry: return p.type == ProgType::Tracing && p.attach == AttachType::TraceFentry;
    case HookKind::Fexit: return p.type == ProgType::Tracing && p.attach == AttachType::TraceFexit;
    }
    return false;
}

std::string hook_section(const ScenarioHook& h) {
    const std::string target = h.target;
    switch (h.hook) {
    case HookKind::Tracepoint: return "tp/" + target;
    case HookKind::BtfTracepoint: return "tp_btf/" + target + ", raw_tp/" + target;
    case HookKind::Kprobe: return "kprobe/" + target;
    case HookKind::Kretprobe: return "kretprobe/" + target;
    case HookKind::Fentry: return "fentry/" + target;
    case HookKind::Fexit: return "fexit/" + target;
    }
    return target;
}

// The event's hooks that run: an open that fails never reaches vfs_open.
bool hook_runs(const ScenarioHook& h, const ScenarioEvent& e) {
    if (h.kind != e.kind) return false;
    const bool vfs = h.point == HookPoint::VfsOpenEntry || h.point == HookPoint::VfsOpenReturn;
    return !vfs || e.ret >= 0;
}

std::string last_part(std::string_view path) {
    const size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Error scenario_error(std::string what) {
    return make_error(ErrorKind::Parse, "scenario: " + std::move(what), std::nullopt,
                      "{\"events\": [{\"exec\": \"/usr/bin/ls\", \"pid\": 4243}, {\"open\": \"/etc/passwd\"}, "
                      "{\"exit\": 4243, \"status\": 0, \"after_ns\": 2500000}]}");
}

// A task the scenario started: what a later event naming its pid brings back.
struct ScenarioTask {
    uint32_t pid;
    std::string comm, filename;
    int32_t next_fd = 3;  // its lowest unused fd: 0, 1 and 2 are its stdin, stdout, stderr
};

constexpr int32_t kMaxErrno = 4095;  // MAX_ERRNO: a return value above -4096 is an error

// x86-64's open(2) flags the kernel accepts (VALID_OPEN_FLAGS, O_ACCMODE's two bits included).
constexpr uint32_t kScenarioValidOpenFlags = 037777703;

// What the scenario's JSON members may be, per event.
bool member_allowed(ScenarioEventKind kind, std::string_view key) {
    if (key == "after_ns") return true;
    switch (kind) {
    case ScenarioEventKind::Exec: return key == "exec" || key == "pid" || key == "comm";
    case ScenarioEventKind::Exit: return key == "exit" || key == "status" || key == "signal";
    case ScenarioEventKind::Open:
        return key == "open" || key == "pid" || key == "flags" || key == "mode" || key == "fd" || key == "error";
    case ScenarioEventKind::Switch: return key == "switch" || key == "pid" || key == "prev_state";
    case ScenarioEventKind::Wakeup: return key == "wakeup" || key == "pid";
    case ScenarioEventKind::WakeupNew: return key == "wakeup_new" || key == "pid";
    }
    return false;
}

constexpr ScenarioEventKind kScenarioEventKinds[] = {ScenarioEventKind::Exec,   ScenarioEventKind::Exit,
                                                     ScenarioEventKind::Open,   ScenarioEventKind::Switch,
                                                     ScenarioEventKind::Wakeup, ScenarioEventKind::WakeupNew};

// Reads one event's members past its kind; tasks and `running` (the task that ran last) as the
// events so far left them.
class ScenarioParser {
public:
    Result<ScenarioEvent> event(const JsonValue& e, size_t index) {
        at_ = "event " + std::to_string(index + 1) + ": ";
        ScenarioEvent ev;
        const JsonValue* what = nullptr;
        for (ScenarioEventKind kind : kScenarioEventKinds)
            if (const JsonValue* v = e.find(scenario_event_name(kind))) {
                if (what) return fail("give one event: \"exec\", \"exit\", \"open\", \"switch\", \"wakeup\" or \"wakeup_new\"");
                what = v;
                ev.kind = kind;
            }
        if (!what)
            return fail("give one of \"exec\" (a file), \"exit\" (a pid), \"open\" (a path), \"switch\", \"wakeup\" or "
                        "\"wakeup_new\" (a pid)");
        for (size_t k = 0; k < e.size(); ++k)
            if (!member_allowed(ev.kind, e.keys()[k]))
                return fail("unknown member \"" + e.keys()[k] + "\" of " + std::string(scenario_event_name(ev.kind)));
        if (const JsonValue* after = e.find("after_ns")) {
            const auto v = after->as_uint64();
            if (!v) return fail("\"after_ns\" is not a number of nanoseconds");
            ev.after_ns = *v;
        }
        Result<Unit> r = Unit{};
        switch (ev.kind) {
        case ScenarioEventKind::Exec: r = exec(e, *what, ev); break;
        case ScenarioEventKind::Exit: r = exit(e, *what, ev); break;
        case ScenarioEventKind::Open: r = open(e, *what, ev); break;
        case ScenarioEventKind::Switch: r = sched(e, *what, ev, "switch"); break;
        case ScenarioEventKind::Wakeup: r = sched(e, *what, ev, "wakeup"); break;
        case ScenarioEventKind::WakeupNew: r = sched(e, *what, ev, "wakeup_new"); break;
        }
        if (!r) return r.error();
        return ev;
    }

private:
    Error fail(const std::string& what) const { return scenario_error(at_ + what); }

    ScenarioTask* task(uint64_t pid) {
        ScenarioTask* found = nullptr;
        for (ScenarioTask& t : tasks_)
            if (t.pid == pid) found = &t;  // the last exec of a pid is the one that counts
        return found;
    }

    // The task an event's "pid" names, or the one that ran last.
    Result<ScenarioTask*> current(const JsonValue& e, std::string_view event) {
        const JsonValue* pid = e.find("pid");
        if (!pid) {
            if (ScenarioTask* t = task(running_)) return t;
            return fail("\"pid\": which task " + std::string(event) + "s (no exec before started one)");
        }
        const auto v = pid->as_uint64();
        ScenarioTask* t = v ? task(*v) : nullptr;
        if (!t) return fail("\"pid\" is the pid of a task an earlier exec started");
        return t;
    }

    static void set_current(ScenarioEvent& ev, const ScenarioTask& t) {
        ev.pid = t.pid;
        ev.comm = t.comm;
        ev.filename = t.filename;
    }

    Result<Unit> exec(const JsonValue& e, const JsonValue& file, ScenarioEvent& ev) {
        if (!file.is_string() || file.as_string().empty()) return fail("\"exec\" names the executable");
        ev.filename = file.as_string();
        ev.pid = next_pid_;
        if (const JsonValue* pid = e.find("pid")) {
            const auto v = pid->as_uint64();
            if (!v || *v == 0 || *v > 4194304) return fail("\"pid\" is a pid (1 to 4194304)");
            ev.pid = uint32_t(*v);
        }
        ev.comm = last_part(ev.filename);
        if (const JsonValue* comm = e.find("comm")) {
            if (!comm->is_string()) return fail("\"comm\" is a text");
            ev.comm = comm->as_string();
        }
        next_pid_ = std::max(next_pid_, ev.pid + 1);
        tasks_.push_back({ev.pid, ev.comm, ev.filename});
        running_ = ev.pid;
        return Unit{};
    }

    Result<Unit> exit(const JsonValue& e, const JsonValue& exiting, ScenarioEvent& ev) {
        const auto pid = exiting.as_uint64();
        if (!pid) return fail("\"exit\" is the pid of a task an earlier event started");
        const ScenarioTask* t = task(*pid);
        if (!t) return fail("no earlier exec started pid " + std::to_string(*pid));
        set_current(ev, *t);
        const JsonValue* status = e.find("status");
        const JsonValue* signal = e.find("signal");
        if (status && signal) return fail("give \"status\" or \"signal\", not both");
        if (status) {
            const auto v = status->as_uint64();
            if (!v || *v > 255) return fail("\"status\" is an exit status (0 to 255)");
            ev.exit_code = int32_t(*v << 8);
        } else if (signal) {
            const auto v = signal->as_uint64();
            if (!v || *v == 0 || *v > 64) return fail("\"signal\" is a signal number (1 to 64)");
            ev.exit_code = int32_t(*v);
        }
        return Unit{};
    }

    Result<Unit> open(const JsonValue& e, const JsonValue& opened, ScenarioEvent& ev) {
        if (!opened.is_string() || opened.as_string().empty()) return fail("\"open\" names the file's path");
        ev.path = opened.as_string();
        auto t = current(e, "open");
        if (!t) return t.error();
        set_current(ev, **t);
        ev.flags = 0;  // O_RDONLY
        if (const JsonValue* flags = e.find("flags")) {
            // A plain value, not an optional: GCC 12 -O3 misreports an optional<uint64_t> here.
            uint64_t v = ~uint64_t(0);
            if (flags->is_string())
                v = parse_open_flags(flags->as_string()).value_or(~uint32_t(0));
            else
                v = flags->as_uint64().value_or(~uint64_t(0));
            if (v & ~uint64_t(kScenarioValidOpenFlags))
                return fail("\"flags\" are open(2) flags: a number or names joined by '|' (\"O_WRONLY|O_CREAT\")");
            ev.flags = uint32_t(v);
        }
        if (const JsonValue* mode = e.find("mode")) {
            const auto v = mode->as_uint64();
            if (!v || *v > 07777) return fail("\"mode\" is a file mode (0 to 07777)");
            ev.mode = uint32_t(*v);
        }
        const JsonValue* fd = e.find("fd");
        const JsonValue* error = e.find("error");
        if (fd && error) return fail("give \"fd\" or \"error\", not both");
        ev.ret = (*t)->next_fd;
        if (fd) {
            const auto v = fd->as_uint64();
            if (!v || *v > 1048575) return fail("\"fd\" is a file descriptor (0 to 1048575)");
            ev.ret = int32_t(*v);
        } else if (error) {
            const auto v = error->as_uint64();
            if (!v || *v == 0 || *v > uint64_t(kMaxErrno)) return fail("\"error\" is an errno (1 to 4095)");
            ev.ret = -int32_t(*v);
        }
        if (ev.ret >= 0) (*t)->next_fd = std::max((*t)->next_fd, ev.ret + 1);
        running_ = ev.pid;
        return Unit{};
    }

    // switch, wakeup, wakeup_new: the current task and the other one the event names.
    Result<Unit> sched(const JsonValue& e, const JsonValue& other, ScenarioEvent& ev, std::string_view name) {
        const auto pid = other.as_uint64();
        const ScenarioTask* o = pid ? task(*pid) : nullptr;
        if (!o) return fail("\"" + std::string(name) + "\" is the pid of a task an earlier exec started");
        auto t = current(e, name);
        if (!t) return t.error();
        set_current(ev, **t);
        ev.other_pid = o->pid;
        ev.other_comm = o->comm;
        ev.other_filename = o->filename;
        if (ev.kind != ScenarioEventKind::Switch) return Unit{};
        if (ev.other_pid == ev.pid) return fail("a task cannot switch to itself (pid " + std::to_string(ev.pid) + ")");
        if (const JsonValue* state = e.find("prev_state")) {
            const std::string s = state->is_string() ? state->as_string() : "";
            if (s != "S" && s != "D" && s != "R")
                return fail("\"prev_state\" is \"S\" (sleeps), \"D\" (sleeps uninterruptibly) or \"R\" (preempted)");
            ev.prev_state = s == "S" ? 1 : s == "D" ? 2 : 0;
        }
        running_ = ev.other_pid;
        return Unit{};
    }

    std::string at_;
    std::vector<ScenarioTask> tasks_;
    uint32_t next_pid_ = 4243;
    uint32_t running_ = 0;
};

// The kernel's nice-0 priority, what sched events report as prio.
constexpr uint64_t kScenarioNormalPrio = 120;
// What trace_sched_switch's record says of a preempted task: TASK_REPORT_MAX, shown "R+".
constexpr uint64_t kTaskReportMax = 0x100;

// The record's prev_state (__trace_sched_switch_state): TASK_REPORT_MAX when preempted, else
// the state's report bit (TASK_INTERRUPTIBLE 1, TASK_UNINTERRUPTIBLE 2).
uint64_t switch_record_state(const ScenarioEvent& e) {
    if (e.prev_state == 0) return kTaskReportMax;
    return e.prev_state;
}

// The run's context values for one hook of an event, set by name over the host's defaults.
RunInput hook_input(const ScenarioHook& h, const ScenarioEvent& e, const KernelObjectAddresses& k, const Host& host) {
    RunInput in;
    auto& a = in.args;
    auto& text = in.text_args;
    const uint64_t ret = uint64_t(int64_t(e.ret));
    const uint64_t other = k.other_tasks.empty() ? 0 : k.other_tasks.front();
    const bool tp = h.hook == HookKind::Tracepoint;
    switch (h.point) {
    case HookPoint::ProcessExec:
    case HookPoint::ProcessExit: break;  // the host's task is the record's and the arguments'
    case HookPoint::SysEnter:
        // The records follow Host::syscall; sys_enter's arguments are the task's pt_regs and the call.
        if (!tp) a = {{"regs", k.pt_regs}, {"id", host.syscall.nr}};
        break;
    case HookPoint::OpenEntry:
        a = {{"dfd", host.syscall.args[0]}, {"filename", host.syscall.args[1]}, {"how", k.open_how}};
        break;
    case HookPoint::VfsOpenEntry:
        a = {{"path", k.open_path}, {"file", k.open_file}};
        break;
    case HookPoint::VfsOpenReturn:
        if (h.hook == HookKind::Fexit) a = {{"path", k.open_path}, {"file", k.open_file}};
        a.push_back({"ret", 0});
        break;
    case HookPoint::OpenReturn:
        if (h.hook == HookKind::Fexit)
            a = {{"dfd", host.syscall.args[0]}, {"filename", host.syscall.args[1]}, {"how", k.open_how}};
        a.push_back({"ret", ret});
        break;
    case HookPoint::SysExit:
        if (tp && h.target == std::string_view("raw_syscalls/sys_exit")) a.push_back({"id", host.syscall.nr});
        if (!tp) a.push_back({"regs", k.pt_regs});
        a.push_back({"ret", ret});
        break;
    case HookPoint::SchedSwitch:
        if (tp) {
            a = {{"prev_pid", e.pid}, {"prev_prio", kScenarioNormalPrio}, {"prev_state", switch_record_state(e)},
                 {"next_pid", e.other_pid}, {"next_prio", kScenarioNormalPrio}};
            text = {{"prev_comm", e.comm}, {"next_comm", e.other_comm}};
        } else {
            a = {{"preempt", e.prev_state == 0}, {"prev", k.task}, {"next", other}, {"prev_state", e.prev_state}};
        }
        break;
    case HookPoint::SchedWakeup:
    case HookPoint::SchedWakeupNew:
        if (tp) {
            a = {{"pid", e.other_pid}, {"prio", kScenarioNormalPrio}, {"target_cpu", host.cpu}};
            text = {{"comm", e.other_comm}};
        } else {
            a = {{"p", other}};
        }
        break;
    }
    return in;
}

// The host as the event finds it: its task current, the other task laid out, the call made.
void set_host_for(Host& host, const ScenarioEvent& e) {
    host.task.pid = host.task.tgid = e.pid;
    host.task.set_comm(e.comm);
    host.exe = e.filename;
    host.task.exit_code = e.kind == ScenarioEventKind::Exit ? e.exit_code : 0;
    host.task.state = e.kind == ScenarioEventKind::Switch ? e.prev_state : 0;
    host.other_tasks.clear();
    if (e.other_pid) {
        OtherTask o;
        o.task = host.task;
        o.task.pid = o.task.tgid = e.other_pid;
        o.task.set_comm(e.other_comm);
        o.task.state = 0;  // runnable: switched to, or just woken
        o.task.exit_code = 0;
        o.exe = e.other_filename;
        host.other_tasks.push_back(std::move(o));
    }
    if (e.kind != ScenarioEventKind::Open) return;
    // openat(AT_FDCWD, path, flags, mode): the path in the task's user memory where the
    // default call's is.
    constexpr uint64_t kAtFdcwd = uint64_t(-100);
    host.syscall = HostSyscall{};
    host.syscall.nr = syscall_number("openat").value_or(0);
    host.syscall.args = {kAtFdcwd, kDefaultOpenatPathAddr, e.flags, e.mode, 0, 0};
    host.open_path = e.ret >= 0 ? e.path : "";
    std::vector<uint8_t> path(e.path.begin(), e.path.end());
    path.push_back(0);
    if (UserRegion* r = host.user_region(kDefaultOpenatPathAddr, 1); r && r->addr == kDefaultOpenatPathAddr)
        r->bytes = std::move(path);
    else
        host.user_memory.push_back({kDefaultOpenatPathAddr, std::move(path)});
}

}  // namespace

std::string_view scenario_event_name(ScenarioEventKind kind) {
    switch (kind) {
    case ScenarioEventKind::Exec: return "exec";
    case ScenarioEventKind::Exit: return "exit";
    case ScenarioEventKind::Open: return "open";
    case ScenarioEventKind::Switch: return "switch";
    case ScenarioEventKind::Wakeup: return "wakeup";
    case ScenarioEventKind::WakeupNew: return "wakeup_new";
    }
    return "";
}

std::vector<std::string> scenario_hook_sections(ScenarioEventKind kind) {
    std::vector<std::string> out;
    for (const ScenarioHook& h : kScenarioHooks)
        if (h.kind == kind) out.push_back(hook_section(h));
    return out;
}

Scenario default_scenario() {
    Scenario s;
    const auto add_exec = [&](uint64_t after, uint32_t pid, const char* comm, const char* file) {
        s.events.push_back({ScenarioEventKind::Exec, after, pid, comm, file, 0});
    };
    const auto add_exit = [&](uint64_t after, uint32_t pid, const char* comm, const char* file, int32_t code) {
        s.events.push_back({ScenarioEventKind::Exit, after, pid, comm, file, code});
    };
    const auto add_open = [&](uint64_t after, uint32_t pid, const char* comm, const char* file, const char* path,
                          uint32_t flags, int32_t ret) {
        ScenarioEvent e{ScenarioEventKind::Open, after, pid, comm, file, 0};
        e.path = path;
        e.flags = flags;
        e.ret = ret;
        s.events.push_back(std::move(e));
    };
    const auto add_sched = [&](ScenarioEventKind kind, uint64_t after, uint32_t pid, const char* comm, const char* file,
                           uint32_t other, const char* other_comm, const char* other_file, uint32_t prev_state) {
        ScenarioEvent e{kind, after, pid, comm, file, 0};
        e.other_pid = other;
        e.other_comm = other_comm;
        e.other_filename = other_file;
        e.prev_state = prev_state;
        s.events.push_back(std::move(e));
    };
    constexpr uint32_t kOCloexec = 02000000;
    constexpr int32_t kEacces = 13;
    add_exec(0, 4243, "ls", "/usr/bin/ls");
    add_exec(1'000'000, 4244, "cat", "/usr/bin/cat");
    add_open(200'000, 4243, "ls", "/usr/bin/ls", "/etc/ld.so.cache", kOCloexec, 3);
    add_open(300'000, 4244, "cat", "/usr/bin/cat", "/etc/shadow", 0, -kEacces);
    // ls blocks (reading its terminal), cat runs; ls is woken and takes the CPU back from cat.
    add_sched(ScenarioEventKind::Switch, 500'000, 4243, "ls", "/usr/bin/ls", 4244, "cat", "/usr/bin/cat", 1);
    add_sched(ScenarioEventKind::Wakeup, 500'000, 4244, "cat", "/usr/bin/cat", 4243, "ls", "/usr/bin/ls", 1);
    add_sched(ScenarioEventKind::Switch, 500'000, 4244, "cat", "/usr/bin/cat", 4243, "ls", "/usr/bin/ls", 0);
    add_exit(500'000, 4243, "ls", "/usr/bin/ls", 0);
    add_exit(500'000, 4244, "cat", "/usr/bin/cat", 1 << 8);
    return s;
}

Result<Scenario> scenario_from_json(std::string_view json) {
    auto doc = parse_json(json);
    if (!doc) return scenario_error(doc.error().to_string());
    const JsonValue* events = doc->find("events");
    if (!events || !events->is_array()) return scenario_error("the document needs \"events\": a list");
    Scenario s;
    ScenarioParser parser;
    for (size_t i = 0; i < events->size(); ++i) {
        const JsonValue& e = events->items()[i];
        if (!e.is_object()) return scenario_error("event " + std::to_string(i + 1) + ": not an object");
        auto ev = parser.event(e, i);
        if (!ev) return ev.error();
        s.events.push_back(std::move(*ev));
    }
    return s;
}

std::string scenario_event_text(const ScenarioEvent& e) {
    const std::string who = "pid " + std::to_string(e.pid) + " (" + e.comm + ")";
    const std::string other = "pid " + std::to_string(e.other_pid) + " (" + e.other_comm + ")";
    switch (e.kind) {
    case ScenarioEventKind::Exec: return "exec: " + who + " runs " + e.filename;
    case ScenarioEventKind::Exit:
        if (e.exit_code & 0x7f) return "exit: " + who + " killed by signal " + std::to_string(e.exit_code & 0x7f);
        return "exit: " + who + " with status " + std::to_string((e.exit_code >> 8) & 0xff);
    case ScenarioEventKind::Open: {
        std::string t = "open: " + who + " opens " + e.path + " (" + open_flags_text(e.flags);
        if (e.mode) {
            char octal[12];
            const auto end = std::to_chars(octal, octal + sizeof octal, e.mode, 8).ptr;
            t += ", mode 0" + std::string(octal, end);
        }
        return t + "): " + (e.ret >= 0 ? "fd " : "error ") + std::to_string(e.ret);
    }
    case ScenarioEventKind::Switch: {
        const char* how = e.prev_state == 0 ? "is preempted (R)" : e.prev_state == 2 ? "waits (D)" : "sleeps (S)";
        return "switch: " + who + " " + how + ", " + other + " runs";
    }
    case ScenarioEventKind::Wakeup: return "wakeup: " + who + " wakes " + other;
    case ScenarioEventKind::WakeupNew: return "wakeup_new: " + who + " wakes its new task " + other;
    }
    return "";
}

std::vector<const LoadedProgram*> scenario_programs(const ObjectSession& session, ScenarioEventKind kind) {
    std::vector<const LoadedProgram*> out;
    for (const ScenarioHook& h : kScenarioHooks)
        if (h.kind == kind)
            for (const LoadedProgram& p : session.object().programs)
                if (attached_to(p, h) && std::find(out.begin(), out.end(), &p) == out.end()) out.push_back(&p);
    return out;
}

Result<std::vector<ScenarioStep>> play_scenario(ObjectSession& session, const Scenario& scenario) {
    bool any = false;
    for (const ScenarioEvent& e : scenario.events) any |= !scenario_programs(session, e.kind).empty();
    if (!any) {
        std::string hooks;
        for (const ScenarioHook& h : kScenarioHooks) {
            const ScenarioEvent* used = nullptr;
            for (const ScenarioEvent& e : scenario.events)
                if (e.kind == h.kind) used = &e;
            if (used) hooks += (hooks.empty() ? "" : ", ") + hook_section(h);
        }
        return make_error(ErrorKind::Load, "no program of the object is attached to the scenario's events",
                          std::nullopt, "A scenario runs programs attached to " + hooks + ".");
    }
    std::vector<ScenarioStep> steps;
    Host& host = session.host();
    // Each process's descriptor table as the scenario goes (Host::open_files is the current
    // task's): a process the scenario starts has its shell's terminal on 0-2, one it did not
    // start the host's table; an open that succeeds installs its fd (fd_install, after vfs_open).
    std::map<uint32_t, std::vector<HostOpenFile>> fd_tables;
    const std::vector<HostOpenFile> started_host_files = host.open_files;
    for (size_t i = 0; i < scenario.events.size(); ++i) {
        const ScenarioEvent& e = scenario.events[i];
        ScenarioStep step;
        step.event = i;
        step.text = scenario_event_text(e);
        // Timers that come due meanwhile fire first, as they would have.
        for (RunResult& r : session.advance_time(e.after_ns)) step.runs.push_back(std::move(r));
        step.time_ns = host.clock_start_ns;
        set_host_for(host, e);
        std::vector<HostOpenFile>& files =
            fd_tables
                .try_emplace(host.task.tgid,
                             e.kind == ScenarioEventKind::Exec ? terminal_open_files() : started_host_files)
                .first->second;
        host.open_files = files;
        KernelObjectAddresses kernel = kernel_object_addresses(host);
        bool installed = false;
        for (const ScenarioHook& h : kScenarioHooks) {
            if (!hook_runs(h, e)) continue;
            if (e.kind == ScenarioEventKind::Open && e.ret >= 0 && !installed &&
                (h.point == HookPoint::OpenReturn || h.point == HookPoint::SysExit)) {
                std::erase_if(files, [&](const HostOpenFile& f) { return f.fd == uint32_t(e.ret); });
                files.push_back({uint32_t(e.ret), e.path.starts_with('/') ? e.path : "/" + e.path, std::nullopt});
                std::sort(files.begin(), files.end(), [](const HostOpenFile& a, const HostOpenFile& b) { return a.fd < b.fd; });
                host.open_files = files;
                installed = true;
                kernel = kernel_object_addresses(host);  // the table's new file may move what follows it
            }
            // The call has returned by the time the kernel traces its exit: rax holds the result.
            if (h.point == HookPoint::SysExit) host.syscall.ax = uint64_t(int64_t(e.ret));
            for (const LoadedProgram& p : session.object().programs)
                if (attached_to(p, h)) step.runs.push_back(session.run(p.name, hook_input(h, e, kernel, host)));
        }
        // The reader polls each ring buffer: what the runs submitted, then the buffer is empty.
        MapSet& maps = *session.object().maps;
        for (uint32_t id = 0; id < maps.size(); ++id) {
            Map& m = *maps.get(id);
            if (m.type() != MapType::Ringbuf) continue;
            auto& rb = static_cast<RingbufMap&>(m);
            for (std::vector<uint8_t>& bytes : rb.submitted()) step.records.push_back({m.name(), std::move(bytes)});
            rb.clear();
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

std::string scenario_text(const ObjectSession& session, const std::vector<ScenarioStep>& steps) {
    std::string t;
    for (const ScenarioStep& s : steps) {
        t += "event " + std::to_string(s.event + 1) + " at " + std::to_string(s.time_ns) + " ns: " + s.text + "\n";
        for (const RunResult& r : s.runs) {
            t += "  " + (r.timer.empty() ? r.program : r.timer) + ": ";
            t += r.error ? "error: " + r.error->to_string() : "return " + std::to_string(int64_t(r.r0));
            t += " (" + std::to_string(r.instructions) + " instructions)\n";
            for (const std::string& line : r.printk) {
                t += "    printk: " + line;
                if (line.empty() || line.back() != '\n') t += "\n";
            }
        }
        for (const ScenarioRecord& rec : s.records) {
            const uint32_t type = session.object().btf ? record_type_of_size(*session.object().btf, uint32_t(rec.bytes.size())) : 0;
            t += "  " + rec.map + ": record of " + std::to_string(rec.bytes.size()) + " bytes" +
                 (type ? " (" + decoded_json(session, type, rec.bytes) + ")" : " => " + hex_bytes(rec.bytes)) + "\n";
        }
    }
    return t;
}

}  // namespace bpfplay
