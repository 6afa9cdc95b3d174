// bpf_get_stackid and bpf_get_stack (kernel/bpf/stackmap.c, Linux 6.18). The kernel walks the
// stack with get_perf_callchain(regs, kernel, user, max_depth): at most max_depth frames,
// innermost first, where max_depth is the frames the destination holds plus the frames to
// skip, capped at kernel.perf_event_max_stack (127). bpfplay's "walk" is the host's list.
#include "core/run/stack_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/stack_trace_map.hpp"
#include "core/run/helper_fail.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

constexpr uint64_t kSkipMask = 0xff;             // BPF_F_SKIP_FIELD_MASK
constexpr uint64_t kUserStack = 1u << 8;         // BPF_F_USER_STACK
constexpr uint64_t kFastStackCmp = 1u << 9;      // BPF_F_FAST_STACK_CMP
constexpr uint64_t kReuseStackId = 1u << 10;     // BPF_F_REUSE_STACKID
constexpr uint64_t kUserBuildId = 1u << 11;      // BPF_F_USER_BUILD_ID
// offsetof(struct pt_regs, cs) on x86-64 (r15 ... orig_ax, ip before it).
constexpr uint64_t kPtRegsCsOffset = 136;

Host* stack_host_of(Vm& vm, const char* helper) {
    Host* host = vm.env ? vm.env->host : nullptr;
    if (!host) fail(vm, helper, "the run has no emulated host, so there is no task whose stack to walk");
    return host;
}

// get_perf_callchain: the first max_depth frames of the chosen stack.
std::vector<uint64_t> walk(const Host& host, bool user, uint32_t max_depth) {
    const std::vector<StackFrame>& stack = user ? host.user_stack : host.kernel_stack;
    std::vector<uint64_t> ips;
    for (size_t i = 0; i < stack.size() && ips.size() < max_depth; ++i) ips.push_back(stack[i].ip);
    return ips;
}

// stack_map_calculate_max_depth.
uint32_t max_depth_for(uint64_t size, uint32_t elem_size, uint32_t skip) {
    const uint64_t depth = size / elem_size + skip;
    return uint32_t(std::min<uint64_t>(depth, kPerfEventMaxStack));
}

uint64_t get_stackid(Vm& vm, uint64_t, uint64_t map_handle, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_stackid";
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* m = maps ? maps->from_handle(map_handle) : nullptr;
    if (!m || m->type() != MapType::StackTrace) {
        fail(vm, kName, "r2 does not hold a stack_trace map: the kernel's verifier refuses the call",
             "Pass a map declared with __uint(type, BPF_MAP_TYPE_STACK_TRACE).");
        return 0;
    }
    auto& smap = static_cast<StackTraceMap&>(*m);
    if (flags & ~(kSkipMask | kUserStack | kFastStackCmp | kReuseStackId)) return uint64_t(-kerrno::kEINVAL);
    const Host* host = stack_host_of(vm, kName);
    if (!host) return 0;
    const uint32_t skip = uint32_t(flags & kSkipMask);
    const bool user = flags & kUserStack;
    const uint32_t max_depth = max_depth_for(smap.value_size(), smap.frame_bytes(), skip);
    const std::vector<uint64_t> trace = walk(*host, user, max_depth);
    if (trace.size() <= skip) return uint64_t(-kerrno::kEFAULT);  // skipping more than the usable stack
    const size_t nr = std::min<size_t>(trace.size() - skip, max_depth - skip);
    for (const StackFrame& f : user ? host->user_stack : host->kernel_stack) smap.remember_symbol(f.ip, f.symbol);
    return uint64_t(smap.store(std::span(trace).subspan(skip, nr), flags));
}

