// The kfuncs on the emulated kernel's tasks and cgroups (kernel/bpf/helpers.c): finding one
// (bpf_task_from_pid, bpf_cgroup_from_id, bpf_cgroup_ancestor), taking and giving back a
// reference (bpf_*_acquire, bpf_*_release) and testing cgroup membership. The objects are the
// ones core/host/kernel_objects.hpp lays out: tasks at task_address(i), the host's cgroups at
// cgroup_address(host, i). Every object here stays alive, so a refcount_inc_not_zero /
// cgroup_tryget always succeeds; what the kernel's verifier tracks -- the references the
// program holds -- is kept in the run's reference table (kernel_refs.hpp), and a release of
// something not held stops the run as the verifier would have refused the program.
#include <string>

#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/kernel_refs.hpp"
#include "core/run/trace_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

void fail(Vm& vm, const char* kfunc, std::string what, std::string hint) {
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(kfunc) + ": " + std::move(what), vm.current_pc(),
                              std::move(hint)));
}

// The argument must be a task_struct / cgroup (a trusted or RCU-protected pointer for the
// verifier); false after stopping the run.
bool check_object(Vm& vm, const Host& host, const char* kfunc, const char* reg, uint64_t addr,
                  KernelObjectKind kind) {
    if (kernel_object_at(host, addr) == kind) return true;
    const std::string type = kernel_object_type(kind);
    fail(vm, kfunc,
         std::string(reg) + " = " + hex(addr) + " is not a struct " + type +
             " of the emulated kernel: the kernel's verifier refuses the call (it takes a trusted or RCU "
             "protected struct " + type + " pointer, never NULL)",
         kind == KernelObjectKind::Task
             ? "Pass a task from bpf_get_current_task_btf(), a tracing program's arguments, or an acquiring kfunc."
             : "Pass a cgroup from an acquiring kfunc (bpf_cgroup_from_id...) or a task's cgroups->dfl_cgrp.");
    return false;
}

uint64_t acquired(Vm& vm, Host& host, uint64_t addr, KernelObjectKind kind, const char* kfunc) {
    acquire_reference(vm, host, addr, kind, kfunc);
    return addr;
}

uint64_t release(Vm& vm, const char* kfunc, uint64_t addr, KernelObjectKind kind) {
    Host* host = host_for(vm, kfunc);
    if (!host) return 0;
    if (kernel_object_at(*host, addr) == kind && drop_reference(*host, addr)) return 0;
    fail(vm, kfunc,
         "r1 = " + hex(addr) + " is not a " + kernel_object_type(kind) + " reference the program holds" +
             (gave_back_reference(*host, addr) ? " (it gave that reference back already)" : "") +
             ": the kernel's verifier refuses the call (" + not_held_words(*host, addr, "r1", kind) + ")",
         "Release only the non-NULL result of an acquiring kfunc (or of bpf_kptr_xchg), once, and not after "
         "bpf_kptr_xchg moved it into a map.");
    return 0;
}

// bpf_task_acquire: refcount_inc_not_zero(&p->rcu_users) ? p : NULL; bpf_cgroup_acquire:
// cgroup_tryget(cgrp) ? cgrp : NULL. Every object here is alive, so both take a reference.
uint64_t acquire(Vm& vm, const char* kfunc, uint64_t addr, KernelObjectKind kind) {
    Host* host = host_for(vm, kfunc);
    if (!host || !check_object(vm, *host, kfunc, "r1", addr, kind)) return 0;
    return acquired(vm, *host, addr, kind, kfunc);
}

uint64_t task_acquire(Vm& vm, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
    return acquire(vm, "bpf_task_acquire", p, KernelObjectKind::Task);
}

uint64_t task_release(Vm& vm, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
    return release(vm, "bpf_task_release", p, KernelObjectKind::Task);
}

// find_task_by_pid_ns(pid, &init_pid_ns) then bpf_task_acquire; NULL for a pid no task has.
// The host has one pid namespace, so the current task's (bpf_task_from_vpid) is the same.
uint64_t from_pid(Vm& vm, const char* kfunc, uint64_t pid) {
    Host* host = host_for(vm, kfunc);
    if (!host) return 0;
    const std::optional<uint32_t> t = task_by_pid(*host, int32_t(pid));  // the kfunc takes an s32
    return t ? acquired(vm, *host, task_address(*t), KernelObjectKind::Task, kfunc) : 0;
}

