// syscall_maps.c -- a syscall program creates a map with bpf_sys_bpf, fills it, reads it back
// through a map of maps, and closes its fd.
//
// Teaches: SEC("syscall") programs (BPF_PROG_TYPE_SYSCALL, always sleepable). They are not
// attached anywhere: user space runs them with BPF_PROG_TEST_RUN, handing them a context of
// its own design (ctx_in, up to 65535 bytes, no packet) that the program reads and writes and
// the kernel copies back. Their own helpers issue bpf(2) commands from inside the kernel, which
// is how light skeletons (bpftool gen skeleton -L) load everything:
//   - bpf_sys_bpf(cmd, &attr, sizeof(attr)) takes a union bpf_attr from the program's memory.
//     Only BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE,
//     BPF_MAP_GET_FD_BY_ID, BPF_PROG_LOAD, BPF_BTF_LOAD, BPF_LINK_CREATE and
//     BPF_RAW_TRACEPOINT_OPEN are allowed: a lookup is -EINVAL. The fds land in the fd table of
//     the process that ran the test and outlive the run unless the program closes them.
//   - bpf_sys_close(fd) closes one (-EBADF when it is not open).
//   - bpf_btf_find_by_name_kind(name, size, kind, 0) finds a type id in the kernel's BTF.
//   - bpf_kallsyms_lookup_name(name, size, 0, &addr) finds a kernel symbol's address.
// To read the map it created, the program puts the new map's fd into a map of maps
// (BPF_MAP_UPDATE_ELEM with an fd as the value), then looks the element up the usual way. A
// program knows no fd by itself: user space tells it which fd "slots" has, in the context, as a
// light skeleton's loader is handed its fds.
//
// Try: key 1, value 42, slots_fd 5 (every call succeeds; "slots" ends up holding the new map);
// key 9 (past max_entries: the update is -E2BIG, nothing to read back); slots_fd 3 (the
// object's BTF, not a map: -EINVAL); two runs in a row (each creates a map; the second
// replaces the first in "slots", which frees the first). The host's event log says what each
// bpf(2) command did.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// The context user space passes in ctx_in; the program fills in the results.
struct args {
	__u32 key;              // in: the array index to write
	__u32 flags;            // in: BPF_MAP_UPDATE_ELEM flags (BPF_ANY = 0)
	__u64 value;            // in: the value to store there
	__s32 slots_fd;         // in: the fd of map "slots" in the process that runs the test:
	                        //     5 when libbpf loaded this object (3 is its BTF; "slots"'s
	                        //     inner map template held 4 while "slots" was created)
	__u32 pad;
	__s32 created;          // out: 1 when BPF_MAP_CREATE returned an fd (fd numbers differ
	                        //      from process to process, so the fd itself is not shown)
	__s32 update;           // out: BPF_MAP_UPDATE_ELEM of key/value
	__s32 lookup;           // out: BPF_MAP_LOOKUP_ELEM through bpf_sys_bpf: -EINVAL
	__s32 publish;          // out: BPF_MAP_UPDATE_ELEM of "slots" with the new map's fd
	__u64 read_back;        // out: the value read through "slots" (0 if none)
	__s32 freeze;           // out: BPF_MAP_FREEZE
	__s32 update_frozen;    // out: an update after freezing: -EPERM
	__s32 close;            // out: bpf_sys_close(fd): 0
	__s32 close_again;      // out: the same fd again: -EBADF
	__s32 btf_task_struct;  // out: 1 when the kernel's BTF has struct task_struct
	__s32 btf_missing;      // out: a type that does not exist: -ENOENT
	__s32 ksym_missing;     // out: a symbol that does not exist: -ENOENT
	__s32 ksym_flags;       // out: flags must be 0: -EINVAL
};

// What every map in "slots" must look like (the kernel compares type, sizes and max_entries).
struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner);
} slots SEC(".maps");

static long map_update(int fd, void *key, void *value, __u64 flags)
{
	union bpf_attr attr = {};

	attr.map_fd = fd;
	attr.key = (__u64)(long)key;    // pointers into the program's own memory
	attr.value = (__u64)(long)value;
	attr.flags = flags;
	return bpf_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

SEC("syscall")
int syscall_maps(struct args *ctx)
{
	union bpf_attr attr = {};
	__u32 slot = 0;
	__u64 value = ctx->value;
	__u32 key = ctx->key;
	long fd;

	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = 4;
	__builtin_memcpy(attr.map_name, "made", 5);
	fd = bpf_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	ctx->created = fd >= 0;
	if (fd < 0)
		return 1;

	ctx->update = map_update(fd, &key, &value, ctx->flags);

	// Reading a map through bpf_sys_bpf is not one of the allowed commands.
	__builtin_memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (__u64)(long)&key;
	attr.value = (__u64)(long)&value;
	ctx->lookup = bpf_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));

	// Publish the new map in "slots" (its value is the fd), then read through it.
	__u32 new_fd = fd;
	ctx->publish = map_update(ctx->slots_fd, &slot, &new_fd, BPF_ANY);
	void *inner = bpf_map_lookup_elem(&slots, &slot);
	if (inner) {
		__u64 *v = bpf_map_lookup_elem(inner, &key);
		ctx->read_back = v ? *v : 0;
	}

	__builtin_memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	ctx->freeze = bpf_sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
	ctx->update_frozen = map_update(fd, &key, &value, BPF_ANY);

	ctx->close = bpf_sys_close(fd);
	ctx->close_again = bpf_sys_close(fd);

	char task_struct[] = "task_struct", missing[] = "no_such_type";
	ctx->btf_task_struct = bpf_btf_find_by_name_kind(task_struct, sizeof(task_struct), 4 /* BTF_KIND_STRUCT */, 0) > 0;
	ctx->btf_missing = bpf_btf_find_by_name_kind(missing, sizeof(missing), 4, 0);

	char sym[] = "no_such_symbol";
	__u64 addr = 0;
	ctx->ksym_missing = bpf_kallsyms_lookup_name(sym, sizeof(sym), 0, &addr);
	ctx->ksym_flags = bpf_kallsyms_lookup_name(sym, sizeof(sym), 1, &addr);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