// __bpf_get_stack. `task` is null for bpf_get_stack (the current task, from the probe's regs);
// for bpf_get_task_stack it is the task's index (0 = current) and `regs_user` whether its
// pt_regs are user mode. The host models the current task's stacks only: another task's
// kernel stack walks as empty.
uint64_t stack_into(Vm& vm, const char* name, uint64_t buf, uint64_t size, uint64_t flags,
                    std::optional<uint32_t> task, bool regs_user) {
    uint8_t* out = vm.memory().helper_ptr(buf, size, true);
    if (!out && size) {
        fail(vm, name,
             "r2 does not point to " + std::to_string(size) + " writable bytes: the kernel's verifier refuses the call",
             "Pass a buffer on the stack or in a map value, and its size in r3.");
        return 0;
    }
    const bool user = flags & kUserStack, user_build_id = flags & kUserBuildId;
    const uint32_t elem = user_build_id ? kStackBuildIdSize : 8;
    auto clear = [&](int64_t err) {
        if (size) std::memset(out, 0, size);
        return uint64_t(err);
    };
    if (flags & ~(kSkipMask | kUserStack | kUserBuildId)) return clear(-kerrno::kEINVAL);
    if (!user && user_build_id) return clear(-kerrno::kEINVAL);  // build ids exist for user stacks only
    if (size % elem) return clear(-kerrno::kEINVAL);
    const bool crosstask = task && *task != 0;
    if (task && user && !regs_user) return clear(-kerrno::kEFAULT);  // no user registers to start from
    if (crosstask && user) return clear(-95);  // -EOPNOTSUPP: no walking another task's user stack
    const Host* host = stack_host_of(vm, name);
    if (!host) return 0;
    const uint32_t skip = uint32_t(flags & kSkipMask);
    const std::vector<uint64_t> trace =
        crosstask ? std::vector<uint64_t>{} : walk(*host, user, max_depth_for(size, elem, skip));
    if (trace.size() < skip) return clear(-kerrno::kEFAULT);
    const size_t nr = trace.size() - skip;
    const uint64_t copy_len = nr * elem;
    for (size_t i = 0; i < nr; ++i) {
        if (user_build_id) {
            // stack_map_get_build_id_offset without a build id: status BPF_STACK_BUILD_ID_IP.
            uint8_t* entry = out + i * kStackBuildIdSize;
            std::memset(entry, 0, kStackBuildIdSize);
            store_le<int32_t>(entry, kStackBuildIdIp);
            store_le<uint64_t>(entry + 24, trace[skip + i]);
        } else {
            store_le<uint64_t>(out + i * 8, trace[skip + i]);
        }
    }
    if (size > copy_len) std::memset(out + copy_len, 0, size - copy_len);
    return copy_len;
}

uint64_t get_stack(Vm& vm, uint64_t, uint64_t buf, uint64_t size, uint64_t flags, uint64_t) {
    return stack_into(vm, "bpf_get_stack", buf, size, flags, std::nullopt, true);
}

// bpf_get_task_stack: the task's pt_regs decide whether a user stack can be walked (a kernel
// thread's are not user mode: -EFAULT).
uint64_t get_task_stack(Vm& vm, uint64_t task, uint64_t buf, uint64_t size, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_get_task_stack";
    const std::optional<uint32_t> index = task_index(task);
    const std::optional<uint64_t> regs = task_pt_regs_address(vm.memory(), task);
    if (!index || !regs) {
        fail(vm, kName, "r1 is not a task_struct the emulated kernel has: the kernel's verifier refuses the call",
             "Pass a task from bpf_get_current_task_btf() or a BTF pointer to one.");
        return 0;
    }
    const uint8_t* cs = vm.memory().helper_ptr(*regs + kPtRegsCsOffset, 8, false);
    const bool user_mode = cs && (load_le<uint64_t>(cs) & 3) == 3;
    return stack_into(vm, kName, buf, uint32_t(size), flags, index, user_mode);
}

constexpr HelperImpl kStackHelperImpls[] = {
    {helper_id::kGetStackid, get_stackid},
    {helper_id::kGetStack, get_stack},
    {141, get_task_stack},  // bpf_get_task_stack
};

} // namespace

std::span<const HelperImpl> stack_helper_impls() {
    return kStackHelperImpls;
}

} // namespace bpfplay
