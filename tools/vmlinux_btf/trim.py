#!/usr/bin/env python3
"""Trim a kernel's raw BTF (/sys/kernel/btf/vmlinux) to the types tracing programs reach.

The emulated kernel (core/btf/vmlinux_btf.cpp) describes itself to CO-RE with the result, and
lays its objects out by it (core/host/kernel_object_writer.cpp), so a program compiled against
a real vmlinux.h reads the host's values at the real kernel's offsets.

What is kept:
  * every struct/union named in ROOTS, whole (all members, exact offsets and size);
  * everything those reach *by value*, whole: nested structs/unions (named or not), arrays,
    typedefs, enums, modifiers;
  * a pointer to a struct/union outside that closure becomes a pointer to a FWD of the same
    name (so a layout never changes; only the pointee's body is missing);
  * function pointers keep their FUNC_PROTO (parameters follow the pointer rule above);
  * FUNC + FUNC_PROTO for the kernel functions in FUNCS (fentry/kprobe attach points), and the
    btf_trace_* typedefs of the tracepoints in TRACEPOINTS (what tp_btf programs attach to)
    with the __bpf_trace_<class> FUNC that names their parameters (TRACEPOINT_CLASSES).
DECL_TAG, VAR and DATASEC records are dropped.

Usage: trim.py [/sys/kernel/btf/vmlinux] [core/btf/data/vmlinux-6.18.btf]
Python 3 standard library only.

Result for Linux 6.18.44 (x86-64): 5,482,429 bytes in, 141,454 bytes out (1945 types).
"""
import struct
import sys

SIZE_NOTE = "Linux 6.18.44 x86-64: 5,482,429 bytes in, 141,454 bytes out (1945 types: 1661 whole, 284 FWD)"

ROOTS = [
    "task_struct", "mm_struct", "files_struct", "fdtable", "file", "path", "dentry", "qstr",
    "inode", "super_block", "fs_struct", "nsproxy", "pid_namespace", "ns_common",
    "uts_namespace", "new_utsname", "mnt_namespace", "net", "cred", "signal_struct",
    "sighand_struct", "css_set", "cgroup", "cgroup_subsys_state", "kernfs_node",
    "sched_entity", "cfs_rq", "pid", "upid", "sock", "sock_common", "inet_sock",
    "inet_connection_sock", "tcp_sock", "sk_buff", "net_device", "pt_regs", "linux_binprm",
    "vm_area_struct", "user_namespace", "socket", "sockaddr", "sockaddr_in", "sockaddr_in6",
    "msghdr", "iphdr", "ipv6hdr", "tcphdr", "udphdr", "ethhdr", "request_sock", "bio",
    "request", "block_device", "gendisk", "trace_entry",
    "trace_event_raw_sched_process_exec", "trace_event_raw_sched_process_template",
    "trace_event_raw_sched_process_fork", "trace_event_raw_sched_switch",
    "trace_event_raw_sched_wakeup_template", "trace_event_raw_sys_enter",
    "trace_event_raw_sys_exit", "trace_event_raw_inet_sock_set_state",
    "trace_event_raw_block_rq_completion", "trace_event_raw_sched_process_wait",
    # What the bpf_skc_to_* casts return (net/core/filter.c's btf_sock_ids): the emulated
    # sockets are laid out as these (core/host/socket_objects.cpp).
    "tcp6_sock", "tcp_timewait_sock", "inet_timewait_sock", "tcp_request_sock",
    "inet_request_sock", "udp_sock", "udp6_sock", "ipv6_pinfo", "unix_sock", "mptcp_sock",
    # What do_unlinkat / do_filp_open / do_sys_openat2's callers take: the emulated kernel lays
    # one out as an fentry argument's default (core/context/btf_args_context.cpp).
    "filename",
    # struct_ops (core/run/struct_ops_run.cpp): the operations a BPF_MAP_TYPE_STRUCT_OPS map
    # implements, the map's value type the kernel checks it against (btf_vmlinux_value_type_id),
    # and what the members' prototypes point at.
    "tcp_congestion_ops", "bpf_struct_ops_tcp_congestion_ops", "rate_sample", "ack_sample",
    # What the xdp_cpumap_kthread tracepoint hands xdp-tools' samples (xdp-bench, xdp-monitor).
    "xdp_cpumap_stats",
    # What an fentry/fexit program attached to an XDP program gets as its argument (xdp-tools'
    # xdpdump): the emulated kernel lays one out over the run's packet (core/run/traced_packet.cpp).
    "xdp_buff", "xdp_rxq_info",
    # The conntrack kfuncs (core/run/ct_kfuncs.cpp): the struct nf_conn they return, laid out
    # by the emulated kernel (core/host/conntrack_objects.cpp), and the options they take.
    "nf_conn", "nf_conn___init", "bpf_ct_opts", "bpf_sock_tuple",
    # What do_sys_openat2 takes: a scenario's open lays one out (core/run/scenario.cpp).
    "open_how",
]

