#pragma once
// The emulated machine a run sees: which CPU it is on, what time it is, which task is current,
// where bpf_trace_printk output goes. Every value is a plain setting, so a run is reproducible:
// the same program, input and Host give the same results, natively and in the browser.
//
// How helpers find it: through the run's HelperEnv (core/helpers/helper_env.hpp), which the
// runner points Vm::env at. The host helpers stop the run with an error naming the helper when
// there is no env or it has no host.
//
// The clock is virtual: it advances with the instructions the program executes, never with wall
// time. At the helper call that is the n-th instruction executed (Vm::executed_now() == n, the
// call itself counted), bpf_ktime_get_ns returns clock_start_ns + n * ns_per_insn. Two reads
// in one run therefore differ by exactly (instructions between them) * ns_per_insn.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host/bpf_timers.hpp"
#include "core/host/dynptr_table.hpp"
#include "core/host/host_events.hpp"
#include "core/host/host_ima.hpp"
#include "core/host/host_sysctl.hpp"
#include "core/host/host_files.hpp"
#include "core/host/host_vmas.hpp"
#include "core/host/lfsr113.hpp"
#include "core/host/perf_event_record.hpp"
#include "core/host/tcp_flow_script.hpp"
#include "core/host/net_model.hpp"
#include "core/host/obj_heap.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

constexpr size_t kTaskCommLen = 16;  // TASK_COMM_LEN: 15 characters and a NUL

// The task a program runs "in" (the kernel's `current`).
struct Task {
    uint32_t pid = 4242;   // the thread id (task->pid)
    uint32_t tgid = 4242;  // the process id (task->tgid); equal to pid for a main thread
    uint32_t uid = 1000;   // as seen from the initial user namespace
    uint32_t gid = 1000;
    // The executable's name, NUL-terminated and NUL-padded as the kernel keeps task->comm.
    std::array<char, kTaskCommLen> comm = comm_from("bpfplay-demo");
    // Its cgroup (v2) by id, one of Host::cgroups: a login session's scope by default.
    uint64_t cgroup_id = 5;
    // task->exit_code: the wait(2) status the task leaves (exit status << 8, or a signal
    // number); what a sched_process_exit tracer reports. 0 for a task still running.
    int32_t exit_code = 0;
    // task->start_time: CLOCK_MONOTONIC ns when it was forked (before the run's clock).
    uint64_t start_time_ns = 900'000'000;
    // task->__state: TASK_RUNNING (0), or why it is about to sleep (TASK_INTERRUPTIBLE 1,
    // TASK_UNINTERRUPTIBLE 2): what a sched_switch tracer reads from its prev task.
    uint32_t state = 0;

    // Keeps the first 15 bytes of `name` (the kernel truncates the same way) and NUL-fills.
    void set_comm(std::string_view name) { comm = comm_from(name); }
    std::string_view comm_view() const;  // up to the first NUL

    static std::array<char, kTaskCommLen> comm_from(std::string_view name);
    friend bool operator==(const Task&, const Task&) = default;
};

// One frame of a call stack: the return address (the innermost frame: where the task is now)
// and, for display, the symbol it falls in ("do_sys_openat2+0x0"; empty when unknown).
struct StackFrame {
    uint64_t ip = 0;
    std::string symbol;
    friend bool operator==(const StackFrame&, const StackFrame&) = default;
};

// A cgroup (v2) of the host: its id (the kernel's cgroup id, a kernfs inode number; the root
// is 1) and its path from the root ("/" for the root, "/user.slice" ...). The hierarchy is in
// the paths: a cgroup's parent is its path without the last component.
struct HostCgroup {
    uint64_t id = 0;
    std::string path;
    friend bool operator==(const HostCgroup&, const HostCgroup&) = default;
};

// The root, system.slice, user.slice, the user's slice and a session scope (ids 1 to 5).
std::vector<HostCgroup> default_cgroups();

// The current task's stacks when a tracing program runs: a process that made an openat(2)
// system call, caught in the kernel at do_sys_openat2. Innermost frame first.
std::vector<StackFrame> default_kernel_stack();
std::vector<StackFrame> default_user_stack();

