// xdp_cpu_number: a per-CPU kernel variable through a typed __ksym.
//
// `extern const int cpu_number __ksym;` names x86's per-CPU variable holding each CPU's own
// number. libbpf finds it in the kernel's BTF and puts its address in the program. What it
// teaches:
//   - a per-CPU variable's address is not a pointer to read: the verifier refuses *&cpu_number;
//     bpf_this_cpu_ptr(&cpu_number) gives this CPU's copy, bpf_per_cpu_ptr(&cpu_number, n) CPU
//     n's copy, or NULL when n is not a possible CPU (the program must check);
//   - the copies differ per CPU: here each holds its CPU's number.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int cpu_number __ksym;

struct seen {
    int this_cpu;  // *bpf_this_cpu_ptr(&cpu_number)
    int cpu0;      // *bpf_per_cpu_ptr(&cpu_number, 0), or -1 for NULL
    int cpu1;
    int cpu4096;   // no machine has that CPU: NULL, so -1
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct seen);
} seen SEC(".maps");

static int cpu_copy(__u32 cpu) {
    const int *p = bpf_per_cpu_ptr(&cpu_number, cpu);
    return p ? *p : -1;
}

SEC("xdp")
int xdp_cpu_number(struct xdp_md *ctx) {
    __u32 key = 0;
    struct seen *s = bpf_map_lookup_elem(&seen, &key);
    if (!s) return XDP_ABORTED;
    s->this_cpu = *(const int *)bpf_this_cpu_ptr(&cpu_number);
    s->cpu0 = cpu_copy(0);
    s->cpu1 = cpu_copy(1);
    s->cpu4096 = cpu_copy(4096);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