FUNCS = [
    "do_unlinkat", "do_sys_openat2", "vfs_read", "vfs_write", "vfs_open", "tcp_connect",
    "tcp_v4_connect", "tcp_sendmsg", "tcp_recvmsg", "tcp_close", "inet_csk_accept",
    "do_exit", "wake_up_new_task", "finish_task_switch", "security_file_open",
    "__x64_sys_execve", "kernel_clone", "do_nanosleep", "blk_mq_start_request",
    # fentry/fexit targets of libbpf-tools (vfsstat, filelife, tcpconnlat, tcprtt, tcpsynbl,
    # solisten, klockstat, readahead, oomkill, ...) and the selftests.
    "vfs_fsync", "vfs_unlink", "vfs_rename", "vfs_create", "security_inode_create",
    "tcp_v6_connect", "tcp_rcv_established", "tcp_rcv_state_process", "tcp_retransmit_skb",
    "tcp_cleanup_rbuf", "tcp_v4_syn_recv_sock", "inet_listen", "inet_bind", "udp_sendmsg",
    "udp_recvmsg", "ip_rcv", "ip_output", "dev_queue_xmit", "do_filp_open", "bprm_execve",
    "security_bprm_check", "mutex_lock", "mutex_unlock", "consume_skb", "oom_kill_process",
    "page_cache_ra_unbounded", "handle_mm_fault", "__x64_sys_openat", "__x64_sys_read",
    "__x64_sys_write", "__x64_sys_unlinkat", "do_fchmodat", "sched_fork",
    # Takes a struct xdp_buff *: the pointer type an fentry on an XDP program's slot has.
    "xdp_do_redirect",
    # More fentry/fexit targets of libbpf-tools (klockstat's locks, biotop/biosnoop's accounting,
    # cachestat, tcpsynbl's IPv6 side, ...), from the survey's "no prototype" list.
    "down_read", "down_read_interruptible", "down_read_killable", "down_read_trylock", "down_write",
    "down_write_killable", "down_write_trylock", "up_read", "up_write", "mutex_lock_interruptible",
    "mutex_lock_killable", "mutex_trylock", "blk_account_io_start", "blk_account_io_done",
    "folio_mark_accessed", "mark_page_accessed", "filemap_alloc_folio_noprof",
    "netlink_dump", "rtnetlink_rcv_msg", "sock_do_ioctl", "tcp_v6_syn_recv_sock",
    # LSM hooks: an lsm/<hook> program attaches to bpf_lsm_<hook> (libbpf-bootstrap's lsm
    # example, the selftests' lsm programs, tools that guard exec, files and sockets).
    "bpf_lsm_file_open", "bpf_lsm_file_permission", "bpf_lsm_file_mprotect", "bpf_lsm_file_ioctl",
    "bpf_lsm_file_receive", "bpf_lsm_mmap_file", "bpf_lsm_bprm_check_security",
    "bpf_lsm_bprm_committing_creds", "bpf_lsm_bprm_committed_creds", "bpf_lsm_socket_connect",
    "bpf_lsm_socket_bind", "bpf_lsm_socket_create", "bpf_lsm_socket_post_create",
    "bpf_lsm_sk_alloc_security", "bpf_lsm_task_alloc", "bpf_lsm_task_free", "bpf_lsm_task_kill",
    "bpf_lsm_task_setnice", "bpf_lsm_cred_prepare", "bpf_lsm_ptrace_access_check",
    "bpf_lsm_inode_unlink", "bpf_lsm_inode_create", "bpf_lsm_inode_rename", "bpf_lsm_inode_getattr",
    "bpf_lsm_inode_setxattr", "bpf_lsm_path_chmod", "bpf_lsm_path_unlink", "bpf_lsm_sb_mount",
    "bpf_lsm_kernel_read_file", "bpf_lsm_bpf", "bpf_lsm_bpf_map", "bpf_lsm_bpf_prog",
    "bpf_lsm_settime", "bpf_lsm_userns_create", "bpf_lsm_locked_down",
]

