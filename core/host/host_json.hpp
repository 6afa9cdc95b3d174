#pragma once
// The emulated host from JSON: what a user edits in the playground or passes to
// `bpfvm run/debug --host FILE.json`. Every member is optional; a member given replaces that
// part of the host (a "devices" list replaces all devices), the rest keeps its value.
//
//   {
//     "cpu": 0,                                  // < ncpus
//     "ncpus": 4,                                // 1 to Host::kMaxCpus; sizes per-CPU maps
//     "clock_start_ns": 1000000000,              // bpf_ktime_get_ns at the first instruction
//     "prandom_seed": 1,                         // bpf_get_prandom_u32 restarts from it
//     "tai_offset_ns": 1767225637000000000,      // CLOCK_TAI - CLOCK_MONOTONIC (host.hpp)
//     "task": {"pid": 4242, "tgid": 4242, "uid": 1000, "gid": 1000, "comm": "nginx", "cgroup": 5},
//     "cgroups": [{"id": 1, "path": "/"}, {"id": 5, "path": "/app"}],   // the cgroup v2 tree
//     "ingress_ifindex": 2,                      // the device packets arrive on (default 1, lo)
//     "rx_queue_index": 0,                       // below that device's rx_queues
//     "devices": [
//       {"ifindex": 2, "name": "eth0", "mac": "02:00:00:00:00:02", "mtu": 1500, "up": true,
//        "forwarding": true, "rx_queues": 1, "ipv4": ["10.0.0.2/24"], "ipv6": ["fd00::2/64"]}
//     ],
//     "sockets": [
//       {"cookie": 4097, "protocol": "tcp", "local_addr": "0.0.0.0", "local_port": 80,
//        "state": "listen", "uid": 33},
//       {"cookie": 4098, "protocol": "tcp", "local_addr": "10.0.0.2", "local_port": 8080,
//        "remote_addr": "10.0.0.1", "remote_port": 40000, "state": "established",
//        "uid": 1000, "bound_dev_if": 0, "mark": 0, "priority": 0}
//     ],
//     "routes": [                                // the main table (bpf_fib_lookup)
//       {"dst": "0.0.0.0/0", "via": "10.0.0.1", "dev": 2, "metric": 0},
//       {"dst": "192.0.2.0/24", "type": "blackhole"}
//     ],
//     "neighbours": [{"dev": 2, "addr": "10.0.0.1", "mac": "02:00:00:00:00:01"}],
//     "map_sizes": {"flows": 65536},             // max_entries by map name, set before load
//     "prog_types": {"from_netdev": "sched_cls"}, // program types by program name, set before load
//     "kconfig": {"CONFIG_HZ": "1000", "CONFIG_FOO": "m"}, // merged over the 6.18 defaults
//     "kernel_stack": [{"ip": "0xffffffff8140a1b0", "symbol": "do_sys_openat2+0x0"}],
//     "user_stack": [{"ip": "0x55d0c4a01264", "symbol": "main+0x44"}],  // innermost first
//     "user_memory": [{"addr": "0x7ffd5e3c1f00", "text": "/usr/bin/demo\u0000"},
//                     {"addr": "0x55d0c4a03010", "hex": "2f746d7000"}],  // the task's user memory
//     "kernel_functions": {"do_sys_openat2": "0xffffffff8140a1b0"},     // kallsyms text symbols
//     "attach_cookies": {"trace_open": 42},      // bpf_get_attach_cookie, by program name
//     "perf_counters": [{"cpu": 0, "counter": 123456, "enabled_ns": 5000, "running_ns": 5000}],
//     "conntrack": [{"proto": "tcp", "src": "10.0.0.1", "sport": 40000, "dst": "10.0.0.2", "dport": 80}],
//     "dev_bound": {"xdp_prog": 2}               // device-bound XDP programs (host_json_conntrack.hpp)
//   }
// A device may carry "rx_metadata" (what its driver reports to a device-bound program).
//
// Devices: ifindex (> 0, unique) and name (1-15 characters, unique) are required; mac
// defaults to 00:00:00:00:00:00, mtu 1500, up true, forwarding false, rx_queues 1, no addresses.
// Routes: dst (a prefix) is required, dev too for "unicast" (the default type); via (a
// gateway of the same family) and metric (0) are optional. Neighbours: dev, addr and mac.
// Sockets: protocol ("tcp"/"udp"), local_addr and local_port are required; the family comes
// from the addresses (IPv4 or IPv6, both sides the same); remote_addr/remote_port default to
// none (0); state (TCP, lower case kernel names: "established", "listen", "time_wait", ...)
// defaults to "established" with a remote port and "listen" without; cookie defaults to
// 4097 + the socket's position and must be unique and non-zero; uid defaults to 1000.
// cgroups: ids 1 to 2^32-1 and absolute paths, both unique, each parent listed before its
// children; the task's "cgroup" must be one of them (a new list keeps the task's id, so give
// both when the ids change). cgroup_array values hold these ids.
// kernel_stack / user_stack: the current task's call stacks that bpf_get_stackid and
// bpf_get_stack walk, innermost first, at most 127 frames; ip is a number or a hex string,
// symbol (optional) names it in displays. [] for the user stack is a kernel thread's.
// user_memory: the current task's user address space (bpf_copy_from_user, _task): regions of
// 1 byte to 1 MiB, not overlapping, below 0x7ffffffff000; bytes as "text" or "hex". A list
// replaces the default (the task's argv/environment and the path its openat(2) passed).
// kernel_functions: name -> address (a list replaces the defaults); bpf_get_func_ip returns
// the address of the function a kprobe or fentry program is attached to.
// attach_cookies: the cookie each program (by name) was attached with; 0 when not listed.
// perf_counters: the counting event on each CPU (at most one; running_ns <= enabled_ns) that a
// PERF_EVENT_ARRAY slot for that CPU holds: bpf_perf_event_read(_value), bpf_perf_prog_read_value.
// map_sizes: what a loader sets with bpf_map__set_max_entries() (xdp-tools and katran leave
// max_entries 0 in their objects); it applies when the object is loaded on this host.
// prog_types: what a loader sets with bpf_program__set_type() (tc and xdp-loader load a section
// of any name as their own type); the names are prog_type_name's ("xdp", "sched_cls", ...).
// kconfig: what `extern ... __kconfig` variables read when the object is loaded on this host
// (config.gz syntax: y / m / n, numbers, quoted strings; LINUX_KERNEL_VERSION as a number,
// LINUX_HAS_BPF_COOKIE / LINUX_HAS_SYSCALL_WRAPPER as y or n): core/loader/kconfig_externs.cpp.
// clock_start_ns and tai_offset_ns may also be decimal strings ("18446744073709551615"): a
// JavaScript number holds integers exactly only to 2^53.
// rx_tunnel and rx_sec_path (a packet's tunnel and IPsec metadata): core/host/host_json_tunnel.hpp.
// vmas (the current task's memory map, what bpf_find_vma searches): core/host/host_json_vmas.hpp.
// open_files (the current task's descriptor table, what iter/task_file walks): core/host/host_json_files.hpp.
// Unknown members are errors, so a misspelling is never silently ignored.
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/host/tcp_flow_script.hpp"

