#pragma once
// The emulated kernel's objects a program can point at: the task_structs behind
// bpf_get_current_task() / bpf_get_current_task_btf() and what they point to (cred, nsproxy and
// its namespaces, mm -> exe_file -> f_path.dentry, thread_pid, se.cfs_rq, cgroups ->
// dfl_cgrp -> kn, signal, fs, files). They live in window::kKernel, mapped read-only (the
// kernel's memory is not the program's to write), laid out by the built-in vmlinux BTF (Linux
// 6.18's real offsets, core/btf/builtin_target_btf.hpp) through KernelObjectWriter, so
// BPF_CORE_READ(task, real_parent, tgid) or task->nsproxy->pid_ns_for_children->ns.inum read
// the host's values:
//
//   task_address(0)   current     (Host::task: pid, tgid, comm, uid/gid, exit_code, exe...)
//   task_address(1)   its parent  (pid 1, "systemd")
//   task_address(2)   init_task   (pid 0, "swapper/0"; its own parent, as in Linux)
//
// real_parent and parent of each point at the next one down that chain; the objects they
// point to follow them in the window.
//
// The host's sockets (Host::net.sockets) are at window::kSockets, read-only too: socket i is
// the struct bpf_sock at socket_address(i) that bpf_sk_lookup_tcp and friends return. After
// the n sockets' struct bpf_sock come their struct bpf_tcp_sock views, what bpf_tcp_sock()
// returns (tcp_sock_address(i, n)); then each socket's kernel object, laid out by BTF, which
// the bpf_skc_to_* casts return (socket_objects.hpp). In the kernel all are the struct sock itself.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/memory.hpp"

