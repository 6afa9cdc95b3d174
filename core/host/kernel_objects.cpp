#include "core/host/kernel_objects.hpp"
#include "core/host/kernel_percpu.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/host.hpp"
#include "core/host/conntrack_objects.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/socket_objects.hpp"
#include "core/host/syscall_table.hpp"

namespace bpfplay {

namespace {

constexpr uint32_t kPfRandomize = 0x00400000;  // PF_RANDOMIZE: a user process with ASLR on
constexpr uint32_t kPfKthread = 0x00200000;    // PF_KTHREAD
constexpr int32_t kNormalPrio = 120;           // nice 0

// The initial namespaces' inode numbers (include/linux/proc_ns.h: PROC_*_INIT_INO), what
// `ls -l /proc/self/ns` shows on a host without containers.
constexpr uint32_t kUtsInitIno = 0xEFFFFFFEU,
                   kPidInitIno = 0xEFFFFFFCU;
constexpr uint32_t kNetInitIno = 4026531840U;  // the first dynamically numbered: init_net
constexpr uint32_t kMntInitIno = 4026531841U;

// The registers a user task entered the kernel with (the user-mode segments of x86-64, its
// flags with interrupts on).
constexpr uint64_t kUserCs = 0x33, kUserSs = 0x2b, kUserFlags = 0x246;

struct TaskInit {
    uint32_t pid, tgid, uid, gid, flags;
    int32_t exit_code;
    uint64_t start_time_ns;
    std::array<char, kTaskCommLen> comm;
    std::string exe;  // empty: a kernel thread, no mm
    uint32_t state = 0;  // task->__state
};

// The objects every task shares: one set of initial namespaces, the root cgroup's css_set...
struct Shared {
    uint64_t nsproxy = 0, cfs_rq = 0, fs = 0;
    uint64_t root = 0, mnt = 0;  // the root dentry and the root filesystem's vfsmount
};

// The dentry cache and open files, by path: one dentry per path component (a directory's is
// shared by everything under it, as the dcache has it) and one struct file per mapped path
// (mm->exe_file is the file its text is mapped from), so d_path walks d_parent up to the root.
struct Files {
    std::map<std::string, uint64_t, std::less<>> dentries, files;
};

// S_IFREG | 0755, the files' inode numbers from 131073 on (a root filesystem's), and the
// f_op of a file on it: &ext4_file_operations (not a symbol the emulated kernel lists).
constexpr uint64_t kRegularFileMode = 0100755, kFirstFileIno = 131073;
constexpr uint64_t kExt4FileOperations = 0xffffffff82a2e6c0ull;
constexpr uint64_t kFmodeRead = 0x1, kFmodeExec = 0x20;

// vfsmount is only declared in the trimmed BTF (a FWD); the kernel's layout starts with
// mnt_root and mnt_sb.
constexpr uint64_t kVfsmountSize = 32;

uint64_t dentry_for(KernelObjectWriter& w, const Shared& shared, Files& files, std::string_view path) {
    if (path.empty() || path == "/") return shared.root;
    if (auto it = files.dentries.find(path); it != files.dentries.end()) return it->second;
    const size_t slash = path.find_last_of('/');
    const uint64_t parent = dentry_for(w, shared, files, path.substr(0, slash));
    const std::string_view name = path.substr(slash + 1);
    const uint64_t d = w.allocate("dentry");
    w.set(d, "dentry", "d_parent", parent);
    w.set(d, "dentry", "d_name.name", w.add_string(name));
    w.set(d, "dentry", "d_name.len", name.size());
    files.dentries.emplace(std::string(path), d);
    return d;
}

// The struct file a path is open (mapped) as: f_path names the root mount and the dentry.
uint64_t file_for(KernelObjectWriter& w, const Shared& shared, Files& files, std::string_view path) {
    if (auto it = files.files.find(path); it != files.files.end()) return it->second;
    const uint64_t f = w.allocate("file");
    const uint64_t dentry = dentry_for(w, shared, files, path);
    w.set(f, "file", "f_path.mnt", shared.mnt);
    w.set(f, "file", "f_path.dentry", dentry);
    // A regular file's inode (what bpf_ima_inode_hash takes), shared by the dentry and the file;
    // f_op is its filesystem's, never &socket_file_ops, so bpf_sock_from_file finds no socket.
    const uint64_t inode = w.allocate("inode");
    w.set(inode, "inode", "i_mode", kRegularFileMode);
    w.set(inode, "inode", "i_ino", kFirstFileIno + files.files.size());
    w.set(inode, "inode", "i_nlink", 1);
    w.set(dentry, "dentry", "d_inode", inode);
    w.set(f, "file", "f_inode", inode);
    w.set(f, "file", "f_op", kExt4FileOperations);
    w.set(f, "file", "f_mode", kFmodeRead | kFmodeExec);
    files.files.emplace(std::string(path), f);
    return f;
}

Shared write_shared(KernelObjectWriter& w) {
    Shared s;
    s.nsproxy = w.allocate("nsproxy");
    w.set(s.nsproxy, "nsproxy", "count.refs.counter", 1);
    w.set(s.nsproxy, "nsproxy", "uts_ns->ns.inum", kUtsInitIno);
    w.set_bytes(s.nsproxy, "nsproxy", "uts_ns->name.sysname", "Linux");
    w.set_bytes(s.nsproxy, "nsproxy", "uts_ns->name.nodename", "bpfplay");
    w.set_bytes(s.nsproxy, "nsproxy", "uts_ns->name.release", "6.18.0");
    w.set_bytes(s.nsproxy, "nsproxy", "uts_ns->name.machine", "x86_64");
    w.set(s.nsproxy, "nsproxy", "mnt_ns->ns.inum", kMntInitIno);
    w.set(s.nsproxy, "nsproxy", "pid_ns_for_children->ns.inum", kPidInitIno);
    w.set(s.nsproxy, "nsproxy", "pid_ns_for_children->level", 0);
    w.set(s.nsproxy, "nsproxy", "net_ns->ns.inum", kNetInitIno);
    s.cfs_rq = w.allocate("cfs_rq");
    w.set(s.cfs_rq, "cfs_rq", "nr_queued", 1);  // the current task is the one running
    s.fs = w.allocate("fs_struct");
    w.set(s.fs, "fs_struct", "users", 1);
    w.set(s.fs, "fs_struct", "umask", 022);
    // The root dentry is its own parent (IS_ROOT); the working directory is the root too.
    s.root = w.pointee(s.fs, "fs_struct", "root.dentry").value_or(0);
    w.set(s.root, "dentry", "d_name.name", w.add_string("/"));
    w.set(s.root, "dentry", "d_name.len", 1);
    w.set(s.root, "dentry", "d_parent", s.root);
    w.set(s.fs, "fs_struct", "pwd.dentry", s.root);
    s.mnt = w.allocate_bytes(kVfsmountSize);
    w.set(s.fs, "fs_struct", "root.mnt", s.mnt);
    w.set(s.fs, "fs_struct", "pwd.mnt", s.mnt);
    return s;
}

// The pt_regs at the top of the task's kernel stack, and task->stack below them. The current
// task is in Host::syscall (by default openat(2), the default kernel stack's do_sys_openat2):
// orig_ax the syscall number, di/si/dx/r10/r8/r9 its arguments, ax -ENOSYS or what it returned,
// ip where it returns in libc (the user stack's innermost frame). Its parent and the other tasks
// wait in epoll_wait(2); a kernel thread's registers are all zero (not user mode).
uint64_t write_pt_regs(KernelObjectWriter& w, uint64_t t, const TaskInit& init, uint32_t index, const Host& host) {
    const uint64_t regs = w.allocate("pt_regs");
    const auto size = builtin_target_btf().resolve_size(*builtin_target_btf().find_by_name("pt_regs", BtfKind::Struct));
    w.set(t, "task_struct", "stack", regs + size.value() - kThreadSize);
    if (init.exe.empty()) return regs;
    w.set(regs, "pt_regs", "cs", kUserCs);
    w.set(regs, "pt_regs", "ss", kUserSs);
    w.set(regs, "pt_regs", "flags", kUserFlags);
    // ax: -ENOSYS, what the entry code stores until the syscall returns.
    if (index != 0) {
        w.set(regs, "pt_regs", "ax", HostSyscall{}.ax);
        w.set(regs, "pt_regs", "orig_ax", syscall_number("epoll_wait").value_or(0));
        return regs;
    }
    const HostSyscall& call = host.syscall;
    w.set(regs, "pt_regs", "ax", call.ax);
    w.set(regs, "pt_regs", "orig_ax", call.nr);
    constexpr const char* kSyscallArgRegs[] = {"di", "si", "dx", "r10", "r8", "r9"};
    for (size_t i = 0; i < call.args.size(); ++i) w.set(regs, "pt_regs", kSyscallArgRegs[i], call.args[i]);
    if (!host.user_stack.empty()) w.set(regs, "pt_regs", "ip", host.user_stack.front().ip);
    w.set(regs, "pt_regs", "sp", kDefaultArgvAddr - 0x180);
    return regs;
}

void write_task(KernelObjectWriter& w, uint64_t t, const TaskInit& init, uint64_t parent, const Shared& shared,
                Files& files, uint64_t cgroup_id, std::optional<uint64_t> cgroup) {
    constexpr std::string_view ts = "task_struct";
    w.set(t, ts, "__state", init.state);
    w.set(t, ts, "flags", init.flags);
    w.set(t, ts, "prio", kNormalPrio);
    w.set(t, ts, "static_prio", kNormalPrio);
    w.set(t, ts, "normal_prio", kNormalPrio);
    w.set(t, ts, "pid", init.pid);
    w.set(t, ts, "tgid", init.tgid);
    w.set(t, ts, "exit_code", uint32_t(init.exit_code));
    w.set(t, ts, "start_time", init.start_time_ns);
    w.set(t, ts, "start_boottime", init.start_time_ns);
    w.set(t, ts, "real_parent", parent);
    w.set(t, ts, "parent", parent);
    w.set(t, ts, "group_leader", t);
    w.set_bytes(t, ts, "comm", std::string_view(init.comm.data(), init.comm.size()));
    // One cred for both views (no setuid in between).
    const uint64_t cred = w.pointee(t, ts, "cred").value_or(0);
    w.set(t, ts, "real_cred", cred);
    for (const char* f : {"uid.val", "suid.val", "euid.val", "fsuid.val"}) w.set(cred, "cred", f, init.uid);
    for (const char* f : {"gid.val", "sgid.val", "egid.val", "fsgid.val"}) w.set(cred, "cred", f, init.gid);
    w.set(t, ts, "nsproxy", shared.nsproxy);
    w.set(t, ts, "fs", shared.fs);
    w.set(t, ts, "se.cfs_rq", shared.cfs_rq);
    w.set(t, ts, "se.on_rq", 1);
    // struct pid ends in a flexible array, numbers[level + 1] (alloc_pid allocates them with
    // it): one struct upid here, the task's number in the initial namespace, right after it.
    if (const std::optional<uint64_t> pid = w.pointee(t, ts, "thread_pid")) {
        const uint64_t numbers = w.allocate_bytes(16);  // struct upid { int nr; struct pid_namespace *ns; }
        if (w.field_address(*pid, "pid", "numbers") == numbers) {
            w.set_u64(numbers, uint32_t(init.pid));
            w.set_u64(numbers + 8, w.pointee(shared.nsproxy, "nsproxy", "pid_ns_for_children").value_or(0));
        }
    }
    w.set(t, ts, "thread_pid->level", 0);
    w.set(t, ts, "signal->nr_threads", 1);
    w.set(t, ts, "files->count.counter", 1);
    if (cgroup) {
        w.set(t, ts, "cgroups->dfl_cgrp", *cgroup);
    } else {  // a cgroup id the host's tree lacks: a cgroup object of its own
        w.set(t, ts, "cgroups->dfl_cgrp->kn->id", cgroup_id);
        w.set(t, ts, "cgroups->dfl_cgrp->level", cgroup_id == 1 ? 0 : 1);
    }
    if (!init.exe.empty()) {
        const uint64_t mm = w.pointee(t, ts, "mm").value_or(0);
        w.set(t, ts, "active_mm", mm);
        w.set(mm, "mm_struct", "mm_users.counter", 1);
        w.set(mm, "mm_struct", "map_count", 24);
        // An exe "bpfplay-demo" with no directory is a file in the root directory.
        const std::string exe = init.exe.starts_with('/') ? init.exe : "/" + init.exe;
        w.set(mm, "mm_struct", "exe_file", file_for(w, shared, files, exe));
    }
}

// A task's descriptor table, as the kernel keeps it: files->fdt points at the fdtable embedded in
// files_struct (files->fdtab, 64 slots in files->fd_array, open_fds in files->open_fds_init)
// or, past descriptor 63, at a larger fdtable of its own (expand_fdtable); fd[i] is the struct
// file of descriptor i, a path's or a host socket's (socket_objects.hpp).
void write_fd_table(KernelObjectWriter& w, uint64_t task, const std::vector<HostOpenFile>& open, const Host& host,
                    const Shared& shared, Files& files) {
    constexpr std::string_view fs = "files_struct", ft = "fdtable";
    const uint64_t table = w.pointee(task, "task_struct", "files").value_or(0);
    if (!table) return;
    uint32_t highest = 0;
    for (const HostOpenFile& f : open) highest = std::max(highest, f.fd);
    const uint32_t max_fds = fdtable_max_fds(open.empty() ? 0 : highest);
    uint64_t fdt = w.field_address(table, fs, "fdtab").value_or(0);
    uint64_t fd_array = w.field_address(table, fs, "fd_array").value_or(0);
    uint64_t open_fds = w.field_address(table, fs, "open_fds_init").value_or(0);
    if (max_fds > kNrOpenDefault) {
        fdt = w.allocate(ft);
        fd_array = w.allocate_bytes(8 * uint64_t(max_fds));
        open_fds = w.allocate_bytes(max_fds / 8);
        w.set(fdt, ft, "close_on_exec", w.allocate_bytes(max_fds / 8));
        w.set(fdt, ft, "full_fds_bits", w.allocate_bytes(max_fds / 8 / 64 * 8 + 8));
    } else {
        w.set(fdt, ft, "close_on_exec", w.field_address(table, fs, "close_on_exec_init").value_or(0));
        w.set(fdt, ft, "full_fds_bits", w.field_address(table, fs, "full_fds_bits_init").value_or(0));
    }
    w.set(table, fs, "fdt", fdt);
    w.set(fdt, ft, "max_fds", max_fds);
    w.set(fdt, ft, "fd", fd_array);
    w.set(fdt, ft, "open_fds", open_fds);
    const uint32_t sockets = uint32_t(host.net.sockets.size());
    std::vector<uint64_t> open_bits(max_fds / 64, 0);
    uint32_t next_fd = 0;
    for (const HostOpenFile& f : open) {
        if (f.socket && *f.socket >= sockets) continue;  // a socket the host no longer has
        const uint64_t file = f.socket ? socket_file_address(*f.socket, sockets) : file_for(w, shared, files, f.path);
        w.set_u64(fd_array + 8 * uint64_t(f.fd), file);
        open_bits[f.fd / 64] |= uint64_t(1) << (f.fd % 64);
        if (f.fd == next_fd) ++next_fd;
    }
    for (size_t i = 0; i < open_bits.size(); ++i) w.set_u64(open_fds + 8 * i, open_bits[i]);
    w.set(table, fs, "next_fd", next_fd);
}

// The current task's memory map: vm_area_struct i at vma_address(i), each pointing at its mm
// and the struct file of its path; the mm's brk and stack from "[heap]" and "[stack]".
void write_vmas(KernelObjectWriter& w, const Host& host, uint64_t task, const Shared& shared, Files& files) {
    const uint64_t mm = w.pointee(task, "task_struct", "mm").value_or(0);
    w.set(mm, "mm_struct", "map_count", host.vmas.size());
    for (uint32_t i = 0; i < host.vmas.size(); ++i) {
        const HostVma& v = host.vmas[i];
        constexpr std::string_view vs = "vm_area_struct";
        const uint64_t a = vma_address(i);
        w.set(a, vs, "vm_start", v.start);
        w.set(a, vs, "vm_end", v.end);
        w.set(a, vs, "vm_mm", mm);
        w.set(a, vs, "__vm_flags", vm_flags_of(v).value_or(0));
        w.set(a, vs, "vm_pgoff", v.pgoff);
        if (v.file_backed()) w.set(a, vs, "vm_file", file_for(w, shared, files, v.file));
        if (v.file == "[heap]") {
            w.set(mm, "mm_struct", "start_brk", v.start);
            w.set(mm, "mm_struct", "brk", v.end);
        }
        if (v.file == "[stack]") w.set(mm, "mm_struct", "start_stack", v.end);
    }
}

// The offset of struct cgroup's flexible ancestors[] array, and the struct's size.
struct CgroupLayout {
    uint64_t ancestors = 0, size = 0;
};

const CgroupLayout& cgroup_layout() {
    static const CgroupLayout layout = [] {
        KernelObjectWriter w(builtin_target_btf(), 0);
        const uint64_t c = w.allocate("cgroup");
        const Btf& btf = builtin_target_btf();
        return CgroupLayout{w.field_address(c, "cgroup", "ancestors").value_or(0) - c,
                            btf.resolve_size(*btf.find_by_name("cgroup", BtfKind::Struct)).value()};
    }();
    return layout;
}

uint64_t cgroup_stride(const Host& host) {
    uint32_t max_level = 0;
    for (const HostCgroup& c : host.cgroups) max_level = std::max(max_level, cgroup_level(c));
    const CgroupLayout& l = cgroup_layout();
    return (std::max(l.size, l.ancestors + 8 * uint64_t(max_level + 1)) + 7) & ~uint64_t(7);
}

// cgroup_create's fields: ancestors[] from the root down to itself, self.parent the parent's css.
void write_cgroups(KernelObjectWriter& w, const Host& host) {
    for (uint32_t i = 0; i < host.cgroups.size(); ++i) {
        const HostCgroup& c = host.cgroups[i];
        const uint64_t a = cgroup_address(host, i);
        const uint32_t level = cgroup_level(c);
        w.set(a, "cgroup", "level", level);
        w.set(a, "cgroup", "self.cgroup", a);
        w.set(a, "cgroup", "kn->id", c.id);
        w.set(a, "cgroup", "kn->name", w.add_string(level == 0 ? "" : c.path.substr(c.path.rfind('/') + 1)));
        for (uint32_t l = 0; l <= level; ++l) {
            const std::optional<uint32_t> anc = cgroup_ancestor_index(host, i, l);
            const uint64_t anc_addr = anc ? cgroup_address(host, *anc) : 0;
            w.set_u64(a + cgroup_layout().ancestors + 8 * l, anc_addr);
            if (l + 1 == level && anc) w.set(a, "cgroup", "self.parent", anc_addr);
        }
    }
}

// What a tracing program's arguments point at by default (KernelObjectAddresses): a struct
// filename as getname() makes it (the name in its own iname[], refcnt 1) and a struct
// linux_binprm of the current task's executable as bprm_execve sees it after open_exec.
void write_argument_objects(KernelObjectWriter& w, const Host& host, uint64_t task, KernelObjectAddresses& a) {
    constexpr std::string_view ts = "task_struct";
    a.task = task;
    a.cred = w.pointee(task, ts, "cred").value_or(0);
    a.filename = w.allocate("filename");
    w.set(a.filename, "filename", "name", w.add_string(kDefaultFilenamePath));  // right after: iname[]
    w.set(a.filename, "filename", "refcnt.counter", 1);
    if (host.exe.empty()) return;  // a kernel thread: no mm, no executable
    a.mm = w.pointee(task, ts, "mm").value_or(0);
    a.exe_file = w.pointee(task, ts, "mm->exe_file").value_or(0);
    a.exe_path = w.field_address(a.exe_file, "file", "f_path").value_or(0);
    a.exe_dentry = w.pointee(a.exe_file, "file", "f_path.dentry").value_or(0);
    a.exe_inode = w.pointee(a.exe_file, "file", "f_inode").value_or(0);
    w.set(a.exe_inode, "inode", "i_size", host.ima.exe_content.size());
    constexpr std::string_view bs = "linux_binprm";
    a.bprm = w.allocate("linux_binprm");
    const uint64_t exe = w.add_string(host.exe);
    w.set(a.bprm, bs, "filename", exe);
    w.set(a.bprm, bs, "interp", exe);
    w.set(a.bprm, bs, "file", a.exe_file);
    w.set(a.bprm, bs, "executable", a.exe_file);
    w.set(a.bprm, bs, "cred", a.cred);
    w.set(a.bprm, bs, "mm", a.mm);
    w.set(a.bprm, bs, "argc", 1);
    w.set_bytes(a.bprm, bs, "buf", "\x7f" "ELF");  // the first bytes of the file, read by prepare_binprm
}

// O_LARGEFILE, which openat(2) adds on 64-bit (force_o_largefile), and what build_open_how
// keeps: VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
// O_NDELAY | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
// O_CLOEXEC | O_PATH | __O_TMPFILE | __O_SYNC), O_PATH_FLAGS for an O_PATH open, and the mode
// only for an open that creates (O_CREAT, __O_TMPFILE), masked to S_IALLUGO.
constexpr uint64_t kOLargefile = 0100000, kOCreat = 0100, kOTmpfileBit = 020000000, kOPath = 010000000;
constexpr uint64_t kValidOpenFlags = 3 | 0100 | 0200 | 0400 | 01000 | 02000 | 04000 | 010000 | 020000 | 040000 |
                                     0100000 | 0200000 | 0400000 | 01000000 | 02000000 | 010000000 | 020000000 |
                                     04000000;
constexpr uint64_t kOPathFlags = 0200000 | 0400000 | 02000000 | 010000000;  // O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC|O_PATH
constexpr uint64_t kSIallugo = 07777;

// openat's / open's struct open_how, and the struct file (and its f_path) Host::syscall opens.
void write_open_objects(KernelObjectWriter& w, const Host& host, const Shared& shared, Files& files,
                        KernelObjectAddresses& a) {
    const HostSyscall& call = host.syscall;
    const bool openat = call.nr == syscall_number("openat"), plain_open = call.nr == syscall_number("open");
    // The open_how exists before the open can fail (do_sys_open builds it first).
    uint64_t flags = 0;
    if (openat || plain_open) {
        flags = (call.args[openat ? 2 : 1] | kOLargefile) & kValidOpenFlags;
        if (flags & kOPath) flags &= kOPathFlags;
        uint64_t mode = call.args[openat ? 3 : 2] & kSIallugo;
        if (!(flags & (kOCreat | kOTmpfileBit))) mode = 0;
        a.open_how = w.allocate("open_how");
        w.set(a.open_how, "open_how", "flags", flags);
        w.set(a.open_how, "open_how", "mode", mode);
    }
    if (host.open_path.empty()) return;
    const std::string path = host.open_path.starts_with('/') ? host.open_path : "/" + host.open_path;
    a.open_file = file_for(w, shared, files, path);
    a.open_path = w.field_address(a.open_file, "file", "f_path").value_or(0);
    w.set(a.open_file, "file", "f_flags", flags);
}

}  // namespace

uint32_t cgroup_level(const HostCgroup& c) {
    return c.path == "/" ? 0 : uint32_t(std::count(c.path.begin(), c.path.end(), '/'));
}

std::optional<uint32_t> cgroup_ancestor_index(const Host& host, uint32_t index, uint32_t level) {
    const std::string& path = host.cgroups[index].path;
    if (level > cgroup_level(host.cgroups[index])) return std::nullopt;
    size_t end = 0;
    for (uint32_t l = 0; l < level; ++l) end = path.find('/', end + 1);
    const std::string prefix = level == 0 ? "/" : path.substr(0, end);
    for (uint32_t i = 0; i < host.cgroups.size(); ++i)
        if (host.cgroups[i].path == prefix) return i;
    return std::nullopt;
}

uint64_t cgroup_address(const Host& host, uint32_t index) {
    return vma_address(uint32_t(host.vmas.size())) + uint64_t(index) * cgroup_stride(host);
}

std::optional<uint32_t> cgroup_index(const Host& host, uint64_t addr) {
    const uint64_t base = cgroup_address(host, 0), stride = cgroup_stride(host);
    if (addr < base || (addr - base) % stride != 0) return std::nullopt;
    const uint64_t i = (addr - base) / stride;
    return i < host.cgroups.size() ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

std::optional<uint32_t> task_by_pid(const Host& host, int32_t pid) {
    if (pid <= 0) return std::nullopt;
    if (uint32_t(pid) == host.task.pid) return 0;
    if (pid == 1) return 1;
    return std::nullopt;
}

uint64_t task_cgroup_id(const Host& host, uint32_t task) { return task == 0 ? host.task.cgroup_id : 1; }

namespace {

// sizeof(struct name) in the kernel BTF, rounded up to 8: the distance between such objects.
uint32_t struct_stride(std::string_view name) {
    const Btf& btf = builtin_target_btf();
    const auto id = btf.find_by_name(name, BtfKind::Struct);
    const auto size = id ? btf.resolve_size(*id) : Result<uint32_t>(Error{});
    return size ? (*size + 7) & ~7u : 0u;
}

}  // namespace

uint32_t task_struct_stride() {
    static const uint32_t stride = struct_stride("task_struct");
    return stride;
}

uint32_t vma_struct_stride() {
    static const uint32_t stride = struct_stride("vm_area_struct");
    return stride;
}

std::optional<uint32_t> task_index(uint64_t addr) {
    const uint64_t base = current_task_address();
    if (addr < base || (addr - base) % task_struct_stride() != 0) return std::nullopt;
    const uint64_t i = (addr - base) / task_struct_stride();
    return i < KernelObjects::kTaskCount ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

std::vector<uint8_t> build_kernel_objects(const Host& host, std::vector<std::string>* errors,
                                          KernelObjectAddresses* addresses) {
    KernelObjectWriter w(builtin_target_btf(), current_task_address());
    uint64_t tasks[KernelObjects::kTaskCount];
    for (uint64_t& t : tasks) t = w.allocate("task_struct");
    // The areas right after the tasks, so vma_address(i) finds them without a table.
    for (size_t i = 0; i < host.vmas.size(); ++i) w.allocate("vm_area_struct");
    // Then the cgroups, so cgroup_address(host, i) finds them without a table.
    w.allocate_bytes(host.cgroups.size() * cgroup_stride(host));
    write_cgroups(w, host);
    const TaskInit init[KernelObjects::kTaskCount] = {
        {host.task.pid, host.task.tgid, host.task.uid, host.task.gid, kPfRandomize, host.task.exit_code,
         host.task.start_time_ns, host.task.comm, host.exe, host.task.state},
        {1, 1, 0, 0, kPfRandomize, 0, 100'000'000, Task::comm_from("systemd"), "/usr/lib/systemd/systemd"},
        {0, 0, 0, 0, kPfKthread, 0, 0, Task::comm_from("swapper/0"), ""},
    };
    const Shared shared = write_shared(w);
    Files files;
    uint64_t current_regs = 0;
    for (uint32_t i = 0; i < KernelObjects::kTaskCount; ++i) {
        const uint32_t parent = i + 1 < KernelObjects::kTaskCount ? i + 1 : i;
        const uint64_t cgroup_id = task_cgroup_id(host, i);
        std::optional<uint64_t> cgroup;
        for (uint32_t c = 0; c < host.cgroups.size(); ++c)
            if (host.cgroups[c].id == cgroup_id) cgroup = cgroup_address(host, c);
        write_task(w, tasks[i], init[i], tasks[parent], shared, files, cgroup_id, cgroup);
        const uint64_t regs = write_pt_regs(w, tasks[i], init[i], i, host);
        if (i == 0) current_regs = regs;
    }
    write_vmas(w, host, tasks[0], shared, files);
    write_fd_table(w, tasks[0], host.open_files, host, shared, files);
    write_fd_table(w, tasks[1], init_open_files(), host, shared, files);
    KernelObjectAddresses written;
    write_argument_objects(w, host, tasks[0], written);
    written.pt_regs = current_regs;
    // After every object laid out before them, so a host without them has the same addresses.
    write_open_objects(w, host, shared, files, written);
    for (const OtherTask& o : host.other_tasks) {
        const uint64_t t = w.allocate("task_struct");
        const TaskInit other{o.task.pid, o.task.tgid, o.task.uid, o.task.gid, kPfRandomize, o.task.exit_code,
                             o.task.start_time_ns, o.task.comm, o.exe, o.task.state};
        std::optional<uint64_t> cgroup;
        for (uint32_t c = 0; c < host.cgroups.size(); ++c)
            if (host.cgroups[c].id == o.task.cgroup_id) cgroup = cgroup_address(host, c);
        write_task(w, t, other, tasks[1], shared, files, o.task.cgroup_id, cgroup);
        write_pt_regs(w, t, other, 1, host);
        written.other_tasks.push_back(t);
    }
    if (addresses) *addresses = written;
    if (errors) *errors = w.errors();
    return w.take_bytes();
}

std::optional<uint64_t> task_pt_regs_address(Memory& memory, uint64_t task) {
    static const struct Layout {
        uint64_t stack_offset = 0, regs_size = 0;
    } layout = [] {
        KernelObjectWriter w(builtin_target_btf(), 0);
        const uint64_t t = w.allocate("task_struct");
        const Btf& btf = builtin_target_btf();
        return Layout{w.field_address(t, "task_struct", "stack").value_or(0) - t,
                      btf.resolve_size(*btf.find_by_name("pt_regs", BtfKind::Struct)).value()};
    }();
    if (!task_index(task)) return std::nullopt;
    const uint8_t* stack = memory.helper_ptr(task + layout.stack_offset, 8, false);
    if (!stack) return std::nullopt;
    return load_le<uint64_t>(stack) + kThreadSize - layout.regs_size;
}

std::optional<uint32_t> socket_index(uint64_t addr, uint32_t count) {
    const uint64_t base = socket_address(0);
    if (addr < base || (addr - base) % bpf_sock::kSize != 0) return std::nullopt;
    const uint64_t i = (addr - base) / bpf_sock::kSize;
    return i < count ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

std::optional<uint32_t> socket_of_pointer(uint64_t addr, uint32_t count) {
    if (auto i = socket_index(addr, count)) return i;
    if (auto i = socket_object_index(addr, count)) return i;
    const uint64_t base = tcp_sock_address(0, count);
    if (addr < base || (addr - base) % bpf_tcp_sock::kSize != 0) return std::nullopt;
    const uint64_t i = (addr - base) / bpf_tcp_sock::kSize;
    return i < count ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

std::optional<uint64_t> kernel_symbol_address(std::string_view name) {
    if (name == "init_task") return task_address(2);
    return std::nullopt;
}

namespace {

// What bpf_sock_convert_ctx_access reads from the socket. An IPv4 socket's IPv6 fields and
// an IPv6 socket's IPv4 fields are zero; rx_queue_mapping is -1 (no queue recorded).
void write_bpf_sock(uint8_t* out, const HostSocket& s) {
    const bool v4 = s.family == kAfInet;
    store_le<uint32_t>(out + bpf_sock::kBoundDevIf, s.bound_dev_if);
    store_le<uint32_t>(out + bpf_sock::kFamily, s.family);
    store_le<uint32_t>(out + bpf_sock::kType, s.protocol == kIpprotoTcp ? 1 : 2); // SOCK_STREAM : SOCK_DGRAM
    store_le<uint32_t>(out + bpf_sock::kProtocol, s.protocol);
    store_le<uint32_t>(out + bpf_sock::kMark, s.mark);
    store_le<uint32_t>(out + bpf_sock::kPriority, s.priority);
    std::memcpy(out + (v4 ? bpf_sock::kSrcIp4 : bpf_sock::kSrcIp6), s.local_addr.data(), v4 ? 4 : 16);
    store_le<uint32_t>(out + bpf_sock::kSrcPort, s.local_port); // host byte order
    out[bpf_sock::kDstPort] = uint8_t(s.remote_port >> 8);      // network byte order
    out[bpf_sock::kDstPort + 1] = uint8_t(s.remote_port);
    std::memcpy(out + (v4 ? bpf_sock::kDstIp4 : bpf_sock::kDstIp6), s.remote_addr.data(), v4 ? 4 : 16);
    store_le<uint32_t>(out + bpf_sock::kState, kernel_sk_state(s));
    store_le<int32_t>(out + bpf_sock::kRxQueueMapping, -1);
}

}  // namespace

KernelObjectAddresses kernel_object_addresses(const Host& host) {
    KernelObjectAddresses a;
    build_kernel_objects(host, nullptr, &a);
    return a;
}

void map_kernel_objects(Memory& memory, const Host& host, KernelObjects& storage) {
    storage.bytes = build_kernel_objects(host, nullptr, &storage.addresses);
    memory.map(window::kKernel, RegionKind::ReadOnly, kRead, storage.bytes.data(), uint32_t(storage.bytes.size()),
               "kernel objects (task_struct and what it points to)");
    // cpu_number: each CPU's block holds its own number.
    storage.percpu.assign(size_t(host.ncpus) * kPercpuUnit, 0);
    const PercpuVar& cpu_number = *find_percpu_var("cpu_number");
    for (uint32_t c = 0; c < host.ncpus; ++c)
        store_le<int32_t>(storage.percpu.data() + size_t(c) * kPercpuUnit + cpu_number.offset, int32_t(c));
    if (storage.percpu.empty())
        memory.unmap(window::kPercpu);
    else
        memory.map(window::kPercpu, RegionKind::ReadOnly, kRead, storage.percpu.data(), uint32_t(storage.percpu.size()),
                   "per-CPU kernel variables");
    if (host.heap) host.heap->map_into(memory);
    storage.conntrack = build_conntrack_objects(host.net.conntrack);
    memory.map(window::kConntrack, RegionKind::ReadOnly, kRead, storage.conntrack.data(),
               uint32_t(storage.conntrack.size()), "conntrack entries (struct nf_conn)");
    storage.conntrack_writes = std::make_shared<ConntrackMarkWrites>(storage.conntrack);
    memory.set_store_filter(window::kConntrack, storage.conntrack_writes.get());
    const size_t n = host.net.sockets.size();
    storage.sockets.assign(n * (bpf_sock::kSize + bpf_tcp_sock::kSize), 0);
    const std::vector<uint8_t> objects = build_socket_objects(host.net.sockets);
    storage.sockets.insert(storage.sockets.end(), objects.begin(), objects.end());
    for (size_t i = 0; i < n; ++i) {
        const HostSocket& s = host.net.sockets[i];
        write_bpf_sock(storage.sockets.data() + i * bpf_sock::kSize, s);
        // bpf_tcp_sock_convert_ctx_access reads struct tcp_sock: only TCP sockets have one.
        if (s.protocol == kIpprotoTcp)
            std::memcpy(storage.sockets.data() + n * bpf_sock::kSize + i * bpf_tcp_sock::kSize, &s.tcp,
                        bpf_tcp_sock::kSize);
    }
    if (storage.sockets.empty()) {
        memory.unmap(window::kSockets);
    } else {
        memory.map(window::kSockets, RegionKind::ReadOnly, kRead, storage.sockets.data(),
                   uint32_t(storage.sockets.size()), "sockets (struct bpf_sock, struct bpf_tcp_sock, then the kernel's own socket objects)");
    }
}

}  // namespace bpfplay
