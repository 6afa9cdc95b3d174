// The helpers only BPF_PROG_TYPE_SYSCALL programs get (kernel/bpf/syscall.c
// syscall_prog_func_proto, Linux 6.18): bpf_sys_bpf, bpf_sys_close, bpf_kallsyms_lookup_name,
// and bpf_btf_find_by_name_kind (kernel/bpf/btf.c). The catalog lets only syscall programs call
// them; what the verifier checks of their arguments (readable attr and name bytes, a writable
// 8-byte res) stops the run here as the verifier would refuse the load.
#include "core/run/syscall_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/btf/btf.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/bpf_process.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/sys_bpf.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

namespace e = kerrno;
using uapi::kPageSize;

// The run's process, maps and host, or nullptr after stopping the run.
HelperEnv* process_env(Vm& vm, const char* helper) {
    if (vm.env && vm.env->process && vm.env->maps && vm.env->host) return vm.env;
    fail(vm, helper,
         "this run has no process to hold file descriptors (it was not started by an object session)",
         "Load the program from its object file or as assembly with section \"syscall\".");
    return nullptr;
}

void log_event(Vm& vm, const char* helper, std::string text) {
    if (vm.env && vm.env->host) log_host_event(vm, *vm.env->host, helper, std::move(text));
}

// ARG_PTR_TO_MEM + ARG_CONST_SIZE: `size` readable bytes (the verifier refuses 0 and memory
// the program cannot read); nullptr after stopping the run.
const uint8_t* readable(Vm& vm, const char* helper, uint64_t addr, uint64_t size, const char* size_reg) {
    if (size == 0) {
        fail(vm, helper,
             std::string(size_reg) + " is 0: the kernel's verifier refuses a zero-sized read here "
                                     "(\"invalid zero-sized read\")",
             "Pass the buffer's size, sizeof(...).");
        return nullptr;
    }
    return helper_read(vm, helper, addr, size);
}

std::string describe_fd(const BpfProcess& proc, const MapSet& maps, const BpfFd& f) {
    switch (f.kind) {
    case BpfObjectKind::File: return f.index == 0 ? "stdin" : f.index == 1 ? "stdout" : "stderr";
    case BpfObjectKind::Map: {
        const Map* m = maps.get(f.index);
        return m ? m->describe() + " (id " + std::to_string(kernel_map_id(f.index)) + ")" : "a map";
    }
    case BpfObjectKind::Program:
        return f.index < proc.programs.size() ? "program \"" + proc.programs[f.index].name + "\""
                                              : "a program";
    case BpfObjectKind::Btf: return "a BTF object";
    }
    return "an object";
}

// bpf_sys_bpf(int cmd, union bpf_attr *attr, u32 attr_size).
uint64_t sys_bpf(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sys_bpf";
    HelperEnv* env = process_env(vm, kName);
    if (!env) return 0;
    const uint32_t size = uint32_t(r3);
    const uint8_t* attr = readable(vm, kName, r2, size, "r3 (attr_size)");
    if (!attr) return 0;
    const int32_t cmd = int32_t(r1);
    const std::string cmd_name = bpf_cmd_name(uint32_t(cmd));
    if (!sys_bpf_allows(uint64_t(int64_t(cmd)))) {
        log_event(vm, kName,
                  cmd_name + ": -EINVAL: a syscall program may only issue BPF_MAP_CREATE, "
                             "BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE, "
                             "BPF_MAP_GET_FD_BY_ID, BPF_PROG_LOAD, BPF_BTF_LOAD, BPF_LINK_CREATE "
                             "and BPF_RAW_TRACEPOINT_OPEN");
        return helper_errno(e::kEINVAL);
    }
    // bpf_check_uarg_tail_zero: at most a page, and a longer attr than the kernel knows must end
    // in zeros.
    if (size > kPageSize || (size > kBpfAttrSize && std::any_of(attr + kBpfAttrSize, attr + size,
                                                                [](uint8_t b) { return b != 0; }))) {
        log_event(vm, kName,
                  cmd_name + ": -E2BIG: attr_size " + std::to_string(size) +
                      (size > kPageSize ? " is over a page (4096)"
                                        : " is past sizeof(union bpf_attr) (168) with non-zero bytes there"));
        return helper_errno(e::kE2BIG);
    }
    uint8_t copy[kBpfAttrSize] = {};
    std::memcpy(copy, attr, std::min<uint32_t>(size, kBpfAttrSize));
    std::string event;
    const int64_t rc = run_sys_bpf(vm, *env, uint32_t(cmd), copy, event);
    if (vm.status() == RunStatus::Faulted) return 0;
    log_event(vm, kName, cmd_name + ": " + event);
    return uint64_t(rc);
}

