// lsm_exec_guard.c -- an exec guard with BPF LSM: measure every program that is executed with
// IMA, and make the exec of an untrusted one a secure exec.
//
// Teaches: LSM programs (SEC("lsm/<hook>"), attached to the security hook of that name; their
// context is the hook's arguments, unpacked by BPF_PROG as for fentry) and sleepable ones
// (SEC("lsm.s/<hook>"): the program may sleep, which some helpers need). bpf_ima_file_hash
// asks the kernel's integrity measurement architecture for the digest of a file: it hashes the
// content with the IMA hash algorithm (sha256 by default) when no policy measured the file, so
// it may sleep, and the verifier refuses it in a program that is not sleepable ("helper call
// might sleep in a non-sleepable prog") or on a hook that is not sleepable ("helper call is not
// allowed in probe"). bpf_bprm_opts_set(bprm, BPF_F_BPRM_SECUREEXEC) sets bprm->secureexec,
// which the kernel turns into AT_SECURE = 1 for the new program: its dynamic loader then
// ignores LD_PRELOAD and friends. secureexec is a 1-bit field: BPF_CORE_READ_BITFIELD reads it
// back with CO-RE (the byte, and the shifts that isolate the bit, relocated to the kernel's).
//
// Try: run measure_exec: `exec_hashes` gets the executable's SHA-256 (a3 9d 25 cb ...) and the
// algorithm (4: HASH_ALGO_SHA256); change the host JSON's "ima" ("hash_algo": "sha1", or other
// "exe_content" bytes in hex) and run again. Run secure_exec: the executable is not the
// trusted one, so secureexec goes from 0 to 1 (`exec_flags`) and the run's events say so.
// Change SEC("lsm.s/...") to SEC("lsm/...") to see the verifier refuse bpf_ima_file_hash.
// No kernel case: BPF_PROG_TEST_RUN cannot run LSM programs.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

// The kernel's structs, as much of them as we use; CO-RE finds the real offsets.
struct file;
struct linux_binprm {
	struct file *file;
	unsigned int have_execfd:1, execfd_creds:1, secureexec:1;
} __attribute__((preserve_access_index));

struct exec_hash {
	__u8 digest[32];  // SHA-256 fits; a SHA-1 digest fills the first 20 bytes
	long algo;        // enum hash_algo, or a negative errno
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_hash);
} exec_hashes SEC(".maps");

struct exec_flags {
	__u32 secureexec_before;
	__u32 secureexec_after;
	long opts_ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_flags);
} exec_flags SEC(".maps");

// The first bytes of the SHA-256 of the one trusted executable. Set them to a3 9d 25 cb (the
// default executable's) and secure_exec leaves its exec alone.
const volatile __u8 trusted_prefix[4] = {0xde, 0xad, 0xbe, 0xef};

SEC("lsm.s/bprm_committed_creds")
int BPF_PROG(measure_exec, struct linux_binprm *bprm)
{
	__u32 zero = 0;
	struct exec_hash *h = bpf_map_lookup_elem(&exec_hashes, &zero);

	if (!h)
		return 0;
	h->algo = bpf_ima_file_hash(bprm->file, h->digest, sizeof(h->digest));
	return 0;
}

// When the kernel checks the exec (bprm_check_security, the hook IMA itself measures from): an
// executable whose digest does not start with the trusted prefix gets a secure exec. The
// credentials computed later OR their own reasons into secureexec, so the bit stays set.
SEC("lsm.s/bprm_check_security")
int BPF_PROG(secure_exec, struct linux_binprm *bprm)
{
	__u32 zero = 0;
	struct exec_flags *f = bpf_map_lookup_elem(&exec_flags, &zero);
	__u8 digest[32] = {};

	if (!f)
		return 0;
	f->secureexec_before = BPF_CORE_READ_BITFIELD(bprm, secureexec);
	if (bpf_ima_file_hash(bprm->file, digest, sizeof(digest)) < 0 ||
	    __builtin_memcmp(digest, (const void *)trusted_prefix, 4) != 0)
		f->opts_ret = bpf_bprm_opts_set(bprm, BPF_F_BPRM_SECUREEXEC);
	f->secureexec_after = BPF_CORE_READ_BITFIELD(bprm, secureexec);
	return 0;  // 0: the exec goes on
}

char LICENSE[] SEC("license") = "GPL";
