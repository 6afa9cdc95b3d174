#include "core/run/lsm_helpers.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/btf/builtin_target_btf.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_field.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

constexpr uint64_t kBprmSecureexec = 1;  // BPF_F_BPRM_SECUREEXEC

// Where a bitfield member of a kernel struct is: its byte and bit, by the built-in BTF.
struct BitLocation {
    uint64_t byte = 0;
    uint32_t bit = 0;
};

std::optional<BitLocation> bitfield(std::string_view type, std::string_view member) {
    const Btf& btf = builtin_target_btf();
    const auto id = btf.find_by_name(type, BtfKind::Struct);
    if (!id) return std::nullopt;
    for (const BtfMember& m : btf.members(*id))
        if (btf.string_at(m.name_off) == member) return BitLocation{m.bit_offset / 8, m.bit_offset % 8};
    return std::nullopt;
}

// ---- bpf_bprm_opts_set ----

uint64_t bprm_opts_set(Vm& vm, uint64_t bprm, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_bprm_opts_set";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    if (flags & ~kBprmSecureexec) return helper_errno(kerrno::kEINVAL);
    const KernelObjectAddresses a = kernel_object_addresses(*host);
    const std::optional<BitLocation> bit = bitfield("linux_binprm", "secureexec");
    uint8_t* byte = a.bprm && bprm == a.bprm && bit ? vm.memory().kernel_write_ptr(bprm + bit->byte, 1) : nullptr;
    if (!byte) {
        fail(vm, kName, "r1 = " + hex(bprm) + " is not the struct linux_binprm the emulated kernel has",
             "Pass the bprm argument of an LSM hook (lsm/bprm_check_security, lsm/bprm_committed_creds, ...).");
        return 0;
    }
    const bool secure = flags & kBprmSecureexec;
    const uint8_t mask = uint8_t(1u << bit->bit);
    *byte = uint8_t(secure ? *byte | mask : *byte & ~mask);
    log_host_event(vm, *host, kName,
                   std::string("bprm->secureexec = ") + (secure ? "1" : "0") + " for " + host->exe +
                       (secure ? ": the exec runs as a secure one (AT_SECURE = 1 in its auxiliary vector: the dynamic "
                                 "loader ignores LD_PRELOAD and friends)"
                               : ""));
    return 0;
}

// ---- bpf_ima_inode_hash, bpf_ima_file_hash ----

// __ima_inode_hash's copy: min(digest length, size) bytes of the digest; the algorithm.
uint64_t copy_digest(Vm& vm, const char* helper, const Host& host, uint64_t dst, uint32_t size) {
    uint8_t* out = vm.memory().helper_ptr(dst, size, true);
    if (!out) {
        fail_helper_access(vm, helper, dst, size, Access::HelperWrite);
        return 0;
    }
    const std::vector<uint8_t> digest = ima_digest(host.ima.hash_algo, host.ima.exe_content);
    std::copy_n(digest.begin(), std::min<size_t>(digest.size(), size), out);
    return uint64_t(host.ima.hash_algo);
}

uint64_t ima_inode_hash(Vm& vm, uint64_t inode, uint64_t dst, uint64_t size, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_ima_inode_hash";
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    if (!inode) {
        fail(vm, kName, "r1 is NULL: the kernel's verifier refuses the call (ARG_PTR_TO_BTF_ID, not nullable)",
             "Pass an inode the hook was given, or file->f_inode.");
        return 0;
    }
    // ima_iint_find: only an inode a policy rule measured has an iint with IMA_COLLECTED.
    const KernelObjectAddresses a = kernel_object_addresses(*host);
    if (!host->ima.measured || !a.exe_inode || inode != a.exe_inode) return helper_errno(kerrno::kEOPNOTSUPP);
    return copy_digest(vm, kName, *host, dst, uint32_t(size));
}

uint64_t ima_file_hash(Vm& vm, uint64_t file, uint64_t dst, uint64_t size, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_ima_file_hash";
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    const KernelObjectAddresses a = kernel_object_addresses(*host);
    // Without a collected measurement ima_collect_measurement hashes the file's content with
    // ima_hash_algo: the same digest a policy's measurement holds.
    if (!a.exe_file || file != a.exe_file) {
        fail(vm, kName,
             "r1 = " + hex(file) + " is not the current task's executable, the one file whose content bpfplay "
                                   "models (host JSON ima.exe_content)",
             "Pass bprm->file in an lsm.s/bprm_* hook, or task->mm->exe_file.");
        return 0;
    }
    return copy_digest(vm, kName, *host, dst, uint32_t(size));
}

// ---- bpf_sock_from_file ----

uint64_t sock_from_file(Vm& vm, uint64_t file, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sock_from_file";
    if (!host_for(vm, kName)) return 0;
    const auto f_op = read_kernel_field(vm, file, "file", "f_op", 8);
    const auto priv = read_kernel_field(vm, file, "file", "private_data", 8);
    if (!file || !f_op || !priv) {
        fail(vm, kName, "r1 = " + hex(file) + " is not a struct file the emulated kernel has",
             "Pass a file the program was given, task->mm->exe_file, or a socket's sk->sk_socket->file.");
        return 0;
    }
    return *f_op == kSocketFileOps ? *priv : 0;  // sock_from_file: file->private_data
}

constexpr HelperImpl kLsmHelperImpls[] = {
    {159, bprm_opts_set},   // bpf_bprm_opts_set
    {161, ima_inode_hash},  // bpf_ima_inode_hash
    {162, sock_from_file},  // bpf_sock_from_file
    {193, ima_file_hash},   // bpf_ima_file_hash
};

}  // namespace

std::span<const HelperImpl> lsm_helper_impls() { return kLsmHelperImpls; }

}  // namespace bpfplay