// bpf_sys_close(u32 fd): close_fd.
uint64_t sys_close(Vm& vm, uint64_t r1, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sys_close";
    HelperEnv* env = process_env(vm, kName);
    if (!env) return 0;
    BpfProcess& proc = *env->process;
    const uint32_t fd = uint32_t(r1);
    const BpfFd* f = proc.fds.get(fd);
    if (!f) {
        log_event(vm, kName, "-EBADF: fd " + std::to_string(fd) + " is not open");
        return helper_errno(e::kEBADF);
    }
    const BpfFd closed = *f;
    std::string what = "closed fd " + std::to_string(fd) + " (" + describe_fd(proc, *env->maps, closed) + ")";
    proc.fds.close(fd);
    if (closed.kind == BpfObjectKind::Map && !bpf_map_alive(proc, *env->maps, closed.index))
        what += "; nothing holds the map any more (no fd, no map of maps), so the kernel frees it";
    else if (closed.kind == BpfObjectKind::Map && closed.index >= proc.object_maps &&
             !proc.fds.holds_map(closed.index))
        what += "; a map of maps still holds the map, so it lives on";
    log_event(vm, kName, std::move(what));
    return 0;
}

// bpf_btf_find_by_name_kind(char *name, int name_sz, u32 kind, int flags): the id of the named
// type of that kind in the kernel's BTF. The emulated kernel has no module BTF, so the upper
// 32 bits (a module BTF's fd) are always 0.
uint64_t btf_find_by_name_kind(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) {
    constexpr const char* kName = "bpf_btf_find_by_name_kind";
    const int32_t name_sz = int32_t(r2);
    const uint8_t* name = readable(vm, kName, r1, uint32_t(r2), "r2 (name_sz)");
    if (!name) return 0;
    if (int32_t(r4) != 0) return helper_errno(e::kEINVAL);
    if (name_sz <= 1 || name[name_sz - 1] != 0) return helper_errno(e::kEINVAL);
    const std::string wanted(reinterpret_cast<const char*>(name));
    // btf_find_by_name_kind takes the kind as a u8: 0x104 is a struct (4).
    const uint8_t kind = uint8_t(r3);
    const Btf& btf = builtin_target_btf();
    if (auto id = btf.find_by_name(wanted, BtfKind(kind))) {
        log_event(vm, kName,
                  btf_kind_name(BtfKind(kind)) + std::string(" ") + wanted + " is type " +
                      std::to_string(*id) + " of the emulated kernel's BTF");
        return *id;
    }
    log_event(vm, kName,
              "-ENOENT: the emulated kernel's BTF has no " +
                  (kind > 0 && kind <= kBtfKindMax ? std::string(btf_kind_name(BtfKind(kind)))
                                                   : "type of kind " + std::to_string(kind)) +
                  " named \"" + wanted +
                  "\" (it describes only what bpfplay emulates: task_struct, pt_regs, ...)");
    return helper_errno(e::kENOENT);
}

// bpf_kallsyms_lookup_name(const char *name, int name_sz, int flags, u64 *res). *res is
// written on every path: the address, or 0 on an error.
uint64_t kallsyms_lookup_name(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) {
    constexpr const char* kName = "bpf_kallsyms_lookup_name";
    if (r4 % 8 != 0) {
        fail(vm, kName,
             "r4 = " + std::to_string(r4) +
                 " is not 8-byte aligned: the kernel's verifier refuses a "
                 "misaligned res (\"misaligned stack access\")",
             "Pass the address of a __u64 variable.");
        return 0;
    }
    uint8_t* res = vm.memory().helper_ptr(r4, 8, /*write=*/true);
    if (!res) {
        fail_helper_access(vm, kName, r4, 8, Access::HelperWrite);
        return 0;
    }
    const int32_t name_sz = int32_t(r2);
    const uint8_t* name =
        name_sz > 0 ? vm.memory().helper_ptr(r1, uint32_t(name_sz), /*write=*/false) : nullptr;
    if (name_sz > 0 && !name) {
        fail_helper_access(vm, kName, r1, uint32_t(name_sz), Access::HelperRead);
        return 0;
    }
    store_le<uint64_t>(res, 0);
    if (int32_t(r3) != 0) return helper_errno(e::kEINVAL);
    if (name_sz <= 1 || name[name_sz - 1] != 0) return helper_errno(e::kEINVAL);
    const std::string wanted(reinterpret_cast<const char*>(name));
    const auto addr = kernel_symbol_address(wanted);
    if (!addr) {
        log_event(vm, kName,
                  "-ENOENT: the emulated kernel has no symbol \"" + wanted + "\" (it knows init_task only)");
        return helper_errno(e::kENOENT);
    }
    store_le<uint64_t>(res, *addr);
    return 0;
}

constexpr HelperImpl kSyscallHelperImpls[] = {
    {166, sys_bpf},               // bpf_sys_bpf
    {167, btf_find_by_name_kind}, // bpf_btf_find_by_name_kind
    {168, sys_close},             // bpf_sys_close
    {179, kallsyms_lookup_name},  // bpf_kallsyms_lookup_name
};

} // namespace

std::span<const HelperImpl> syscall_helper_impls() {
    return kSyscallHelperImpls;
}

} // namespace bpfplay
