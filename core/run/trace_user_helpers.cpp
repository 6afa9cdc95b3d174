#include "core/run/trace_user_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/btf/builtin_target_btf.hpp"
#include "core/callback.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/journal.hpp"
#include "core/loader/loader.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/callback_helpers.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/trace_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

namespace e = kerrno;
constexpr int64_t kENAMETOOLONG = 36;

ProgType prog_type_of(Vm& vm) { return vm.env ? vm.env->prog_type : ProgType::Unspec; }

bool logged(const Host& host, std::string_view helper) {
    return std::any_of(host.events.begin(), host.events.end(), [&](const HostEvent& ev) { return ev.helper == helper; });
}

// ---- bpf_find_vma ----

constexpr uint16_t kFindVmaArgs = 0xe;  // r1 = task, r2 = vma, r3 = ctx (set_find_vma_callback_state)

bool find_vma_next(Vm&, uint32_t, CallbackState& s, uint64_t args[5]) {
    if (s.position != 0) return false;  // one area, one call
    ++s.position;
    args[0] = s.map;    // the task
    args[1] = s.limit;  // its vm_area_struct
    args[2] = s.ctx;
    return true;
}

uint64_t find_vma(Vm& vm, uint64_t task, uint64_t addr, uint64_t callback_fn, uint64_t callback_ctx, uint64_t flags) {
    constexpr const char* kName = "bpf_find_vma";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> entry = callback_entry(vm, kName, callback_fn, 3);
    if (!entry) return 0;
    if (flags) return helper_errno(e::kEINVAL);
    if (!task) return helper_errno(e::kENOENT);
    const std::optional<uint32_t> index = task_index(task);
    if (!index) {
        fail(vm, kName, "r1 is not a task_struct the emulated kernel has: the kernel's verifier refuses the call",
             "Pass a task from bpf_get_current_task_btf() or a BTF pointer to one.");
        return 0;
    }
    if (*index == 2) return helper_errno(e::kENOENT);  // init_task is a kernel thread: task->mm is NULL
    // With interrupts off the kernel cannot drop the mmap_lock at once: it queues the unlock on
    // this CPU's irq_work, which runs after the program, and a second call finds it busy.
    const bool irqs_off = runs_with_irqs_off(prog_type_of(vm));
    if (irqs_off && logged(*host, kName)) return helper_errno(e::kEBUSY);
    const std::string who = *index == 0 ? "the current task (pid " + std::to_string(host->task.pid) + ")"
                                        : std::string("its parent (pid 1, systemd)");
    if (irqs_off)
        log_host_event(vm, *host, kName,
                       "took the mmap_lock of " + who +
                           "; this CPU's irq_work releases it once the program returns (interrupts are off), so "
                           "another bpf_find_vma before then gets -EBUSY");
    // Only the current task's memory map is modelled (Host::vmas); its parent's has no area.
    const std::optional<uint32_t> vma = *index == 0 ? vma_holding(host->vmas, addr) : std::nullopt;
    if (!vma) return helper_errno(e::kENOENT);
    CallbackState s;
    s.kind = CallbackKind::FindVma;
    s.entry = *entry;
    s.ctx = callback_ctx;
    s.map = task;
    s.limit = vma_address(*vma);
    s.next = &find_vma_next;
    s.arg_mask = kFindVmaArgs;
    vm.helper_call_back(s);
    return 0;
}

// ---- bpf_d_path ----

// btf_allowlist_d_path (kernel/trace/bpf_trace.c): the fentry/fexit targets whose struct path
// arguments are safe to walk.
constexpr std::string_view kDPathAllowlist[] = {
    "security_file_permission", "security_inode_getattr", "security_file_open", "security_path_truncate",
    "vfs_truncate", "vfs_fallocate", "dentry_open", "vfs_getattr", "filp_close"};

bool listed(std::span<const std::string_view> names, std::string_view name) {
    return !name.empty() && std::find(names.begin(), names.end(), name) != names.end();
}

// bpf_d_path_allowed: iterators, sleepable LSM hooks, the allowlisted fentry/fexit targets. A
// raw program (no section) is not refused, as the catalog refuses it nothing.
bool d_path_allowed(Vm& vm) {
    const LoadedProgram* p = program_of(vm);
    const ProgType type = prog_type_of(vm);
    if (!p || type == ProgType::Unspec) return true;
    if (type == ProgType::Tracing && vm.env->attach == AttachType::TraceIter) return true;
    if (type == ProgType::Lsm) return lsm_hook_is_sleepable(p->attach_target);
    return listed(kDPathAllowlist, p->attach_target);
}

// Offsets in the 6.18 layouts d_path reads: path.dentry, dentry.d_parent, d_name.name, d_name.len.
struct DentryLayout {
    uint64_t path_dentry = 0, parent = 0, name = 0, len = 0;
};

