#include "core/run/trace_helpers.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/btf/builtin_target_btf.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/loader/loader.hpp"
#include "core/maps/map_abi.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

namespace e = kerrno;

constexpr uint64_t err(int64_t errno_value) { return uint64_t(-errno_value); }

// The kernel's TASK_SIZE_MAX on x86-64 with 4-level page tables: access_ok() refuses user
// pointers at or above it (a kernel address passed as a user one).
constexpr uint64_t kTaskSizeMax = 0x00007ffffffff000ull;

// The pid namespace every host task is in: the initial one, as `stat -L /proc/self/ns/pid`
// shows it on a host without containers (nsfs is device 0:4; PROC_PID_INIT_INO).
constexpr uint64_t kNsfsDev = 4;
constexpr uint64_t kPidInitIno = 0xEFFFFFFCull;

void fail(Vm& vm, const char* helper, std::string what, std::string hint = {}) {
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": " + std::move(what), std::nullopt,
                              std::move(hint)));
}

const LoadedProgram* program_of(Vm& vm) { return vm.env ? vm.env->program : nullptr; }

// The verifier's check_helper_call: "helper call might sleep in a non-sleepable prog".
bool sleepable_or_fail(Vm& vm, const char* helper) {
    const LoadedProgram* p = program_of(vm);
    if (p && !p->sleepable) {
        fail(vm, helper,
             "helper call might sleep in a non-sleepable prog: the kernel's verifier refuses the program (it may "
             "wait for a page of user memory to be read in)",
             "Use a sleepable section (fentry.s/, lsm.s/, uprobe.s/, iter.s/, syscall), or bpf_probe_read_user, which "
             "never sleeps.");
        return false;
    }
    return true;
}

// A destination the verifier proved writable (ARG_PTR_TO_UNINIT_MEM): a bad one stops the run.
uint8_t* out_bytes(Vm& vm, const char* helper, uint64_t addr, uint64_t size) {
    if (size == 0) return nullptr;
    uint8_t* p = vm.memory().helper_ptr(addr, size, true);
    if (!p) fail_helper_access(vm, helper, addr, size, Access::HelperWrite);
    return p;
}

// copy_from_user: access_ok(), then bytes up to the first unmapped one; 0 when all arrived.
uint64_t copy_user(const Host& host, uint64_t user_ptr, uint8_t* out, uint64_t size) {
    if (user_ptr >= kTaskSizeMax || size > kTaskSizeMax - user_ptr) return 0;
    return host.read_user(user_ptr, out, size);
}

uint64_t copy_from_user(Vm& vm, uint64_t dst, uint64_t size_arg, uint64_t user_ptr, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_copy_from_user";
    if (!sleepable_or_fail(vm, kName)) return 0;
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    const uint32_t size = uint32_t(size_arg);
    if (size == 0) return 0;
    uint8_t* out = out_bytes(vm, kName, dst, size);
    if (!out) return 0;
    if (copy_user(*host, user_ptr, out, size) != size) {
        std::memset(out, 0, size);
        return err(e::kEFAULT);
    }
    return 0;
}

// access_process_vm(tsk, ...): the current task's memory is the host's user_memory; its
// parent's is not modelled (no region: nothing readable) and init_task has no mm at all.
uint64_t copy_from_user_task(Vm& vm, uint64_t dst, uint64_t size_arg, uint64_t user_ptr, uint64_t task,
                             uint64_t flags) {
    constexpr const char* kName = "bpf_copy_from_user_task";
    if (!sleepable_or_fail(vm, kName)) return 0;
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> index = task_index(task);
    if (!index) {
        fail(vm, kName, "r4 is not a task_struct the emulated kernel has: the kernel's verifier refuses the call",
             "Pass a task from bpf_get_current_task_btf() or a BTF pointer to one.");
        return 0;
    }
    if (flags) return err(e::kEINVAL);  // "flags is not used yet", before dst is touched
    const uint32_t size = uint32_t(size_arg);
    if (size == 0) return 0;
    uint8_t* out = out_bytes(vm, kName, dst, size);
    if (!out) return 0;
    // access_process_vm copies page by page and stops at the first it cannot reach; a partial
    // read is -EFAULT with the buffer cleared.
    const uint64_t got = *index == 0 ? host->read_user(user_ptr, out, size) : 0;
    if (got == size) return 0;
    std::memset(out, 0, size);
    return err(e::kEFAULT);
}

