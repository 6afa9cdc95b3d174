// The playground's guided lessons: text, the starter the learner edits and its solution
// (examples/lessons/NN_name.{starter,solution}.c, compiled into public/lessons/*.o), the input
// of each case, and the goal lesson_checks.ts holds the real run outcome to.
import { buildPacket, kPresets, type PacketSpec } from '../packet';
import { parseHex } from '../hex';
import type { LessonGoal } from '../lesson_checks';
import { firstCaseCtx } from '../examples';
import kprobeRegsCase from '../../../examples/cases/kprobe_regs.json';

export interface LessonCase {
  readonly packet: Uint8Array;
  readonly ctx?: string;  // hex context bytes (a kprobe's pt_regs)
  readonly cpu?: number;  // the CPU it runs on (0 when absent)
}

export interface Lesson {
  readonly id: string;       // "01_return": the file names' stem
  readonly title: string;
  readonly text: string;     // what it teaches, in two or three sentences
  readonly task: string;
  readonly program: string;  // the program's name in starter and solution
  readonly inputs: readonly LessonCase[];  // one per goal case, in order
  readonly goal: LessonGoal;
}

const tcp = kPresets['IPv4 TCP SYN'] as PacketSpec;
const udp = kPresets['IPv4 UDP DNS'] as PacketSpec;
const tcp6 = kPresets['IPv6 TCP SYN'] as PacketSpec;
const pkt = (spec: PacketSpec, over: Partial<PacketSpec> = {}): LessonCase => ({ packet: buildPacket({ ...spec, ...over }) });
const runt: LessonCase = { packet: Uint8Array.of(2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0) };  // 11 bytes: no Ethernet header
// An ARP request (EtherType 0x0806) for 10.0.0.2 from 10.0.0.1.
const arp: LessonCase = { packet: parseHex('ffffffffffff0200000000010806' + '0001080006040001' + '020000000001' + '0a000001' + '000000000000' + '0a000002') };
// struct pt_regs of examples/cases/kprobe_regs.json's first case (rdi = -100, rsi = a user pointer).
const kRegs = firstCaseCtx(kprobeRegsCase);

const PASS = { value: 2, name: 'XDP_PASS' };
const DROP = { value: 1, name: 'XDP_DROP' };
const TC_OK = { value: 0, name: 'TC_ACT_OK' };
const onCpu = (c: LessonCase, cpu: number): LessonCase => ({ ...c, cpu });
// Ethernet (14) + IPv4 without options (20): the TCP header's destination port and the TTL.
const kTcpDport = 14 + 20 + 2;
const kIpTtl = 14 + 8;