const DentryLayout& dentry_layout() {
    static const DentryLayout layout = [] {
        KernelObjectWriter w(builtin_target_btf(), 0);
        const uint64_t path = w.allocate("path"), d = w.allocate("dentry");
        return DentryLayout{w.field_address(path, "path", "dentry").value_or(0) - path,
                            w.field_address(d, "dentry", "d_parent").value_or(0) - d,
                            w.field_address(d, "dentry", "d_name.name").value_or(0) - d,
                            w.field_address(d, "dentry", "d_name.len").value_or(0) - d};
    }();
    return layout;
}

std::optional<uint64_t> kernel_u64(Vm& vm, uint64_t addr) {
    const uint8_t* p = vm.memory().helper_ptr(addr, 8, false);
    return p ? std::optional(load_le<uint64_t>(p)) : std::nullopt;
}

// The dentries from `dentry` up to the root (its own parent), innermost first, with names; or
// nullopt when a pointer leads out of kernel memory (not a dentry the emulated kernel has).
std::optional<std::vector<std::string>> dentry_names(Vm& vm, uint64_t dentry) {
    const DentryLayout& l = dentry_layout();
    std::vector<std::string> names;
    constexpr size_t kMaxDepth = 2048;  // PATH_MAX / 2: a longer chain is a loop, not a path
    for (size_t depth = 0; depth < kMaxDepth; ++depth) {
        const auto parent = kernel_u64(vm, dentry + l.parent);
        if (!parent || *parent == 0) return std::nullopt;
        if (*parent == dentry) return names;  // IS_ROOT: the root of the (only) mount
        const auto name = kernel_u64(vm, dentry + l.name);
        const uint8_t* len = vm.memory().helper_ptr(dentry + l.len, 4, false);
        if (!name || !len) return std::nullopt;
        const uint32_t n = load_le<uint32_t>(len);
        const uint8_t* bytes = vm.memory().helper_ptr(*name, n, false);
        if (!bytes && n) return std::nullopt;
        // prepend_name copies up to the first NUL.
        std::string s(reinterpret_cast<const char*>(bytes), n);
        s.resize(std::strlen(s.c_str()));
        names.push_back(std::move(s));
        dentry = *parent;
    }
    return std::nullopt;
}

uint64_t d_path(Vm& vm, uint64_t path, uint64_t buf, uint64_t sz_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_d_path";
    if (!host_for(vm, kName)) return 0;
    if (!d_path_allowed(vm)) {
        const LoadedProgram* p = program_of(vm);
        fail(vm, kName,
             "helper call is not allowed in probe: the kernel's verifier refuses bpf_d_path in a program attached "
             "to \"" + (p ? p->attach_target : std::string()) + "\"",
             "bpf_d_path may be called from iterators, sleepable LSM hooks (lsm.s/file_open, ...) and fentry/fexit "
             "on security_file_open, security_file_permission, security_inode_getattr, security_path_truncate, "
             "vfs_truncate, vfs_fallocate, dentry_open, vfs_getattr and filp_close.");
        return 0;
    }
    const uint32_t sz = uint32_t(sz_arg);
    if (sz == 0) return 0;
    uint8_t* out = vm.memory().helper_ptr(buf, sz, true);
    if (!out) {
        fail_helper_access(vm, kName, buf, sz, Access::HelperWrite);
        return 0;
    }
    // copy_from_kernel_nofault(&copy, path, sizeof(*path)).
    if (!vm.memory().helper_ptr(path, 16, false)) return helper_errno(e::kEFAULT);
    const auto dentry = kernel_u64(vm, path + dentry_layout().path_dentry);
    const auto names = dentry && *dentry ? dentry_names(vm, *dentry) : std::nullopt;
    if (!names) {
        fail(vm, kName,
             "r1 = " + hex(path) + " is not a struct path the emulated kernel has (its dentry does not lead to the root)",
             "Pass &file->f_path of a file the program was given, or &task->mm->exe_file->f_path.");
        return 0;
    }
    // d_path builds the string from the end of the buffer: the NUL, then "/name" per dentry from
    // the innermost; a name that no longer fits stops it (what fitted stays) with -ENAMETOOLONG.
    int64_t room = sz;
    uint64_t at = sz;
    out[--at] = 0;
    --room;
    for (const std::string& n : *names) {
        room -= int64_t(n.size()) + 1;
        if (room < 0) return helper_errno(kENAMETOOLONG);
        at -= n.size() + 1;
        out[at] = '/';
        std::memcpy(out + at + 1, n.data(), n.size());
    }
    if (names->empty()) {  // the root itself
        if (--room < 0) return helper_errno(kENAMETOOLONG);
        out[--at] = '/';
    }
    const uint64_t len = sz - at;
    std::memmove(out, out + at, len);
    return len;
}

// ---- bpf_probe_write_user ----