TRACEPOINTS = [
    "sched_process_exec", "sched_process_exit", "sched_process_fork", "sched_switch",
    "sched_wakeup", "sys_enter", "sys_exit", "inet_sock_set_state", "sched_process_free",
    # What libbpf-tools attach to with tp_btf (runqlat, biolatency, bitesize, hardirqs,
    # softirqs, drsnoop, tcppktlat, memleak, ...).
    "sched_wakeup_new", "sched_process_wait", "sched_migrate_task", "block_rq_issue",
    "block_rq_complete", "block_rq_insert", "block_io_start", "block_io_done", "irq_handler_entry",
    "irq_handler_exit", "softirq_entry", "softirq_exit", "kmalloc", "kfree", "kmem_cache_alloc",
    "mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end", "tcp_probe",
    "tcp_rcv_space_adjust", "signal_generate", "task_newtask", "task_rename",
    # xdp-tools' and xdp-tutorial's XDP monitors (xdp-bench, xdp_redirect_*), cpufreq, softirqs,
    # tcplife.
    "xdp_exception", "xdp_redirect", "xdp_redirect_err", "xdp_cpumap_enqueue", "xdp_cpumap_kthread",
    "xdp_devmap_xmit", "cpu_frequency", "softirq_raise", "tcp_destroy_sock",
]

# A tracepoint's btf_trace_<event> prototype has unnamed parameters; the names are those of the
# kernel's __bpf_trace_<class> function (include/trace/bpf_probe.h), kept for each event: the
# event's own name, or its DECLARE_EVENT_CLASS's when the event is a DEFINE_EVENT of one.
# core/context/btf_args_context.cpp finds it among the kept ones by the same parameter types.
TRACEPOINT_CLASSES = {
    "sched_wakeup": "sched_wakeup_template", "sched_wakeup_new": "sched_wakeup_template",
    "sched_process_free": "sched_process_template", "block_rq_issue": "block_rq",
    "block_rq_insert": "block_rq", "block_io_start": "block_rq", "block_io_done": "block_rq",
    "block_rq_complete": "block_rq_completion", "softirq_entry": "softirq", "softirq_exit": "softirq",
    "mm_vmscan_direct_reclaim_begin": "mm_vmscan_direct_reclaim_begin_template",
    "mm_vmscan_direct_reclaim_end": "mm_vmscan_direct_reclaim_end_template",
    "tcp_rcv_space_adjust": "tcp_event_sk", "xdp_redirect": "xdp_redirect_template",
    "xdp_redirect_err": "xdp_redirect_template", "softirq_raise": "softirq",
    "tcp_destroy_sock": "tcp_event_sk", "cpu_frequency": "cpu",
}

(INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
 FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64) = range(1, 20)
MODIFIERS = {TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG}