// A piece of the current task's user address space (its stack, heap, a mapped file): what
// bpf_copy_from_user, bpf_copy_from_user_task and bpf_probe_write_user reach. Addresses are
// the task's own (0x7ffd... for its stack); nothing outside the regions is mapped, so a read
// there faults as it would on an unmapped page.
struct UserRegion {
    uint64_t addr = 0;
    std::vector<uint8_t> bytes;
    friend bool operator==(const UserRegion&, const UserRegion&) = default;
};

// The default task's argv and environment on its stack, and the file name its openat(2) passed
// (the default pt_regs' rsi points at it).
std::vector<UserRegion> default_user_memory();
constexpr uint64_t kDefaultArgvAddr = 0x7ffd5e3c1f00ull;
constexpr uint64_t kDefaultOpenatPathAddr = 0x55d0c4a03010ull;

// The system call the current task is in, as the registers it entered the kernel with hold it
// (the struct pt_regs at the top of its kernel stack, what task_pt_regs() and a raw
// sys_enter / sys_exit tracepoint's regs point at): the number in orig_ax, the arguments in di,
// si, dx, r10, r8, r9, and ax: -ENOSYS until the call returns, then what it returned.
// Default: openat(AT_FDCWD, "/etc/hostname" at kDefaultOpenatPathAddr, O_RDONLY), in progress.
struct HostSyscall {
    uint64_t nr = 257;  // __NR_openat
    std::array<uint64_t, 6> args = {uint64_t(-100), kDefaultOpenatPathAddr, 0, 0, 0, 0};
    uint64_t ax = uint64_t(-38);
    friend bool operator==(const HostSyscall&, const HostSyscall&) = default;
};

// A user task of the host other than the current one and its parent: a sched_switch's next
// task, the task a sched_wakeup wakes. Laid out after the current task's objects, a child of
// the current task's parent (KernelObjectAddresses::other_tasks).
struct OtherTask {
    Task task;
    std::string exe;  // its executable (mm->exe_file)
    friend bool operator==(const OtherTask&, const OtherTask&) = default;
};

// Kernel functions' addresses (the text symbols of /proc/kallsyms): where kprobes and fentry
// programs attach, what bpf_get_func_ip returns. Defaults: the functions the built-in BTF
// describes, at addresses consistent with the default kernel stack.
std::map<std::string, uint64_t> default_kernel_functions();

// A counting perf event user space opened on one CPU (perf_event_open of a hardware counter,
// e.g. PERF_COUNT_HW_CPU_CYCLES) and stored in a PERF_EVENT_ARRAY slot: what
// bpf_perf_event_read(_value) read from the slot, and bpf_perf_prog_read_value from a
// perf_event program's own event on that CPU. Times are how long it was enabled and running
// (less when the PMU was multiplexed).
struct PerfCounter {
    uint64_t counter = 0;
    uint64_t enabled_ns = 0;
    uint64_t running_ns = 0;
    friend bool operator==(const PerfCounter&, const PerfCounter&) = default;
};

// The kconfig of an x86-64 Linux 6.18 (distribution-style), with LINUX_KERNEL_VERSION
// KERNEL_VERSION(6, 18, 0).
std::map<std::string, std::string> default_kconfig();

struct Host {
    // ---- CPU ----
    uint32_t cpu = 0;        // the CPU this run executes on (bpf_get_smp_processor_id)
    uint32_t ncpus = 4;      // possible CPUs: sizes per-CPU maps
    // Every per-CPU map holds ncpus copies of each value, so the host JSON bounds it (x86-64's
    // CONFIG_NR_CPUS goes to 8192; a page tab cannot hold per-CPU maps that wide).
    static constexpr uint32_t kMaxCpus = 1024;
    uint32_t numa_node = 0;  // bpf_get_numa_node_id

