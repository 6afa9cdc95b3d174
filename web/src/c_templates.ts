// Starting points for the C editor, one per program type: each compiles as it is, runs on the
// input its preset gives, and is a shorter cousin of an example in examples/*.c.

export interface CTemplate {
  readonly id: string;
  readonly label: string;
  readonly preset?: string;   // a packet preset from packet.ts
  readonly ctxOf?: string;    // context bytes instead of a packet: those of this bundled example
  readonly source: string;
}

const xdpDropPort = `// Drop UDP packets to port 7 (echo), pass everything else (examples/xdp_drop_port.c does
// TCP and IPv6 too). Every header read needs a bounds check against data_end first.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BLOCKED_PORT 7

SEC("xdp")
int xdp_drop_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (udp->dest == bpf_htons(BLOCKED_PORT))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;

const tcClassifier = `// A tc classifier (examples/tc_classifier.c): mark DNS, drop big packets.
// Returns TC_ACT_OK (0) or TC_ACT_SHOT (2); writes skb->mark for the rest of the kernel.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int tc_classifier(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if (skb->len > 1000)
		return TC_ACT_SHOT;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return TC_ACT_OK;
	if (udp->dest == bpf_htons(53))
		skb->mark = 0x53;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
`;

const socketFilter = `// A socket filter (examples/socket_filter.c): the return value is how many bytes the socket
// keeps (0 drops). Offset 0 is the IP header; read it with bpf_skb_load_bytes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
	struct iphdr ip;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol == IPPROTO_ICMP)
		return skb->len; // keep ICMP whole
	return 64;           // the first 64 bytes of everything else
}

char LICENSE[] SEC("license") = "GPL";
`;

const kprobe = `// A kprobe (examples/kprobe_regs.c): the context is struct pt_regs at the probed function's
// entry; PT_REGS_PARM1/2 read its first arguments.
#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("kprobe/do_sys_openat2")
int trace_openat2(struct pt_regs *ctx)
{
	int dfd = (int)PT_REGS_PARM1(ctx);
	const char *filename = (const char *)PT_REGS_PARM2(ctx);
	char name[64];
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_probe_read_user_str(name, sizeof(name), filename);
	bpf_printk("openat2 by %s: %s (dfd %d)", comm, name, dfd);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const tracepoint = `// A tracepoint (examples/bootstrap.c): the context is the event's record, laid out as
// /sys/kernel/tracing/events/sched/sched_process_exec/format says.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sched_process_exec {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
	unsigned int filename_loc; // __data_loc: offset | length << 16
	int pid;
	int old_pid;
};

SEC("tp/sched/sched_process_exec")
int handle_exec(struct sched_process_exec *ctx)
{
	char filename[32];
	unsigned int off = ctx->filename_loc & 0xffff;

	bpf_probe_read_str(filename, sizeof(filename), (void *)ctx + off);
	bpf_printk("exec %s by pid %d", filename, ctx->pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

export const kTemplates: readonly CTemplate[] = [
  { id: 'xdp', label: 'XDP: drop UDP port 7', preset: 'IPv4 UDP echo (port 7)', source: xdpDropPort },
  { id: 'tc', label: 'TC classifier: mark DNS', preset: 'IPv4 UDP DNS', source: tcClassifier },
  { id: 'socket', label: 'socket filter: bytes to keep', preset: 'IPv4 ICMP echo', source: socketFilter },
  { id: 'kprobe', label: 'kprobe: do_sys_openat2', ctxOf: 'kprobe_regs.o', source: kprobe },
  { id: 'tracepoint', label: 'tracepoint: sched_process_exec', ctxOf: 'bootstrap.o', source: tracepoint },
];