class Type:
    __slots__ = ("name", "kind", "kflag", "vlen", "size_or_type", "extra")

    def __init__(self, name, kind, kflag, vlen, size_or_type, extra):
        self.name, self.kind, self.kflag, self.vlen = name, kind, kflag, vlen
        self.size_or_type, self.extra = size_or_type, extra  # extra: list of u32 words


def parse(data):
    magic, version, flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
        "<HBBIIIII", data, 0)
    if magic != 0xEB9F:
        sys.exit("not little-endian raw BTF")
    types_at, strs_at = hdr_len + type_off, hdr_len + str_off
    strings = data[strs_at:strs_at + str_len]

    def name_at(off):
        return strings[off:strings.index(b"\0", off)].decode()

    types = [None]  # id 0 is void
    pos, end = types_at, types_at + type_len
    while pos < end:
        name_off, info, size_or_type = struct.unpack_from("<III", data, pos)
        pos += 12
        kind, vlen, kflag = (info >> 24) & 0x1F, info & 0xFFFF, info >> 31
        words = {INT: 1, ARRAY: 3, VAR: 1, DECL_TAG: 1, STRUCT: 3 * vlen, UNION: 3 * vlen,
                 ENUM: 2 * vlen, FUNC_PROTO: 2 * vlen, DATASEC: 3 * vlen, ENUM64: 3 * vlen}.get(kind, 0)
        extra = list(struct.unpack_from("<%dI" % words, data, pos))
        pos += 4 * words
        types.append(Type(name_at(name_off), kind, kflag, vlen, size_or_type, extra))
    return types, name_at


