// The bundled examples (public/examples/*.o, sources in examples/*.c): what each teaches and
// the input it starts with. The page opens with kDefaultExample loaded.

import kprobeRegsCase from '../../examples/cases/kprobe_regs.json';
import netfilterDropCase from '../../examples/cases/netfilter_drop.json';
import syscallMapsCase from '../../examples/cases/syscall_maps.json';

export interface Example {
  readonly file: string;
  readonly teaches: string;
  readonly preset?: string;   // a packet preset from packet.ts
  readonly ctxHex?: string;   // context bytes instead of a packet
  readonly noPacket?: boolean; // the test run refuses a packet (syscall programs): clear it
  readonly packetHex?: string; // a packet no preset builds (an SRv6 header), as hex
}

// Context presets are the first case of the example's kernel case file (examples/cases/*.json,
// recorded by tests/kernel/make_cases.py), so the page starts from the very bytes the kernel
// verified and the CLI's tests run: a copy written here drifted by one register once.

interface CaseFile { readonly cases: readonly { readonly ctx?: string }[] }
export function firstCaseCtx(file: CaseFile): string {
  const ctx = file.cases[0]?.ctx;
  if (ctx === undefined) throw new Error('example case file has no ctx in its first case');
  return ctx;
}

// The first packet of an example's first kernel case (as firstCaseCtx, for packets no preset
// builds).
interface PacketCaseFile { readonly cases: readonly { readonly packet?: string; readonly packets?: readonly string[] }[] }
export function firstCasePacket(file: PacketCaseFile): string {
  const c = file.cases[0];
  const packet = c?.packet ?? c?.packets?.[0];
  if (packet === undefined) throw new Error('example case file has no packet in its first case');
  return packet;
}

// netfilter_drop.c at the test run's default hook (IPv4 NF_INET_LOCAL_OUT): an IP packet with
// no Ethernet header, TCP 10.0.0.1:40000 -> 10.0.0.2:80.
const kNetfilterPacket = firstCasePacket(netfilterDropCase);

// struct bpf_sk_lookup for sk_lookup_dispatch.c: a TCP SYN from 10.0.0.1:40000 to
// 127.0.0.1:8000 (fill the ports and services maps in the Maps tab to steer it).
const kSkLookupCtx =
  '000000000000000002000000060000000a000001000000000000000000000000000000009c4000007f000001' +
  '00000000000000000000000000000000401f00000000000000000000';

// struct pt_regs for kprobe_regs.c: rdi = -100 (AT_FDCWD), rsi = a user pointer.
const kKprobeRegs = firstCaseCtx(kprobeRegsCase);
// struct args for syscall_maps.c: key 1, value 42, slots_fd 5 (libbpf's and bpfplay's fd for
// map "slots"), the results zeroed.
const kSyscallArgs = firstCaseCtx(syscallMapsCase);

// The sched_process_exec tracepoint record for bootstrap.c (its format file): common_type 365,
// common_pid 4242, __data_loc filename = offset 20 | length 14 << 16, pid and old_pid 4242,
// then "/usr/bin/curl" (as tests/run/core_task_test.cpp's exec_record()).
const kSchedProcessExec =
  '6d0100009210000014000e0092100000921000002f7573722f62696e2f6375726c00';

// The arguments of tcp_congestion_ops.cong_avoid(sk, ack, acked) for tcp_ca_reno.c, u64 each:
// sk (bpfplay passes the host's TCP socket whatever is here), ack 0, acked 4.
const kCongAvoidArgs = '000000000000000000000000000000000400000000000000';

// Ethernet, IPv6 fd00::1 -> fc00::1 (the node's segment), an SRH (next header 41, hdrlen 4, type 4,
// segments_left 1, first_segment 1; segments fc00::3, fc00::1), then an inner IPv6 header
// fd00::1 -> fd00::2 (as tests/run/seg6_helpers_test.cpp's srv6_packet()).
const kSrv6Packet =
  '02000000000202000000000186dd' + '6000000000502b40' +
  'fd000000000000000000000000000001' + 'fc000000000000000000000000000001' +
  '2904040101000000' + 'fc000000000000000000000000000003' + 'fc000000000000000000000000000001' +
  '6000000000003b40' + 'fd000000000000000000000000000001' + 'fd000000000000000000000000000002';