uint64_t task_from_pid(Vm& vm, uint64_t pid, uint64_t, uint64_t, uint64_t, uint64_t) {
    return from_pid(vm, "bpf_task_from_pid", pid);
}

uint64_t task_from_vpid(Vm& vm, uint64_t pid, uint64_t, uint64_t, uint64_t, uint64_t) {
    return from_pid(vm, "bpf_task_from_vpid", pid);
}

uint64_t cgroup_acquire(Vm& vm, uint64_t cgrp, uint64_t, uint64_t, uint64_t, uint64_t) {
    return acquire(vm, "bpf_cgroup_acquire", cgrp, KernelObjectKind::Cgroup);
}

uint64_t cgroup_release(Vm& vm, uint64_t cgrp, uint64_t, uint64_t, uint64_t, uint64_t) {
    return release(vm, "bpf_cgroup_release", cgrp, KernelObjectKind::Cgroup);
}

// struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level): NULL when level < 0 or
// level > cgrp->level, else cgrp->ancestors[level] with a reference.
uint64_t cgroup_ancestor(Vm& vm, uint64_t cgrp, uint64_t level64, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_cgroup_ancestor";
    Host* host = host_for(vm, kName);
    if (!host || !check_object(vm, *host, kName, "r1", cgrp, KernelObjectKind::Cgroup)) return 0;
    const int32_t level = int32_t(level64);
    if (level < 0) return 0;
    const std::optional<uint32_t> a = cgroup_ancestor_index(*host, *cgroup_index(*host, cgrp), uint32_t(level));
    return a ? acquired(vm, *host, cgroup_address(*host, *a), KernelObjectKind::Cgroup, kName) : 0;
}

// struct cgroup *bpf_cgroup_from_id(u64 cgid): the cgroup whose kernfs node has that id, with a
// reference; NULL when none has.
uint64_t cgroup_from_id(Vm& vm, uint64_t id, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_cgroup_from_id";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    for (uint32_t i = 0; i < host->cgroups.size(); ++i)
        if (host->cgroups[i].id == id) return acquired(vm, *host, cgroup_address(*host, i), KernelObjectKind::Cgroup, kName);
    return 0;
}

// long bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor):
// task_under_cgroup_hierarchy, whether the task's v2 cgroup is `ancestor` or below it.
uint64_t task_under_cgroup(Vm& vm, uint64_t task, uint64_t ancestor, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_task_under_cgroup";
    Host* host = host_for(vm, kName);
    if (!host || !check_object(vm, *host, kName, "r1", task, KernelObjectKind::Task) ||
        !check_object(vm, *host, kName, "r2", ancestor, KernelObjectKind::Cgroup))
        return 0;
    const uint64_t task_cgroup = task_cgroup_id(*host, *task_index(task));
    return host->cgroup_under(task_cgroup, host->cgroups[*cgroup_index(*host, ancestor)].id) ? 1 : 0;
}

// int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, u64 value):
// bpf_send_signal_common for that task, with a siginfo carrying `value`. PIDTYPE_PID (0) signals
// the thread, PIDTYPE_TGID (1) its process; any other type is -EINVAL.
uint64_t send_signal_task(Vm& vm, uint64_t task, uint64_t sig, uint64_t type, uint64_t value, uint64_t) {
    constexpr const char* kName = "bpf_send_signal_task";
    constexpr uint32_t kPidtypePid = 0, kPidtypeTgid = 1;
    Host* host = host_for(vm, kName);
    if (!host || !check_object(vm, *host, kName, "r1", task, KernelObjectKind::Task)) return 0;
    if (uint32_t(type) != kPidtypePid && uint32_t(type) != kPidtypeTgid) return helper_errno(kEINVAL);
    return send_signal_common(vm, kName, sig, uint32_t(type) == kPidtypePid, *task_index(task), value);
}

constexpr KfuncImpl kImpls[] = {
    {"bpf_cgroup_acquire", cgroup_acquire},
    {"bpf_cgroup_ancestor", cgroup_ancestor},
    {"bpf_cgroup_from_id", cgroup_from_id},
    {"bpf_cgroup_release", cgroup_release},
    {"bpf_send_signal_task", send_signal_task},
    {"bpf_task_acquire", task_acquire},
    {"bpf_task_from_pid", task_from_pid},
    {"bpf_task_from_vpid", task_from_vpid},
    {"bpf_task_release", task_release},
    {"bpf_task_under_cgroup", task_under_cgroup},
};

} // namespace

std::span<const KfuncImpl> task_kfunc_impls() { return kImpls; }

} // namespace bpfplay
