#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char _license[] SEC("license") = "GPL";
struct bpf_list_head { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 __opaque[3]; } __attribute__((aligned(8)));
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
struct item { __u64 value; struct bpf_list_node node; };
struct pair { __u64 a; __u32 b; };
// A struct with a list head but no bpf_spin_lock beside it: Linux refuses the object's BTF.
struct unlocked { __u64 n; struct bpf_list_head items __contains(item, node); };
struct item *item_anchor;
struct unlocked *unlocked_anchor;
// Refused: bpf_obj_new needs the program's BTF.
SEC("syscall") int prog(void *ctx) { struct pair *p = bpf_obj_new(struct pair); if (!p) return 0; bpf_obj_drop(p); return 0; }