namespace bpfplay {

struct Host;
struct HostCgroup;

// Where objects a tracing program's arguments point at by default are
// (core/run/btf_args_context.hpp): the current task's mm, cred and executable (its struct
// file, the file's f_path, dentry and inode), a struct filename of kDefaultFilenamePath (what
// do_unlinkat, do_filp_open and friends take) and a struct linux_binprm of the current task's
// executable (what bprm_execve and the bprm_* LSM hooks take). 0: not laid out (a kernel thread
// has no mm nor executable).
struct KernelObjectAddresses {
    uint64_t task = 0, mm = 0, cred = 0, exe_file = 0, exe_path = 0, exe_dentry = 0, exe_inode = 0;
    uint64_t filename = 0, bprm = 0;
    // The current task's user registers (task_pt_regs): what a raw sys_enter / sys_exit
    // tracepoint's regs and a syscall wrapper's (__x64_sys_openat's) argument point at.
    uint64_t pt_regs = 0;
    // Host::syscall's open of Host::open_path: the struct file it makes and that file's
    // f_path (vfs_open's arguments; 0 when open_path is empty), and the struct open_how
    // do_sys_openat2 takes (openat's or open's flags and mode as build_open_how makes them; 0
    // when the call is neither).
    uint64_t open_file = 0, open_path = 0, open_how = 0;
    // Host::other_tasks' task_structs, in its order.
    std::vector<uint64_t> other_tasks;
    // The run's packet as the kernel object a program of the traced type sees (an fentry on an
    // XDP or TC program, core/run/traced_packet.hpp): 0 when the run has none.
    uint64_t xdp_buff = 0, sk_buff = 0;
};
// The path the struct filename above names: the file libbpf-bootstrap's fentry example removes.
inline constexpr std::string_view kDefaultFilenamePath = "/tmp/test_file";

// The bytes; owned by the run and kept alive as long as the Vm that maps them.
struct KernelObjects {
    static constexpr uint32_t kTaskCount = 3;
    std::vector<uint8_t> bytes;   // the task_structs first, then what they point to
    std::vector<uint8_t> sockets; // one struct bpf_sock per host socket
    std::vector<uint8_t> percpu;  // the per-CPU kernel variables, kPercpuUnit bytes per CPU (kernel_percpu.hpp)
    std::vector<uint8_t> conntrack; // the conntrack table's struct nf_conn objects (conntrack_objects.hpp)
    std::shared_ptr<ContextAccess> conntrack_writes; // the program's stores to them (nf_conn's mark)
    KernelObjectAddresses addresses;  // filled by map_kernel_objects
};

// struct bpf_sock of <linux/bpf.h> (uapi layout).
namespace bpf_sock {
constexpr uint32_t kBoundDevIf = 0, kFamily = 4, kType = 8, kProtocol = 12, kMark = 16, kPriority = 20,
                   kSrcIp4 = 24, kSrcIp6 = 28, kSrcPort = 44, kDstPort = 48, kDstIp4 = 52, kDstIp6 = 56,
                   kState = 72, kRxQueueMapping = 76, kSize = 80;
}

constexpr uint64_t socket_address(uint32_t index) {
    return window_base(window::kSockets) + uint64_t(index) * bpf_sock::kSize;
}
// The index of the socket whose struct bpf_sock starts at `addr`, if one does (of `count`).
std::optional<uint32_t> socket_index(uint64_t addr, uint32_t count);

// struct bpf_tcp_sock of <linux/bpf.h>: TcpInfo's layout (net_model.hpp).
namespace bpf_tcp_sock {
constexpr uint32_t kSize = 112;
}
// Socket i's struct bpf_tcp_sock, of `count` sockets.
constexpr uint64_t tcp_sock_address(uint32_t index, uint32_t count) {
    return socket_address(count) + uint64_t(index) * bpf_tcp_sock::kSize;
}
// The socket behind a socket pointer of any view (struct bpf_sock, struct bpf_tcp_sock, its
// kernel object), as helpers taking ARG_PTR_TO_SOCK_COMMON / _BTF_ID_SOCK_COMMON accept all.
std::optional<uint32_t> socket_of_pointer(uint64_t addr, uint32_t count);

// sizeof(struct task_struct) in the kernel BTF, rounded up to 8: the distance between tasks.
uint32_t task_struct_stride();
// The address of task i (0 = current) in window::kKernel.
inline uint64_t task_address(uint32_t i) { return window_base(window::kKernel) + uint64_t(i) * task_struct_stride(); }
// sizeof(struct vm_area_struct), rounded up to 8. The current task's memory areas
// (Host::vmas) follow the tasks: area i is at vma_address(i).
uint32_t vma_struct_stride();
inline uint64_t vma_address(uint32_t i) {
    return task_address(KernelObjects::kTaskCount) + uint64_t(i) * vma_struct_stride();
}
// The task whose task_struct starts at `addr`, if one does.
std::optional<uint32_t> task_index(uint64_t addr);

// x86-64's THREAD_SIZE: a task's kernel stack, whose top holds the user registers it entered
// the kernel with (struct pt_regs). task->stack points at its bottom; only the pt_regs at the
// top are laid out here, the rest of the stack is not mapped.
constexpr uint64_t kThreadSize = 16384;
// task_pt_regs(task) as x86-64 computes it: task->stack + THREAD_SIZE - sizeof(struct pt_regs),
// reading task->stack from the mapped task_struct. nullopt when `task` is not one of the tasks.
std::optional<uint64_t> task_pt_regs_address(Memory& memory, uint64_t task);

// The task bpf_task_from_pid(pid) finds (find_task_by_pid_ns in the initial pid namespace,
// the only one here): the current task by its thread id, pid 1 its parent. init_task (pid 0)
// is in no namespace's pid table, so no pid finds it.
std::optional<uint32_t> task_by_pid(const Host& host, int32_t pid);
// The id of task i's cgroup (v2): the current task's is Host::task.cgroup_id; its parent and
// init_task are in the root cgroup (1).
uint64_t task_cgroup_id(const Host& host, uint32_t task);

// The host's cgroups (Host::cgroups) as struct cgroup objects, after the current task's memory
// areas: cgroup i at cgroup_address(host, i), with level, kn->id, kn->name, self.cgroup,
// self.parent and its ancestors[] (ancestors[l] the ancestor at level l, ancestors[level]
// itself) filled in, one stride apart (the struct and the longest ancestors[] of the tree).
// task->cgroups->dfl_cgrp points at the task's cgroup among them.
uint32_t cgroup_level(const HostCgroup& c); // "/" 0, "/a" 1, "/a/b" 2
uint64_t cgroup_address(const Host& host, uint32_t index);
// The index of cgroup `index`'s ancestor at `level` (cgroup_ancestor(): itself at its own
// level); nullopt past its level, or when the tree lacks that path.
std::optional<uint32_t> cgroup_ancestor_index(const Host& host, uint32_t index, uint32_t level);
// The index in Host::cgroups of the struct cgroup starting at `addr`, if one does.
std::optional<uint32_t> cgroup_index(const Host& host, uint64_t addr);

// The address bpf_get_current_task() returns (the current task_struct).
constexpr uint64_t current_task_address() { return window_base(window::kKernel); }

// The emulated kernel's symbol table (what kallsyms_lookup_name finds): the objects it has an
// address for. Only init_task, the third task above (a kernel built with CONFIG_KALLSYMS_ALL
// lists data symbols; one without it, like the 6.18 kernel the examples' cases come from,
// finds no data symbol at all). Every other name is absent, as a name the kernel lacks.
std::optional<uint64_t> kernel_symbol_address(std::string_view name);

// Lays out the task_structs and their objects from the host (no mapping). Paths the kernel BTF
// lacks are listed in `errors` (a bug: the tests check there is none).
std::vector<uint8_t> build_kernel_objects(const Host& host, std::vector<std::string>* errors = nullptr,
                                          KernelObjectAddresses* addresses = nullptr);
// The addresses build_kernel_objects lays those objects out at for `host` (it builds them).
KernelObjectAddresses kernel_object_addresses(const Host& host);

// Fills `storage` from the host's task and maps it read-only at window::kKernel; the sockets at
// window::kSockets, the per-CPU variables (one block per CPU of host.ncpus) at window::kPercpu and
// the conntrack entries at window::kConntrack.
void map_kernel_objects(Memory& memory, const Host& host, KernelObjects& storage);

}  // namespace bpfplay