export const kExamples: readonly Example[] = [
  { file: 'xdp_drop_port.o', teaches: 'parse Ethernet/IP/TCP with bounds checks; drop a port', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_proto_count.o', teaches: 'a HASH map, lookup-or-insert, atomic add', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_percpu_stats.o', teaches: 'PERCPU_ARRAY: one value per CPU', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_lru_conntrack.o', teaches: 'LRU_HASH keyed by a 5-tuple', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_tail_call.o', teaches: 'PROG_ARRAY and bpf_tail_call', preset: 'IPv4 ICMP echo' },
  { file: 'xdp_map_in_map.o', teaches: 'ARRAY_OF_MAPS with inner HASH maps', preset: 'IPv6 UDP' },
  { file: 'xdp_subprog_tail_call.o', teaches: 'bpf_tail_call from a subprogram: the handler returns to the caller', preset: 'IPv4 TCP SYN' },
  { file: 'bpf2bpf_calls.o', teaches: 'bpf-to-bpf calls: frames and arguments', preset: 'IPv4 UDP DNS' },
  { file: 'global_vars.o', teaches: 'globals in .data, .rodata and .bss', preset: 'IPv4 TCP SYN' },
  { file: 'atomics.o', teaches: 'every atomic instruction', preset: 'IPv4 TCP SYN' },
  { file: 'kprobe_regs.o', teaches: 'a kprobe: struct pt_regs, pid/comm helpers, bpf_printk', ctxHex: kKprobeRegs },
  { file: 'socket_filter.o', teaches: 'SEC("socket"): how many bytes to keep', preset: 'IPv4 ICMP echo' },
  { file: 'tc_classifier.o', teaches: 'SEC("tc") with __sk_buff: mark, priority', preset: 'IPv4 UDP DNS' },
  { file: 'cgroup_filter.o', teaches: 'CGROUP_ARRAY and bpf_skb_under_cgroup: ports reserved to cgroups (fill services in the Maps tab)', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_ringbuf.o', teaches: 'RINGBUF reserve/submit and output', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_dynptr.o', teaches: 'dynptrs: from_mem, read at run-time offsets, ringbuf reserve/write/submit/discard', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_perf_event.o', teaches: 'PERF_EVENT_ARRAY and bpf_perf_event_output', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_dump.o', teaches: "xdpdump: fentry/fexit on an XDP program (its struct xdp_buff, fexit's verdict), bpf_xdp_output", preset: 'IPv4 TCP SYN' },
  { file: 'xdp_redirect_map.o', teaches: 'DEVMAP and bpf_redirect_map: XDP_REDIRECT or the fallback', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_ipv4_checksum.o', teaches: 'a bounded loop computing the IPv4 checksum', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_lpm_router.o', teaches: 'LPM_TRIE: a routing table by longest prefix (add routes in the Maps tab)', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_queue_stack.o', teaches: 'QUEUE and STACK: push, pop, peek (UDP pushes, TCP pops)', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_bloom_filter.o', teaches: 'BLOOM_FILTER before an exact HASH: maybe-seen sources', preset: 'IPv4 UDP DNS' },
  { file: 'trace_printk.o', teaches: 'bpf_printk formats', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_btf_print.o', teaches: 'bpf_snprintf_btf: kernel structs printed by their BTF type, each flag, the errors', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_strings.o', teaches: 'bpf_strncmp, bpf_strtol and bpf_snprintf on a UDP payload', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_cpu_number.o', teaches: 'a per-CPU __ksym with bpf_this_cpu_ptr and bpf_per_cpu_ptr', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_spin_lock.o', teaches: 'bpf_spin_lock around fields that change together', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_timer.o', teaches: 'BPF timers: init, set_callback, start, cancel; the callback fires after the run', preset: 'IPv4 UDP DNS' },
  { file: 'xdp_callbacks.o', teaches: 'bpf_loop and bpf_for_each_map_elem: step into callbacks', preset: 'IPv4 UDP DNS' },
  { file: 'kfunc_iter_num.o', teaches: 'kfuncs: extern __ksym kernel functions, the bpf_iter_num open-coded loop, bpf_ksym_exists', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_conntrack.o', teaches: 'conntrack kfuncs: bpf_xdp_ct_lookup, alloc + insert of a new flow, references, struct nf_conn status', preset: 'IPv4 TCP SYN' },
  { file: 'xdp_dynptr_slice.o', teaches: 'dynptr kfuncs on packets: bpf_dynptr_from_xdp/_from_skb, slices, adjust, copy', preset: 'IPv4 TCP SYN' },
  { file: 'seg6_end_bpf.o', teaches: 'SRv6 End.BPF (lwt_seg6local): bpf_lwt_seg6_adjust_srh, _store_bytes, _action End.X / End.DT6', packetHex: kSrv6Packet },
  { file: 'netfilter_drop.o', teaches: 'SEC("netfilter"): struct bpf_nf_ctx (hook state, sk_buff), bpf_dynptr_from_skb on ctx->skb, NF_DROP by address or port', packetHex: kNetfilterPacket },
  { file: 'sk_lookup_dispatch.o', teaches: 'SEC("sk_lookup"): struct bpf_sk_lookup, a SOCKMAP of services, bpf_sk_assign, SK_PASS / SK_DROP', ctxHex: kSkLookupCtx, noPacket: true },
  { file: 'task_core.o', teaches: 'CO-RE reads of task_struct', ctxHex: '' },
  { file: 'fentry_unlink.o', teaches: 'libbpf-bootstrap fentry/fexit: the arguments of do_unlinkat by name (BPF_PROG), its return value', ctxHex: '' },
  { file: 'lsm_exec_guard.o', teaches: 'BPF LSM on exec: bpf_ima_file_hash in a sleepable lsm.s program, bpf_bprm_opts_set and the secureexec bitfield', ctxHex: '' },
  { file: 'bootstrap.o', teaches: 'libbpf-bootstrap: exec/exit tracepoints, __data_loc strings, HASH + RINGBUF, CO-RE task reads', ctxHex: kSchedProcessExec },
  { file: 'tp_openat_count.o', teaches: 'a tracepoint counter, opensnoop-style: sys_enter/exit_openat records by field name, bpf_probe_read_user_str, a HASH by tgid', ctxHex: '' },
  { file: 'kconfig_ksym.o', teaches: '__kconfig externs from the host kconfig; a typeless __ksym (init_task)', ctxHex: '' },
  { file: 'task_iter.o', teaches: 'SEC("iter/task"): one call per task, bpf_seq_printf / bpf_seq_write output', ctxHex: '' },
  { file: 'task_kfuncs.o', teaches: 'task and cgroup kfuncs: from_pid, acquire/release, a __kptr in a map', ctxHex: '92100000000000000500000000000000', noPacket: true },
  { file: 'syscall_maps.o', teaches: 'SEC("syscall"): bpf_sys_bpf creates a map, fds, bpf_sys_close', ctxHex: kSyscallArgs, noPacket: true },
  { file: 'tcp_ca_reno.o', teaches: 'struct_ops: TCP Reno as a tcp_congestion_ops map; tcp_sock reads and writes, bpf_tcp_send_ack', ctxHex: kCongAvoidArgs, noPacket: true },
  { file: 'tcp_ca_cubic.o', teaches: "struct_ops: the kernel's CUBIC kfuncs (cubictcp_*) as a BPF congestion control", ctxHex: kCongAvoidArgs, noPacket: true },
  { file: 'tcp_ca_bbr.o', teaches: "struct_ops: BBR from the kernel's bbr_* kfuncs; cong_control and struct rate_sample", ctxHex: kCongAvoidArgs, noPacket: true },
  { file: 'tcp_ca_dctcp.o', teaches: "struct_ops: DCTCP from the kernel's dctcp_* kfuncs; alpha in icsk_ca_priv", ctxHex: kCongAvoidArgs, noPacket: true },
];

export const kDefaultExample = 'xdp_drop_port.o';

export function findExample(file: string): Example | undefined {
  return kExamples.find((e) => e.file === file);
}

export async function fetchExample(file: string): Promise<Uint8Array> {
  const res = await fetch(`./examples/${encodeURIComponent(file)}`);
  if (!res.ok) throw new Error(`examples/${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