export const kLessons: readonly Lesson[] = [
  { id: '01_return', title: 'Registers and the return value', program: 'lesson1',
    text: 'An XDP program runs on every packet that arrives. r1 points at its context (struct xdp_md); what r0 holds at exit is the verdict: XDP_DROP (1) or XDP_PASS (2).',
    task: 'Drop every packet.',
    inputs: [pkt(tcp), pkt(udp)],
    goal: { cases: [{ label: 'a TCP packet', returns: DROP }, { label: 'a UDP packet', returns: DROP }], after: [] } },
  { id: '02_bounds', title: 'Reading the packet, with bounds checks', program: 'lesson2',
    text: 'ctx->data and ctx->data_end bound the packet. Before reading a header, check it lies inside; the verifier refuses a read it cannot prove safe.',
    task: 'Drop IPv6 frames and frames shorter than an Ethernet header; pass the rest.',
    inputs: [pkt(tcp), pkt(tcp6), runt],
    goal: { cases: [{ label: 'an IPv4 packet', returns: PASS }, { label: 'an IPv6 packet', returns: DROP }, { label: 'an 11-byte runt', returns: DROP }], after: [] } },
  { id: '03_map_counter', title: 'Maps: a packet counter', program: 'lesson3',
    text: 'A map keeps entries between runs. bpf_map_lookup_elem returns a pointer to the value or NULL; bpf_map_update_elem inserts.',
    task: 'Count packets in map counts under key 0, and pass them.',
    inputs: [pkt(tcp), pkt(udp), pkt(tcp)],
    goal: { cases: [{ label: 'packet 1', returns: PASS }, { label: 'packet 2', returns: PASS }, { label: 'packet 3', returns: PASS }],
      after: [{ kind: 'map_u64', map: 'counts', keyHex: '00000000', keyLabel: 'key 0', value: 3n }] } },
  { id: '04_helpers', title: 'Helpers: the time and the trace log', program: 'lesson4',
    text: 'Helpers are kernel functions a program calls: arguments in r1-r5, the result in r0. bpf_ktime_get_ns gives the time, bpf_printk writes a trace line.',
    task: 'Print "len=N" with the packet\'s length and store bpf_ktime_get_ns() in last_ns[0].',
    inputs: [pkt(tcp)],
    goal: { cases: [{ label: 'a 54-byte TCP packet', returns: PASS }],
      after: [{ kind: 'printk', run: 0, contains: 'len=54' }, { kind: 'map_u64', map: 'last_ns', keyHex: '00000000', keyLabel: '0', value: 'nonzero' }] } },
  { id: '05_parse_tcp', title: 'Parsing IPv4 and TCP', program: 'lesson5',
    text: 'Each header starts where the last ends and needs its own bounds check. The IPv4 header is ihl * 4 bytes long; ports are big-endian.',
    task: 'Drop TCP packets to port 8080; pass everything else.',
    inputs: [pkt(tcp, { dstPort: 8080 }), pkt(tcp, { dstPort: 80 }), pkt(udp)],
    goal: { cases: [{ label: 'TCP to port 8080', returns: DROP }, { label: 'TCP to port 80', returns: PASS }, { label: 'UDP to port 53', returns: PASS }], after: [] } },
  { id: '06_kprobe', title: 'A tracing program', program: 'lesson6',
    text: 'A kprobe runs when a kernel function is called; its context is struct pt_regs. bpf_get_current_pid_tgid() says which process called.',
    task: 'Count the opens of each process in map opens, keyed by tgid.',
    inputs: [{ packet: new Uint8Array(0), ctx: kRegs }, { packet: new Uint8Array(0), ctx: kRegs }],
    goal: { cases: [{ label: 'open 1' }, { label: 'open 2' }],
      after: [{ kind: 'map_u64', map: 'opens', keyHex: '92100000', keyLabel: 'tgid 4242', value: 2n }] } },
  { id: '07_verifier', title: 'The verifier refuses', program: 'lesson7',
    text: 'The kernel walks every path of a program before loading it. This one reads the EtherType without checking data_end: "invalid access to packet".',
    task: 'Make the verifier accept it: drop ARP and runts, pass the rest.',
    inputs: [pkt(tcp), arp, runt],
    goal: { cases: [{ label: 'an IPv4 packet', returns: PASS }, { label: 'an ARP request', returns: DROP }, { label: 'an 11-byte runt', returns: DROP }], after: [] } },
  { id: '08_ringbuf', title: 'Events through a ring buffer', program: 'lesson8',
    text: 'A ring buffer sends one record per event to a waiting reader. bpf_ringbuf_reserve hands out room (or NULL), bpf_ringbuf_submit publishes it.',
    task: 'For each packet, send a struct pkt_event with its length and the time.',
    inputs: [pkt(tcp), pkt(udp)],
    goal: { cases: [{ label: 'a TCP packet', returns: PASS }, { label: 'a UDP packet', returns: PASS }],
      after: [{ kind: 'event_u32', run: 0, offset: 0, equals: 54 }, { kind: 'event_u32', run: 1, offset: 0, equals: 47 }] } },
  { id: '09_percpu', title: 'Per-CPU counters', program: 'lesson9',
    text: 'A per-CPU array keeps one copy of each value per CPU: a lookup returns this CPU\'s copy, which no other CPU writes, so += needs no atomic. User space adds the copies up.',
    task: 'Count packets in pkts[0] and their bytes in pkts[1]. Two packets run on CPU 0, one on CPU 1.',
    inputs: [pkt(tcp), onCpu(pkt(udp), 1), pkt(tcp)],
    goal: { cases: [{ label: 'a TCP packet on CPU 0', returns: PASS }, { label: 'a UDP packet on CPU 1', returns: PASS }, { label: 'a TCP packet on CPU 0', returns: PASS }],
      after: [
        { kind: 'map_u64', map: 'pkts', keyHex: '00000000', keyLabel: '0', cpu: 0, value: 2n },
        { kind: 'map_u64', map: 'pkts', keyHex: '00000000', keyLabel: '0', cpu: 1, value: 1n },
        { kind: 'map_u64', map: 'pkts', keyHex: '01000000', keyLabel: '1', cpu: 0, value: 108n },
        { kind: 'map_u64', map: 'pkts', keyHex: '01000000', keyLabel: '1', value: 155n },
      ] } },
  { id: '10_calls', title: 'Functions and tail calls', program: 'lesson10',
    text: 'A __noinline function is a BPF-to-BPF call: a new stack frame, arguments in r1-r5, back to the caller with r0. bpf_tail_call jumps to a program of a BPF_MAP_TYPE_PROG_ARRAY and never comes back: that program\'s return value is the verdict.',
    task: 'Tail-call progs[0] (count_tcp) for TCP packets; drop the rest.',
    inputs: [pkt(tcp), pkt(udp), pkt(tcp, { dstPort: 22 })],
    goal: { cases: [{ label: 'a TCP packet', returns: PASS }, { label: 'a UDP packet', returns: DROP }, { label: 'TCP to port 22', returns: PASS }],
      after: [{ kind: 'map_u64', map: 'tcp_count', keyHex: '00000000', keyLabel: '0', value: 2n }] } },
  { id: '11_core', title: 'CO-RE: reading kernel structs', program: 'lesson11',
    text: 'Kernel structs change between versions. Declare the fields you read with preserve_access_index; clang records each access by name and the loader fixes the offsets for the running kernel. BPF_CORE_READ follows pointers safely.',
    task: 'Store the parent\'s tgid in parents[tgid] and print "parent <its comm>".',
    inputs: [{ packet: new Uint8Array(0), ctx: kRegs }],
    goal: { cases: [{ label: 'an open' }],
      after: [{ kind: 'map_u64', map: 'parents', keyHex: '92100000', keyLabel: 'tgid 4242', value: 1n },
        { kind: 'printk', run: 0, contains: 'parent systemd' }] } },
  { id: '12_checksum', title: 'Rewriting a packet, and its checksums', program: 'lesson12',
    text: 'Change a byte and its checksums must change with it, or the receiver drops the packet. The sum changes by the new word minus the old one: bpf_l3_csum_replace and bpf_l4_csum_replace apply that, bpf_skb_store_bytes writes the bytes.',
    task: 'Send IPv4 TCP packets for port 80 to port 8080 and decrement their TTL, keeping both checksums right.',
    inputs: [pkt(tcp, { dstPort: 80 }), pkt(tcp, { dstPort: 22 })],
    goal: { cases: [{ label: 'TCP to port 80', returns: TC_OK }, { label: 'TCP to port 22', returns: TC_OK }],
      after: [
        { kind: 'packet_field', run: 0, offset: kTcpDport, size: 2, what: 'TCP destination port', equals: 8080 },
        { kind: 'packet_field', run: 0, offset: kIpTtl, size: 1, what: 'TTL', equals: 63 },
        { kind: 'checksums', run: 0 },
        { kind: 'packet_field', run: 1, offset: kTcpDport, size: 2, what: 'TCP destination port', equals: 22 },
        { kind: 'packet_field', run: 1, offset: kIpTtl, size: 1, what: 'TTL', equals: 64 },
      ] } },
];