// ---- the trampoline's context: u64 args[nr_args] (then the return value for fexit) ----

// The BTF function the program is attached to: the section's target, or bpf_lsm_<hook> for
// LSM programs, as the kernel resolves attach_btf_id.
std::string attach_function(const LoadedProgram& p) {
    return p.type == ProgType::Lsm ? "bpf_lsm_" + p.attach_target : p.attach_target;
}

// btf_distill_func_proto's nr_args: the parameters of the target's FUNC_PROTO.
std::optional<uint32_t> func_arg_count(Vm& vm, const char* helper) {
    const LoadedProgram* p = program_of(vm);
    if (!p) {
        fail(vm, helper, "the run has no program attached to a kernel function");
        return std::nullopt;
    }
    const std::string name = attach_function(*p);
    const Btf& btf = builtin_target_btf();
    const auto func = btf.find_by_name(name, BtfKind::Func);
    const BtfType* f = func ? btf.type(*func) : nullptr;
    if (!f || btf.kind(f->ref) != BtfKind::FuncProto) {
        fail(vm, helper,
             "the emulated kernel's BTF has no function \"" + name +
                 "\", so the trampoline's argument count is unknown (the kernel would refuse to attach the program)",
             "Attach to one of the functions tools/vmlinux_btf/trim.py keeps (do_unlinkat, do_sys_openat2, vfs_read, "
             "...), or add yours to its FUNCS.");
        return std::nullopt;
    }
    return uint32_t(btf.params(f->ref).size());
}

// ctx[n]: an argument the run's context gave, 0 past its end (an argument nobody set).
uint64_t ctx_word(Vm& vm, uint64_t ctx, uint32_t n) {
    const uint8_t* p = vm.memory().helper_ptr(ctx + uint64_t(n) * 8, 8, false);
    return p ? load_le<uint64_t>(p) : 0;
}

// The verifier inlines these three (do_misc_fixups): nr_args is the trampoline's ctx[-1].
uint64_t get_func_arg(Vm& vm, uint64_t ctx, uint64_t n, uint64_t value, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_func_arg";
    const auto nr_args = func_arg_count(vm, kName);
    if (!nr_args) return 0;
    if (uint32_t(n) >= *nr_args) return err(e::kEINVAL);  // *value is left as it was
    uint8_t* out = out_bytes(vm, kName, value, 8);
    if (!out) return 0;
    store_le<uint64_t>(out, ctx_word(vm, ctx, uint32_t(n)));
    return 0;
}

uint64_t get_func_ret(Vm& vm, uint64_t ctx, uint64_t value, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_func_ret";
    const AttachType attach = vm.env ? vm.env->attach : AttachType(0);
    const bool lsm = vm.env && vm.env->prog_type == ProgType::Lsm;
    // For tracing programs the verifier inlines the call: only fexit and fmod_ret trampolines
    // store a return value after the arguments, any other gets -EOPNOTSUPP. LSM programs call
    // the helper itself, which reads ctx[nr_args] (the hook's return value so far).
    if (!lsm && attach != AttachType::TraceFexit && attach != AttachType::ModifyReturn) return err(e::kEOPNOTSUPP);
    const auto nr_args = func_arg_count(vm, kName);
    if (!nr_args) return 0;
    uint8_t* out = out_bytes(vm, kName, value, 8);
    if (!out) return 0;
    store_le<uint64_t>(out, ctx_word(vm, ctx, *nr_args));
    return 0;
}

uint64_t get_func_arg_cnt(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const auto nr_args = func_arg_count(vm, "bpf_get_func_arg_cnt");
    return nr_args ? *nr_args : 0;
}

// "kprobe/do_sys_openat2+0x10" -> ("do_sys_openat2", 0x10).
std::pair<std::string, uint64_t> split_offset(std::string_view target) {
    const size_t plus = target.find('+');
    if (plus == std::string_view::npos) return {std::string(target), 0};
    return {std::string(target.substr(0, plus)), std::strtoull(std::string(target.substr(plus + 1)).c_str(), nullptr, 0)};
}

