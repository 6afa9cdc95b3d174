// Programs for tests/run/netfilter_context_test.cpp: bpf_dynptr_from_skb in a netfilter program,
// on ctx->skb (as the 6.18 kernel's verifier takes it: a trusted struct sk_buff pointer) and on
// the context itself (which is not the skb).
// Built like the examples, from the repository root:
//   clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
//     -c tests/run/bpf/nf_dynptr.c -o tests/run/bpf/nf_dynptr.o

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sk_buff {
    unsigned int len;
} __attribute__((preserve_access_index));

struct bpf_nf_ctx {
    const void *state;
    struct sk_buff *skb;
};

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
                              __u32 buffer__szk) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

// The dynptr's size, whether it is read-only, the packet's first byte.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u32);
} out SEC(".maps");

static void put(__u32 k, __u32 v) { bpf_map_update_elem(&out, &k, &v, 0); }

SEC("netfilter")
int on_skb(struct bpf_nf_ctx *ctx) {
    struct bpf_dynptr ptr;
    __u8 buf[1];
    if (bpf_dynptr_from_skb((struct __sk_buff *)ctx->skb, 0, &ptr)) return 0;
    __u8 *first = bpf_dynptr_slice(&ptr, 0, buf, 1);
    if (!first) return 0;
    put(0, bpf_dynptr_size(&ptr));
    put(1, bpf_dynptr_is_rdonly(&ptr));
    put(2, *first);
    return 1;
}

// The context, not ctx->skb: the kernel's verifier refuses it.
SEC("netfilter")
int on_ctx(struct bpf_nf_ctx *ctx) {
    struct bpf_dynptr ptr;
    return bpf_dynptr_from_skb((struct __sk_buff *)ctx, 0, &ptr) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
