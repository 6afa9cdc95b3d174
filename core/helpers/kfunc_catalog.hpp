#pragma once
// The kfunc catalog: every kernel function a BPF program may call by name (an extern declared
// __ksym, compiled to a BPF_PSEUDO_KFUNC_CALL) on Linux 6.18: the 203 FUNCs of its vmlinux BTF
// tagged "bpf_kfunc", each with its C declaration, its flags (KF_ACQUIRE, KF_RET_NULL, ...) and
// the program types whose kfunc hooks hold it. Generated from the running kernel's answers by
// tools/kfunc_catalog/gen_kfunc_catalog.py (kfunc_catalog_data.cpp); which kfuncs bpfplay
// implements is the other half, bound in core/run/kernel_kfuncs.cpp.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/loader/prog_types.hpp"

namespace bpfplay {

// include/linux/btf.h's KF_* flags, same bits.
enum KfuncFlag : uint32_t {
    KF_ACQUIRE = 1u << 0,        // returns a reference the program must release
    KF_RELEASE = 1u << 1,        // takes a reference back
    KF_RET_NULL = 1u << 2,       // may return NULL: check before use
    KF_TRUSTED_ARGS = 1u << 4,   // pointer arguments must be trusted (not walked from others)
    KF_SLEEPABLE = 1u << 5,      // only sleepable programs may call it
    KF_DESTRUCTIVE = 1u << 6,    // changes the system (CAP_SYS_BOOT)
    KF_RCU = 1u << 7,            // arguments may be RCU-protected pointers
    KF_ITER_NEW = 1u << 8,       // an open-coded iterator's constructor
    KF_ITER_NEXT = 1u << 9,      // its next
    KF_ITER_DESTROY = 1u << 10,  // its destructor
    KF_RCU_PROTECTED = 1u << 11, // only inside bpf_rcu_read_lock()
    KF_FASTCALL = 1u << 12,      // leaves r1-r5 as they were (bpf_fastcall)
};

struct KfuncProto {
    const char* name = "";    // "bpf_task_acquire"
    const char* decl = "";    // its C declaration, from the BTF
    uint8_t nargs = 0;        // arguments r1..r<nargs>
    uint32_t flags = 0;       // KfuncFlag bits
    uint64_t allowed = 0;     // bit i: the program types of helper_rules()[i] may call it
};

std::span<const KfuncProto> kfunc_protos(); // sorted by name
// The kernel's kfunc of that name, or nullptr.
const KfuncProto* kfunc_proto(std::string_view name);

// What the kernel decides when a program of `type` (expected attach type `attach`) calls the
// kfunc `name`. Types the kernel was not asked about (Unspec: raw programs) may call any.
enum class KfuncVerdict : uint8_t {
    Allowed,
    Unknown,        // the kernel has no kfunc of that name: libbpf refuses the object
    NotForThisType, // "calling kernel function X is not allowed"
};
KfuncVerdict kfunc_verdict(std::string_view name, ProgType type, AttachType attach);

// The XDP RX metadata kfuncs (bpf_xdp_metadata_rx_*): the kernel's verifier lets only a
// device-bound program call them ("metadata kfuncs require device-bound program"), whatever
// its type, so the per-type verdict above does not decide for them.
bool is_xdp_metadata_kfunc(std::string_view name);

// "KF_ACQUIRE | KF_RET_NULL", or "" without flags.
std::string_view kfunc_flags_text(uint32_t flags, char (&buffer)[160]);

} // namespace bpfplay