uint64_t get_func_ip(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_func_ip";
    const Host* host = host_for(vm, kName);
    const LoadedProgram* p = program_of(vm);
    if (!host) return 0;
    if (!p) {
        fail(vm, kName, "the run has no program attached to a kernel function");
        return 0;
    }
    const std::string_view section = p->section;
    if (section.starts_with("uprobe") || section.starts_with("uretprobe") || section.starts_with("usdt")) {
        fail(vm, kName,
             "a uprobe's address is in the traced binary, and the emulated host has no user symbol table to find it",
             "Attach the program as a kprobe or fentry to try bpf_get_func_ip.");
        return 0;
    }
    // kprobe: the function's entry when the probe sits on it (KPROBE_FLAG_ON_FUNC_ENTRY), else 0.
    // fentry/fexit/fmod_ret/lsm: the trampoline's ctx[-2], the traced function's address.
    auto [name, offset] = split_offset(attach_function(*p));
    const auto it = host->kernel_functions.find(name);
    if (it == host->kernel_functions.end()) {
        fail(vm, kName,
             "the host's kernel_functions has no \"" + name +
                 "\": the kernel would not have attached the program, so no address can be returned",
             "Add the function and its address to the host's \"kernel_functions\".");
        return 0;
    }
    return p->type == ProgType::Kprobe && offset != 0 ? 0 : it->second;
}

uint64_t get_attach_cookie(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* host = host_for(vm, "bpf_get_attach_cookie");
    const LoadedProgram* p = program_of(vm);
    if (!host || !p) return 0;
    const auto it = host->attach_cookies.find(p->name);
    return it == host->attach_cookies.end() ? 0 : it->second;
}

// ---- signals (bpf_send_signal_common) ----

std::string signal_name(uint32_t sig) {
    static constexpr const char* kNames[] = {
        "",        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",  "SIGPWR",  "SIGSYS"};
    if (sig < 32) return std::string(kNames[sig]) + " (" + std::to_string(sig) + ")";
    return "real-time signal " + std::to_string(sig);
}

constexpr uint32_t kNsig = 64;  // _NSIG: valid_signal(sig) is sig <= 64

// Programs that run with preemption or interrupts off (kprobes, tracepoints, perf events,
// packet hooks in softirq) queue the signal on this CPU's irq_work, sent once the program
// returns; trampolines (fentry, fexit, lsm) and syscall programs are preemptible and send it
// at once.
bool sends_later(ProgType type) {
    return type != ProgType::Tracing && type != ProgType::Lsm && type != ProgType::Syscall &&
           type != ProgType::StructOps;
}

}  // namespace

uint64_t send_signal_common(Vm& vm, const char* helper, uint64_t sig_arg, bool thread, uint32_t task,
                            std::optional<uint64_t> value) {
    Host* host = host_for(vm, helper);
    if (!host) return 0;
    const uint32_t sig = uint32_t(sig_arg);
    // The targets: the current task, its parent (pid 1: is_global_init, which would panic the
    // kernel if it died) and init_task (PF_KTHREAD). PF_EXITING tasks are none of them.
    if (task == 2 || (task == 1 ? 1u : host->task.tgid) == 1) return err(e::kEPERM);
    const std::string who = thread ? "thread " + std::to_string(host->task.pid) + " (" +
                                         std::string(host->task.comm_view()) + ") alone"
                                   : "process " + std::to_string(host->task.tgid) + " (" +
                                         std::string(host->task.comm_view()) + "), all its threads";
    // A signal bpf_send_signal_task sends carries a siginfo: SI_KERNEL, si_value the value.
    const std::string info = value ? " (siginfo: si_code SI_KERNEL, si_value " + hex(*value) + ")" : "";
    if (sends_later(vm.env->prog_type)) {
        if (sig > kNsig) return err(e::kEINVAL);  // checked early: a later error would be lost
        // One irq_work per CPU, busy until the program returns and it runs.
        for (const HostEvent& ev : host->events)
            if (ev.helper.starts_with("bpf_send_signal")) return err(e::kEBUSY);
        log_host_event(vm, *host, helper,
                       sig == 0 ? "signal 0 queued for " + who +
                                      ": once the program returns, the kernel only checks it may signal the task"
                                : signal_name(sig) + " queued for " + who + info +
                                      ": the kernel sends it once the program returns (it runs with interrupts "
                                      "off, so the signal waits on this CPU's irq_work)");
        return 0;
    }
    if (sig > kNsig) return err(e::kEINVAL);  // check_kill_permission
    log_host_event(vm, *host, helper,
                   sig == 0 ? "signal 0 for " + who + ": nothing sent, the kernel only checked it may signal the task"
                            : signal_name(sig) + " sent to " + who + info);
    return 0;
}

