// kconfig_ksym.c -- asking the running kernel how it was built: __kconfig and __ksym externs.
//
// Teaches: `extern ... __kconfig` variables. The program declares the Kconfig options it wants
// to know (CONFIG_HZ, CONFIG_BPF_SYSCALL...) and libbpf fills them in at load time from the
// kernel's config (/proc/config.gz), plus a few it computes itself (LINUX_KERNEL_VERSION,
// LINUX_HAS_BPF_COOKIE). They live in one read-only map, `<obj>.kconfig`, laid out by type:
// `enum libbpf_tristate` for y/m/n options, bool, char arrays for strings, integers. A `__weak`
// option the kernel lacks reads 0 instead of failing the load -- the way to write one program
// for kernels configured differently: the verifier sees the value as a constant, so the branch
// for a missing option disappears. `extern const void sym __ksym;` (no type) is a kernel
// symbol's address, from kallsyms: here init_task, the first task, which every task's
// real_parent chain ends at.
//
// Try: any pt_regs context. The host's kconfig (host JSON "kconfig") is what the externs read;
// change CONFIG_HZ there and run again. No kernel case: kprobes cannot be test-run.

#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;          // KERNEL_VERSION(6, 18, 0)
extern bool LINUX_HAS_BPF_COOKIE __kconfig;                  // bpf_get_attach_cookie exists
extern unsigned int CONFIG_HZ __kconfig;                     // "250": an integer option
extern bool CONFIG_BPF_SYSCALL __kconfig;                    // "y"
extern enum libbpf_tristate CONFIG_BPF_PRELOAD_UMD __kconfig;  // "m": built as a module
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig;           // "\"(none)\"": a string option
extern unsigned int CONFIG_NO_SUCH_OPTION __kconfig __weak;  // absent: reads 0

extern const void init_task __ksym;                 // an address from kallsyms
extern const void no_such_kernel_symbol __ksym __weak;  // absent: address 0

struct task_struct {
	int pid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

// What the program found, for user space (and the tests) to read in the .bss map.
struct {
	unsigned int version_major, version_minor;
	unsigned int hz;
	unsigned int has_cookie;
	unsigned int bpf_syscall;
	unsigned int preload_umd;  // TRI_MODULE = 2
	unsigned int no_such_option;
	unsigned int no_such_symbol_is_null;
	unsigned int grandparent_is_init_task;
	char hostname[16];
} found;

SEC("kprobe/do_sys_openat2")
int kconfig_ksym(struct pt_regs *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	found.version_major = LINUX_KERNEL_VERSION >> 16;
	found.version_minor = (LINUX_KERNEL_VERSION >> 8) & 0xff;
	found.hz = CONFIG_HZ;
	found.has_cookie = LINUX_HAS_BPF_COOKIE;
	found.bpf_syscall = CONFIG_BPF_SYSCALL;
	found.preload_umd = CONFIG_BPF_PRELOAD_UMD;
	found.no_such_option = CONFIG_NO_SUCH_OPTION;
	found.no_such_symbol_is_null = &no_such_kernel_symbol == NULL;
	// current -> its parent (systemd) -> its parent: init_task, pid 0.
	found.grandparent_is_init_task = (void *)BPF_CORE_READ(task, real_parent, real_parent) == &init_task;
	__builtin_memcpy(found.hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(found.hostname));

	if (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 8, 0))
		return 0;  // a kernel too old for ring buffers, say: pruned at load on newer ones
	return CONFIG_HZ / 10;  // 25 ticks: a tenth of a second
}

char LICENSE[] SEC("license") = "GPL";
