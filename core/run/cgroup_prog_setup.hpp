#pragma once
// Setting up the context of a cgroup program that runs inside a system call (cgroup/sysctl,
// cgroup/getsockopt and setsockopt, cgroup/connect4 and the other sock_addr hooks, cgroup/dev),
// and what the kernel does with the system call once the program returned.
//
// Where each context's input comes from:
//   bpf_sysctl          the host's sysctl (Host::sysctl, host JSON "sysctl")
//   bpf_sockopt         level, optname, optlen (getsockopt: the caller's buffer size) and retval
//                       (getsockopt: what the kernel's own getsockopt returned) from the context
//                       input; the option's bytes from the packet input
//   bpf_sock_addr       the address fields from the context input (user_family, family, type and
//                       protocol default to the attach type's); sk is the host's program socket
//   bpf_cgroup_dev_ctx  access_type, major and minor from the context input
//   bpf_sock            the socket's fields from the context input (cgroup/sock_create ...)
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/host/host.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

Result<Unit> setup_sysctl_context(const RunInput& in, RunState& run, Vm& vm, const Host& host);
Result<Unit> setup_sockopt_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm,
                                   const Host& host);
Result<Unit> setup_sock_addr_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm,
                                     const Host& host);
Result<Unit> setup_cgroup_dev_context(const RunInput& in, RunState& run, Vm& vm);
// struct bpf_sock for cgroup/sock_create, sock_release, post_bind4/6: the fields from the context
// input (family, type and protocol default to TCP over the attach type's family).
Result<Unit> setup_cgroup_sock_context(const LoadedProgram& prog, const RunInput& in, RunState& run, Vm& vm);

// What the system call does given the program's return value r0, one sentence each ("write to
// /proc/sys/net/ipv4/tcp_mem refused: write(2) fails with -EPERM"). Empty for programs without
// a cgroup context.
std::vector<std::string> cgroup_exit_report(const RunState& run, const Host& host, uint64_t r0);

// The value the system call returns after the programs ran (bpf_prog_run_array_cg): the run's
// retval, which becomes -EPERM when the program returned 0 and retval held no error yet.
int32_t cgroup_syscall_result(int32_t retval, uint32_t verdict);

}  // namespace bpfplay