// Gives user memory bytes back when the debugger steps back over the write.
class RestoreUserBytes final : public UndoAction {
public:
    RestoreUserBytes(Host& host, uint64_t addr, std::vector<uint8_t> old) : host_(host), addr_(addr), old_(std::move(old)) {}
    void undo() override {
        for (size_t i = 0; i < old_.size(); ++i)
            if (UserRegion* r = host_.user_region(addr_ + i, 1)) r->bytes[addr_ + i - r->addr] = old_[i];
    }
    size_t bytes() const override { return old_.capacity() + sizeof *this; }

private:
    Host& host_;
    uint64_t addr_;
    std::vector<uint8_t> old_;
};


// A user byte a store reaches: in the task's user memory, and not in an area mapped read-only.
uint8_t* writable_user_byte(Host& host, uint64_t addr) {
    if (const auto vma = vma_holding(host.vmas, addr); vma && host.vmas[*vma].perms[1] != 'w') return nullptr;
    UserRegion* r = host.user_region(addr, 1);
    return r ? &r->bytes[addr - r->addr] : nullptr;
}

uint64_t probe_write_user(Vm& vm, uint64_t dst, uint64_t src, uint64_t size_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_probe_write_user";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const uint32_t size = uint32_t(size_arg);
    const uint8_t* in = helper_read(vm, kName, src, size);
    if (!in && size) return 0;
    // bpf_get_probe_write_proto warns when the program is loaded; the log shows it once a run.
    if (!logged(*host, kName))
        log_host_event(vm, *host, kName,
                       "kernel log: \"" + std::string(host->task.comm_view()) + "[" + std::to_string(host->task.pid) +
                           "] is installing a program with bpf_probe_write_user helper that may corrupt user "
                           "memory!\"");
    // in_interrupt() (a perf event's NMI) or an exiting task (PF_EXITING): no user context to write.
    if (prog_type_of(vm) == ProgType::PerfEvent || host->task.exit_code != 0) return helper_errno(e::kEPERM);
    if (dst >= kTaskSizeMax || size > kTaskSizeMax - dst) return helper_errno(e::kEFAULT);  // access_ok
    // copy_to_user_nofault stores byte by byte up to the first that faults.
    uint32_t done = 0;
    std::vector<uint8_t> old;
    for (; done < size; ++done) {
        uint8_t* b = writable_user_byte(*host, dst + done);
        if (!b) break;
        old.push_back(*b);
        *b = in[done];
    }
    if (done && vm.journal()) vm.journal()->external(std::make_unique<RestoreUserBytes>(*host, dst, std::move(old)));
    if (done)
        log_host_event(vm, *host, kName,
                       std::to_string(done) + " byte(s) written to the user memory of pid " +
                           std::to_string(host->task.pid) + " at " + hex(dst) +
                           (done < size ? "; the next one is not writable user memory (-EFAULT)" : ""));
    return done == size ? 0 : helper_errno(e::kEFAULT);
}

// ---- bpf_override_return ----

// Functions marked ALLOW_ERROR_INJECTION that the emulated kernel knows: every system call
// (SYSCALL_DEFINE marks its __x64_sys_ wrapper) and the fault injection points.
bool error_injectable(std::string_view fn) {
    return fn.starts_with("__x64_sys_") || fn == "should_failslab" || fn == "should_fail_alloc_page" ||
           fn == "should_fail_bio";
}

uint64_t override_return(Vm& vm, uint64_t, uint64_t rc, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_override_return";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const LoadedProgram* p = program_of(vm);
    std::string fn = p ? p->attach_target : std::string();
    if (prog_type_of(vm) == ProgType::Kprobe) {
        // perf_event_attach_bpf_prog: a program that overrides must sit on the entry of an
        // error-injectable function, or the attach fails with -EINVAL.
        const size_t plus = fn.find('+');
        if (plus != std::string::npos || !error_injectable(fn)) {
            fail(vm, kName,
                 "the kernel refuses to attach a program calling bpf_override_return to \"" + fn +
                     "\" (-EINVAL): it must be the entry of a function marked ALLOW_ERROR_INJECTION",
                 "Attach the kprobe to a system call (kprobe/__x64_sys_openat) or a fault injection point "
                 "(should_failslab).");
            return 0;
        }
    }
    const std::string what = fn.empty() ? std::string("the probed function") : fn;
    log_host_event(vm, *host, kName,
                   what + " is not run: the kprobe returns to its caller with " + std::to_string(int64_t(rc)) +
                       " in rax (regs->ax = " + hex(rc) + ")");
    return 0;
}

constexpr HelperImpl kTraceUserHelperImpls[] = {
    {36, probe_write_user},  // bpf_probe_write_user
    {58, override_return},   // bpf_override_return
    {147, d_path},           // bpf_d_path
    {180, find_vma},         // bpf_find_vma
};

}  // namespace

std::span<const HelperImpl> trace_user_helper_impls() { return kTraceUserHelperImpls; }

}  // namespace bpfplay
