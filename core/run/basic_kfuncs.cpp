// The kfuncs every program type may call that need no kernel object: RCU and preemption
// markers, bpf_rdonly_cast, and the open-coded number iterator (bpf_iter_num_*), each as its
// kernel function in kernel/bpf/helpers.c and kernel/bpf/bpf_iter.c does it.
#include <cstring>

#include "core/host/helper_support.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// bpfplay runs one program at a time on one CPU: nothing can update what an RCU read-side
// section protects, and nothing can preempt the program, so these have nothing to do at run
// time. Whether they are balanced is the verifier's question (issue 16).
uint64_t rcu_read_lock(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
uint64_t rcu_read_unlock(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
uint64_t preempt_disable(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
uint64_t preempt_enable(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

// void *bpf_rdonly_cast(const void *obj__ign, u32 btf_id__k): the same pointer, which the
// verifier now types as a read-only, untrusted pointer to the BTF type btf_id (its loads are
// PROBE_MEM: a bad address reads 0, as Program::probe_mem_loads already does for tracing types).
uint64_t rdonly_cast(Vm&, uint64_t obj, uint64_t, uint64_t, uint64_t, uint64_t) { return obj; }

// struct bpf_iter_num_kern { int cur; int end; }: the 8 bytes of the program's struct bpf_iter_num.

int32_t* iter_num_state(Vm& vm, const char* kfunc, uint64_t it) {
    uint8_t* p = vm.memory().helper_ptr(it, 8, /*write=*/true);
    if (!p) fail_helper_access(vm, kfunc, it, 8, Access::HelperWrite);
    return reinterpret_cast<int32_t*>(p);
}

void set_state(int32_t* s, int32_t cur, int32_t end) {
    std::memcpy(s, &cur, 4);
    std::memcpy(s + 1, &end, 4);
}

// int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)
uint64_t iter_num_new(Vm& vm, uint64_t it, uint64_t start64, uint64_t end64, uint64_t, uint64_t) {
    int32_t* s = iter_num_state(vm, "bpf_iter_num_new", it);
    if (!s) return 0;
    const int32_t start = int32_t(start64), end = int32_t(end64);
    if (start > end) {
        set_state(s, 0, 0);
        return helper_errno(kEINVAL);
    }
    // Bounded so that a loop over it is bounded too (and start = INT_MIN, end = INT_MAX cannot overflow).
    if (int64_t(end) - int64_t(start) > int64_t(uapi::kMaxLoops)) {
        set_state(s, 0, 0);
        return helper_errno(7); // E2BIG
    }
    set_state(s, int32_t(uint32_t(start) - 1u), end);
    return 0;
}

// int *bpf_iter_num_next(struct bpf_iter_num *it): a pointer to the next number (the iterator's
// own `cur`, on the program's stack), or NULL when the range is done.
uint64_t iter_num_next(Vm& vm, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
    int32_t* s = iter_num_state(vm, "bpf_iter_num_next", it);
    if (!s) return 0;
    int32_t cur, end;
    std::memcpy(&cur, s, 4);
    std::memcpy(&end, s + 1, 4);
    if (int64_t(cur) + 1 >= int64_t(end)) {
        set_state(s, 0, 0);
        return 0;
    }
    set_state(s, cur + 1, end);
    return it;
}

// void bpf_iter_num_destroy(struct bpf_iter_num *it)
uint64_t iter_num_destroy(Vm& vm, uint64_t it, uint64_t, uint64_t, uint64_t, uint64_t) {
    if (int32_t* s = iter_num_state(vm, "bpf_iter_num_destroy", it)) set_state(s, 0, 0);
    return 0;
}

constexpr KfuncImpl kBasicKfuncImpls[] = {
    {"bpf_iter_num_destroy", iter_num_destroy},
    {"bpf_iter_num_new", iter_num_new},
    {"bpf_iter_num_next", iter_num_next},
    {"bpf_preempt_disable", preempt_disable},
    {"bpf_preempt_enable", preempt_enable},
    {"bpf_rcu_read_lock", rcu_read_lock},
    {"bpf_rcu_read_unlock", rcu_read_unlock},
    {"bpf_rdonly_cast", rdonly_cast},
};

} // namespace

std::span<const KfuncImpl> basic_kfunc_impls() { return kBasicKfuncImpls; }

} // namespace bpfplay