    // ---- clock (see the header comment) ----
    // Monotonic time when the run starts. One second after boot, so a value is never 0 and
    // looks like a real ktime; jiffies and the coarse clock are derived from it.
    uint64_t clock_start_ns = 1'000'000'000;
    uint64_t ns_per_insn = 1;     // virtual nanoseconds per executed instruction
    uint64_t boot_offset_ns = 0;  // time spent suspended: boot clock = ktime + this (0: never)
    // CONFIG_HZ: ticks per second. Sets the jiffy length TICK_NSEC = (1e9 + hz/2) / hz, which
    // is 4 ms for the default 250 (0 is treated as 250).
    uint32_t hz = 250;
    // CLOCK_TAI - CLOCK_MONOTONIC, the kernel's offs_tai: bpf_ktime_get_tai_ns returns ktime plus
    // this. It is the wall-clock time at boot plus the TAI-UTC offset (37 s since 2017) that an
    // NTP daemon hands the kernel (adjtimex ADJ_TAI; without one the kernel keeps 0 and TAI
    // equals realtime). Default: booted at 2026-01-01 00:00:00 UTC (1767225600 s after the
    // epoch), + 37 s.
    uint64_t tai_offset_ns = kDefaultTaiOffsetNs;
    static constexpr uint64_t kDefaultTaiOffsetNs = (1'767'225'600ull + 37) * 1'000'000'000ull;

    // ---- randomness ----
    // bpf_get_prandom_u32 draws from this; reseed with prandom.seed(n). Seed 1 by default, so
    // the first value is 3484351685 (lfsr113.hpp). The state persists across runs that share
    // the Host, as a CPU's state does in the kernel.
    static constexpr uint32_t kDefaultPrandomSeed = 1;
    Lfsr113 prandom{kDefaultPrandomSeed};
    // The seed prandom last started from (host JSON "prandom_seed"; the state then advances).
    uint32_t prandom_seed = kDefaultPrandomSeed;
    void reseed_prandom(uint32_t seed) {
        prandom_seed = seed;
        prandom.seed(seed);
    }

    // ---- the current task ----
    Task task;
    // Its executable's path (task->mm->exe_file->f_path; the last component is the dentry's
    // name). Kept out of Task so Task stays a plain value (GCC 12 -O3 misreports a string there).
    std::string exe = "/usr/bin/bpfplay-demo";
    // The system call it is in (its pt_regs).
    HostSyscall syscall;
    // The file that call opens, laid out as the struct file the open makes and its struct path
    // (vfs_open's arguments, KernelObjectAddresses::open_file); "": none. Kept out of
    // HostSyscall, as exe out of Task: GCC 12 -O3 misreports a string there.
    std::string open_path;
    // The other user tasks a program may be handed pointers to (a scenario fills it).
    std::vector<OtherTask> other_tasks;
    // Its call stacks, innermost frame first: what bpf_get_stackid and bpf_get_stack walk
    // (BPF_F_USER_STACK picks the user one). An empty user stack is a kernel thread's.
    std::vector<StackFrame> kernel_stack = default_kernel_stack();
    std::vector<StackFrame> user_stack = default_user_stack();
    // The cgroup tree (the task's cgroup_id names one of them).
    std::vector<HostCgroup> cgroups = default_cgroups();
    const HostCgroup* cgroup(uint64_t id) const;
    // True when cgroup `id` is `ancestor_id` or below it (task_under_cgroup_hierarchy);
    // false when either does not exist.
    bool cgroup_under(uint64_t id, uint64_t ancestor_id) const;

    // ---- the current task's user memory and the kernel's symbols (tracing helpers) ----
    std::vector<UserRegion> user_memory = default_user_memory();
    // Bytes [addr, addr + len) of the task's user memory copied to out: how many bytes from the
    // start were mapped (len when all were), as copy_from_user counts.
    uint64_t read_user(uint64_t addr, uint8_t* out, uint64_t len) const;
    // The region holding all of [addr, addr + len), or nullptr.
    UserRegion* user_region(uint64_t addr, uint64_t len);
    // Its memory map (host_vmas.hpp): what bpf_find_vma finds, laid out as vm_area_structs.
    std::vector<HostVma> vmas = default_vmas();
    // Its open files (host_files.hpp): the descriptor table an iter/task_file program walks.
    std::vector<HostOpenFile> open_files = default_open_files();
    std::map<std::string, uint64_t> kernel_functions = default_kernel_functions();
    // The BPF cookie each program is attached with (bpf_get_attach_cookie), by program name; a
    // program not listed was attached without one (0), as libbpf attaches by default.
    std::map<std::string, uint64_t> attach_cookies;
    // Counting events by CPU. A PERF_EVENT_ARRAY slot whose CPU has none holds the bpf-output
    // event a perf buffer reader opened, which counts nothing (0).
    std::map<uint32_t, PerfCounter> perf_counters;

    // ---- loading ----
    // max_entries by map name, applied when an object is loaded on this host, as a loader sets
    // them with bpf_map__set_max_entries() before load (LoadOptions::map_sizes): how a map
    // the object leaves at max_entries 0 gets its size.
    std::map<std::string, uint32_t> map_sizes;
    // Program types by program name, as a loader sets them with bpf_program__set_type() before
    // load (LoadOptions::prog_types): how a section name libbpf does not know (tc's
    // SEC("ingress")) gets a type.
    std::map<std::string, ProgType> prog_types;
    // Device-bound XDP programs by program name: the ifindex a loader binds each to
    // (bpf_program__set_ifindex + BPF_F_XDP_DEV_BOUND_ONLY), so they may call the
    // bpf_xdp_metadata_rx_* kfuncs, which then answer with that device's rx_metadata.
    std::map<std::string, uint32_t> dev_bound;
    // The kernel's configuration, as /proc/config.gz spells it (name -> "y", "m", "n", a number
    // or a quoted string), plus libbpf's LINUX_* pseudo-options: what `extern ... __kconfig`
    // variables read (core/loader/kconfig_externs.cpp). Defaults: a 6.18 x86-64 kernel.
    std::map<std::string, std::string> kconfig = default_kconfig();
    // The sysctl a cgroup/sysctl program runs on (host_sysctl.hpp).
    HostSysctl sysctl;
    // IMA: the executable's content, the hash algorithm, whether a policy measured it (host_ima.hpp).
    HostIma ima;
    // A TCP sender's script (tcp_flow_script.hpp): set, a run of a tcp_congestion_ops object
    // plays it through the congestion control's members (core/run/tcp_ca_flow.hpp).
    std::optional<TcpFlowScript> tcp_flow;

    // ---- output of runs ----
    // One entry per successful bpf_trace_printk call: the formatted message without the
    // trace_pipe prefix ("comm-pid [cpu] ... : "), with any newline kept as the program wrote it.
    // Runs append; the runner clears it when it wants one run's output.
    std::vector<std::string> printk;
    // One entry per sample a perf event reader received (bpf_perf_event_output), in order;
    // cleared with printk.
    std::vector<PerfEventRecord> perf_events;

    // ---- network: devices, sockets, the ingress device (net_model.hpp) ----
    Network net;
    // The run's dynptrs as the verifier would know them (dynptr_table.hpp). The runner clears
    // it at the start of each run; the dynptr helpers keep it.
    DynptrTable dynptrs;
    // What the emulated kernel did for the program (host_events.hpp). The runner clears it at
    // the start of each run; helpers append; the end of a run adds what became of the packet.
    std::vector<HostEvent> events;

    // The BPF timers programs created (bpf_timers.hpp). They outlive runs, as maps do; the
    // runner fires the due ones after each run.
    TimerTable timers;

    // The objects programs allocated with bpf_obj_new (obj_heap.hpp), made by the first one.
    // They outlive runs, as maps' lists and trees hold them.
    std::shared_ptr<ObjHeap> heap;

    // ---- the clocks, given Vm::executed_now() ----
    uint64_t ktime_ns(uint64_t executed) const;   // bpf_ktime_get_ns (CLOCK_MONOTONIC)
    uint64_t boot_ns(uint64_t executed) const;    // bpf_ktime_get_boot_ns (CLOCK_BOOTTIME)
    uint64_t tai_ns(uint64_t executed) const;     // bpf_ktime_get_tai_ns (CLOCK_TAI)
    // bpf_ktime_get_coarse_ns: ktime rounded down to the last tick, as the kernel only updates
    // its coarse clock once per jiffy.
    uint64_t coarse_ns(uint64_t executed) const;
    // bpf_jiffies64: initial_jiffies() + ktime / tick_ns(). The kernel starts jiffies at
    // INITIAL_JIFFIES = (u32)(-300 * HZ) so 32-bit jiffies wrap five minutes after boot;
    // for HZ 250 that is 4294892296, so one second after boot jiffies64 is 4294892546.
    uint64_t jiffies64(uint64_t executed) const;
    uint64_t tick_ns() const;
    uint64_t initial_jiffies() const;

    // Moves the clock on by a finished run's instructions, so the next run starts where this
    // one stopped (the runner calls it; without it every run starts at clock_start_ns).
    void advance_clock(uint64_t executed) { clock_start_ns += executed * ns_per_insn; }
};

}  // namespace bpfplay