namespace {

uint64_t send_signal(Vm& vm, uint64_t sig, uint64_t, uint64_t, uint64_t, uint64_t) {
    return send_signal_common(vm, "bpf_send_signal", sig, false, 0, std::nullopt);
}

uint64_t send_signal_thread(Vm& vm, uint64_t sig, uint64_t, uint64_t, uint64_t, uint64_t) {
    return send_signal_common(vm, "bpf_send_signal_thread", sig, true, 0, std::nullopt);
}

// struct bpf_pidns_info { __u32 pid; __u32 tgid; }
uint64_t get_ns_current_pid_tgid(Vm& vm, uint64_t dev, uint64_t ino, uint64_t nsdata, uint64_t size_arg,
                                 uint64_t) {
    constexpr const char* kName = "bpf_get_ns_current_pid_tgid";
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    const uint32_t size = uint32_t(size_arg);
    uint8_t* out = out_bytes(vm, kName, nsdata, size);
    if (!out && size) return 0;
    auto clear = [&](int64_t errno_value) {
        if (size) std::memset(out, 0, size);
        return err(errno_value);
    };
    if (size != 8) return clear(e::kEINVAL);
    if (uint64_t(uint32_t(dev)) != dev) return clear(e::kEINVAL);  // dev_t is 32 bits
    if (dev != kNsfsDev || ino != kPidInitIno) return clear(e::kEINVAL);  // ns_match
    store_le<uint32_t>(out, host->task.pid);
    store_le<uint32_t>(out + 4, host->task.tgid);
    return 0;
}

uint64_t task_pt_regs(Vm& vm, uint64_t task, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_task_pt_regs";
    if (!host_for(vm, kName)) return 0;
    const auto regs = task_pt_regs_address(vm.memory(), task);
    if (!regs) {
        fail(vm, kName, "r1 is not a task_struct the emulated kernel has: the kernel's verifier refuses the call",
             "Pass a task from bpf_get_current_task_btf() or a BTF pointer to one.");
        return 0;
    }
    return *regs;
}

// ---- branch records (LBR) ----
// The emulated CPU has no Last Branch Record hardware (as in a VM without LBR passthrough):
// no perf sample carries a branch stack and no snapshot can be taken, so these helpers give
// the kernel's answers for that case, and the event log says why.

constexpr uint64_t kGetBranchRecordsSize = 1;  // BPF_F_GET_BRANCH_RECORDS_SIZE

uint64_t read_branch_records(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_read_branch_records";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    if (flags & ~kGetBranchRecordsSize) return err(e::kEINVAL);
    // !(ctx->data->sample_flags & PERF_SAMPLE_BRANCH_STACK): -ENOENT, also for the size query.
    log_host_event(vm, *host, kName,
                   "the sample has no branch stack: the emulated CPU has no LBR (Last Branch Record) hardware, so "
                   "the kernel answers -ENOENT");
    return err(e::kENOENT);
}

uint64_t get_branch_snapshot(Vm& vm, uint64_t, uint64_t, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_branch_snapshot";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    // The snapshot is taken first (none without LBR: 0 entries), then the flags are checked.
    if (flags) return err(e::kEINVAL);
    log_host_event(vm, *host, kName,
                   "no branches copied: the emulated CPU has no LBR (Last Branch Record) hardware, so the snapshot "
                   "holds 0 entries and the kernel answers -ENOENT");
    return err(e::kENOENT);
}

constexpr HelperImpl kImpls[] = {
    {109, send_signal},              // bpf_send_signal
    {117, send_signal_thread},       // bpf_send_signal_thread
    {119, read_branch_records},      // bpf_read_branch_records
    {120, get_ns_current_pid_tgid},  // bpf_get_ns_current_pid_tgid
    {148, copy_from_user},           // bpf_copy_from_user
    {173, get_func_ip},              // bpf_get_func_ip
    {174, get_attach_cookie},        // bpf_get_attach_cookie
    {175, task_pt_regs},             // bpf_task_pt_regs
    {176, get_branch_snapshot},      // bpf_get_branch_snapshot
    {183, get_func_arg},             // bpf_get_func_arg
    {184, get_func_ret},             // bpf_get_func_ret
    {185, get_func_arg_cnt},         // bpf_get_func_arg_cnt
    {191, copy_from_user_task},      // bpf_copy_from_user_task
};

}  // namespace

std::span<const HelperImpl> trace_helper_impls() { return kImpls; }

bool runs_with_irqs_off(ProgType type) { return sends_later(type); }

}  // namespace bpfplay
