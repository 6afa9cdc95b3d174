#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
// 4089 bytes: bpf_mem_alloc's largest size class is 4096, 8 of them the object's header.
struct big { char bytes[4089]; };
SEC("syscall") int prog(void *ctx) { struct big *p = bpf_obj_new(struct big); if (!p) return 0; p->bytes[0] = 1; bpf_obj_drop(p); return 0; }