namespace bpfplay {

struct Host;

// Applies the document to `host`. On error (ErrorKind::Parse naming the member, e.g.
// "devices[1].mac: \"02:00\" is not a MAC address") the host is left unchanged.
Result<Unit> apply_host_json(Host& host, std::string_view json);

// The document for `host`'s cpu, task, network devices, sockets, routes, neighbours and
// ingress device, every member written out, so apply_host_json(other, host_json(host)) makes
// those parts of `other` equal to `host`'s. One device, socket, route or neighbour per line,
// because the playground shows it for the learner to read and edit.
std::string host_json(const Host& host);

// The flow the page's editor starts with: from cwnd's start, five round trips, a fast
// retransmit, two round trips, an RTO, six round trips (slow start, congestion avoidance and
// both losses: examples/tcp_ca_flow.json's script).
TcpFlowScript default_tcp_flow();
// The "tcp_flow" member alone (tcp_flow_script.hpp): what the page's TCP flow editor holds.
// Errors name the member as in a host document ("host JSON: tcp_flow.steps[1].loss: ...").
Result<TcpFlowScript> tcp_flow_from_json(std::string_view json);
// The script as host_json writes its "tcp_flow", one step per line, for people to edit.
std::string tcp_flow_script_json(const TcpFlowScript& flow);

// The parts, each as one object (host_json lays them out in JsonLayout::Lines).
class JsonWriter;
struct Task;
struct NetDevice;
struct HostSocket;
struct Route;
struct Neighbour;
struct HostCgroup;
struct StackFrame;
struct UserRegion;
void to_json(JsonWriter& w, const Host& host);
void to_json(JsonWriter& w, const Task& task, const std::string& exe);  // exe: Host::exe, written in "task"
void to_json(JsonWriter& w, const NetDevice& device);
void to_json(JsonWriter& w, const HostSocket& socket);
void to_json(JsonWriter& w, const Route& route);
void to_json(JsonWriter& w, const Neighbour& neighbour);
void to_json(JsonWriter& w, const HostCgroup& cgroup);
void to_json(JsonWriter& w, const StackFrame& frame);
void to_json(JsonWriter& w, const UserRegion& region);
void to_json(JsonWriter& w, const TcpFlowScript& flow);  // {"rtt_us", "ecn", "steps": [...]}  // {"addr": "0x...", "text" or "hex": ...}

} // namespace bpfplay
