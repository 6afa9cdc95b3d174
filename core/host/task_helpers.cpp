// Helpers about the current task: its ids, its name, and its task_struct.
#include <algorithm>
#include <cstring>

#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_helpers.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/vm.hpp"

namespace bpfplay {
namespace {

uint64_t get_current_pid_tgid(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_get_current_pid_tgid");
    return h ? uint64_t(h->task.tgid) << 32 | h->task.pid : 0;
}

uint64_t get_current_uid_gid(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const Host* h = host_for(vm, "bpf_get_current_uid_gid");
    return h ? uint64_t(h->task.gid) << 32 | h->task.uid : 0;
}

// The kernel copies with strscpy_pad(buf, task->comm, size) (since Linux 6.4; strscpy before,
// which left the bytes after the NUL as they were): at most size - 1 characters, then a NUL,
// then zeros to the end of the buffer, and returns 0 even when the name was cut short.
// The verifier refuses a size of 0 (ARG_CONST_SIZE); a program here can still pass one in a
// register, and gets -EINVAL with nothing written, the helper's documented failure.
uint64_t get_current_comm(Vm& vm, uint64_t buf, uint64_t size_arg, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_current_comm";
    const Host* h = host_for(vm, kName);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);  // the helper's argument is a u32
    if (size == 0) return helper_errno(kEINVAL);
    uint8_t* out = vm.memory().helper_ptr(buf, size, /*write=*/true);
    if (!out) {
        fail_helper_access(vm, kName, buf, size, Access::HelperWrite);
        return 0;
    }
    const std::string_view comm = h->task.comm_view();
    const size_t n = std::min<size_t>(comm.size(), size - 1);
    std::memcpy(out, comm.data(), n);
    std::memset(out + n, 0, size - n);
    return 0;
}

// The address of the emulated current task_struct (core/host/kernel_objects.hpp), which the run
// maps read-only: programs read it with bpf_probe_read_kernel / BPF_CORE_READ. The _btf variant
// returns the same pointer; the kernel's verifier would also let a program dereference it
// directly, which works here too since the memory is readable.
uint64_t get_current_task(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return host_for(vm, "bpf_get_current_task") ? current_task_address() : 0;
}

uint64_t get_current_task_btf(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return host_for(vm, "bpf_get_current_task_btf") ? current_task_address() : 0;
}

constexpr HelperImpl kTaskHelperImpls[] = {
    {helper_id::kGetCurrentPidTgid, get_current_pid_tgid},  // bpf_get_current_pid_tgid
    {helper_id::kGetCurrentUidGid, get_current_uid_gid},  // bpf_get_current_uid_gid
    {helper_id::kGetCurrentComm, get_current_comm},  // bpf_get_current_comm
    {helper_id::kGetCurrentTask, get_current_task},  // bpf_get_current_task
    {helper_id::kGetCurrentTaskBtf, get_current_task_btf},  // bpf_get_current_task_btf
};

}  // namespace

std::span<const HelperImpl> task_helper_impls() { return kTaskHelperImpls; }

}  // namespace bpfplay
