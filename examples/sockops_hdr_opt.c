// sock_ops: a program the kernel calls at points of a TCP connection's life (connect,
// established, retransmit timeout, ...) on every socket of a cgroup. Here it puts a small
// option of its own into the TCP header of every segment the socket sends, and reads the
// peer's -- the way a load balancer or a tracer tags connections without changing the payload.
//
// What it teaches:
// - struct bpf_sock_ops: op says which callback this is; the program runs once per callback;
// - bpf_setsockopt: socket options from inside the kernel (TCP_NODELAY here, SO_MARK below);
// - bpf_sock_ops_cb_flags_set: callbacks beyond the default ones must be asked for per socket,
//   here the header-option ones (WRITE_HDR_OPT and PARSE_ALL_HDR_OPT);
// - the two-step header write: HDR_OPT_LEN_CB reserves room (bpf_reserve_hdr_opt), then
//   WRITE_HDR_OPT_CB fills it (bpf_store_hdr_opt); unused room becomes NOPs;
// - bpf_load_hdr_opt: find an option by kind, or for the experimental kind 254 by kind and
//   magic (RFC 6994), in the header of a segment the socket received.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SOL_SOCKET 1
#define SO_MARK 36
#define SOL_TCP 6
#define TCP_NODELAY 1

// Experimental option 254 (RFC 6994): kind, length, a 16-bit magic that says whose it is, data.
struct tag_opt {
    __u8 kind;
    __u8 len;
    __be16 magic;
    __u8 tag[2];
} __attribute__((packed));

#define TAG_MAGIC 0xeb9f

SEC("sockops")
int tag_connection(struct bpf_sock_ops *skops)
{
    struct tag_opt opt = {.kind = 254, .len = sizeof(opt), .magic = bpf_htons(TAG_MAGIC), .tag = {0x01, 0x02}};
    int one = 1;

    switch (skops->op) {
    case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
    case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
        bpf_setsockopt(skops, SOL_TCP, TCP_NODELAY, &one, sizeof(one));
        // From now on: the header-option callbacks for every segment sent and received.
        bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG |
                                             BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG);
        break;
    case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
        bpf_reserve_hdr_opt(skops, sizeof(opt), 0);
        break;
    case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
        bpf_store_hdr_opt(skops, &opt, sizeof(opt), 0);
        break;
    case BPF_SOCK_OPS_PARSE_HDR_OPT_CB: {
        // Search by kind 254 and our magic: searchby_res[1] = 4 (kind, length, 2-byte magic).
        struct tag_opt seen = {.kind = 254, .len = 4, .magic = bpf_htons(TAG_MAGIC)};
        if (bpf_load_hdr_opt(skops, &seen, sizeof(seen), 0) == sizeof(seen)) {
            int mark = seen.tag[0] << 8 | seen.tag[1];  // the peer's tag marks our packets
            bpf_setsockopt(skops, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
        }
        break;
    }
    }
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