class Trimmer:
    def __init__(self, types, name_at):
        self.t, self.name_at = types, name_at
        self.by_name = {}
        for i, t in enumerate(types[1:], 1):
            if t.name and (t.name, t.kind) not in self.by_name:
                self.by_name[(t.name, t.kind)] = i
        self.whole = set()      # ids kept as they are (struct/union bodies included)
        self.fwd_targets = {}   # id of a struct/union only pointed at -> its name
        self.pending = []

    def keep_value(self, tid):
        """Keep tid and what it holds by value."""
        if tid == 0 or tid in self.whole:
            return
        self.whole.add(tid)
        self.pending.append(tid)

    def keep_pointee(self, tid):
        """Keep what a pointer points at: a named struct/union may become a FWD."""
        t = self.t[tid] if tid else None
        if t is None:
            return
        if t.kind in (STRUCT, UNION) and t.name:
            if tid not in self.whole:
                self.fwd_targets[tid] = t.name
            return
        if t.kind in MODIFIERS or t.kind == ARRAY or t.kind == PTR:
            if tid in self.whole:
                return
            self.whole.add(tid)
            nxt = t.extra[0] if t.kind == ARRAY else t.size_or_type
            self.keep_pointee(nxt)
            return
        self.keep_value(tid)  # ints, enums, anonymous aggregates, func protos, fwds

    def run(self):
        while self.pending:
            tid = self.pending.pop()
            t = self.t[tid]
            k = t.kind
            if k in (STRUCT, UNION):
                for j in range(t.vlen):
                    self.keep_value(t.extra[3 * j + 1])
            elif k == ARRAY:
                self.keep_value(t.extra[0])
                self.keep_value(t.extra[1])
            elif k in MODIFIERS:
                self.keep_value(t.size_or_type)
            elif k == PTR:
                self.keep_pointee(t.size_or_type)
            elif k == FUNC_PROTO:
                self.keep_pointee(t.size_or_type)
                for j in range(t.vlen):
                    self.keep_pointee(t.extra[2 * j + 1])
            elif k == FUNC:
                self.keep_value(t.size_or_type)

    def emit(self):
        kept = sorted(self.whole)
        fwd_names = sorted({n for i, n in self.fwd_targets.items() if i not in self.whole})
        new_id = {old: i for i, old in enumerate(kept, 1)}
        fwd_id = {n: len(kept) + 1 + i for i, n in enumerate(fwd_names)}
        strings = bytearray(b"\0")
        str_at = {"": 0}

        def s(name):
            if name not in str_at:
                str_at[name] = len(strings)
                strings.extend(name.encode() + b"\0")
            return str_at[name]

        def ref(old):
            if old == 0:
                return 0
            if old in new_id:
                return new_id[old]
            return fwd_id[self.t[old].name]

        out = bytearray()
        for old in kept:
            t = self.t[old]
            k, extra = t.kind, list(t.extra)
            sot = t.size_or_type
            if k in (PTR, FUNC, FUNC_PROTO) or k in MODIFIERS:
                sot = ref(sot)
            if k in (STRUCT, UNION):
                for j in range(t.vlen):
                    extra[3 * j] = s(self.name_at_member(extra[3 * j]))
                    extra[3 * j + 1] = ref(extra[3 * j + 1])
            elif k in (ENUM, ENUM64):
                stride = 2 if k == ENUM else 3
                for j in range(t.vlen):
                    extra[stride * j] = s(self.name_at(extra[stride * j]))
            elif k == FUNC_PROTO:
                for j in range(t.vlen):
                    extra[2 * j] = s(self.name_at(extra[2 * j]))
                    extra[2 * j + 1] = ref(extra[2 * j + 1])
            elif k == ARRAY:
                extra[0], extra[1] = ref(extra[0]), ref(extra[1])
            info = (t.kflag << 31) | (k << 24) | t.vlen
            out += struct.pack("<III", s(t.name), info, sot)
            out += struct.pack("<%dI" % len(extra), *extra)
        for n in fwd_names:
            is_union = any(self.t[i].kind == UNION for i, m in self.fwd_targets.items() if m == n)
            out += struct.pack("<III", s(n), (int(is_union) << 31) | (FWD << 24), 0)
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(out), len(out), len(strings))
        return bytes(hdr + out + strings), len(kept), len(fwd_names)

    def name_at_member(self, off):
        return self.name_at(off)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/sys/kernel/btf/vmlinux"
    dst = sys.argv[2] if len(sys.argv) > 2 else "core/btf/data/vmlinux-6.18.btf"
    data = open(src, "rb").read()
    types, name_at = parse(data)
    tr = Trimmer(types, name_at)
    missing = []
    for name in ROOTS:
        tid = tr.by_name.get((name, STRUCT)) or tr.by_name.get((name, UNION))
        if tid is None:
            missing.append(name)
        else:
            tr.keep_value(tid)
    for name in FUNCS:
        tid = tr.by_name.get((name, FUNC))
        if tid is None:
            missing.append(name)
        else:
            tr.keep_value(tid)
    for tp in TRACEPOINTS:
        tid = tr.by_name.get(("btf_trace_" + tp, TYPEDEF))
        if tid is None:
            missing.append("btf_trace_" + tp)
        else:
            tr.keep_value(tid)
        names_from = "__bpf_trace_" + TRACEPOINT_CLASSES.get(tp, tp)
        tid = tr.by_name.get((names_from, FUNC))
        if tid is None:
            missing.append(names_from)
        else:
            tr.keep_value(tid)
    # Kernel names programs look up by name (enums used as CO-RE enum-value relocations).
    for name in ("pid_type", "bpf_func_id", "bpf_map_type", "bpf_prog_type"):
        tid = tr.by_name.get((name, ENUM))
        if tid is None:
            missing.append(name)
        else:
            tr.keep_value(tid)
    tr.run()
    out, n_kept, n_fwd = tr.emit()
    open(dst, "wb").write(out)
    print("%s: %d types (%d kept whole, %d FWD), %d bytes (from %d)" %
          (dst, n_kept + n_fwd, n_kept, n_fwd, len(out), len(data)))
    if missing:
        print("not in this kernel: " + ", ".join(missing))


if __name__ == "__main__":
    main()
