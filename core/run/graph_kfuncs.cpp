// Objects a program allocates (kernel/bpf/helpers.c): bpf_obj_new_impl gives a zeroed instance of
// one of the program's own structs (libbpf's bpf_core_type_id_local names it by the program's
// BTF id), bpf_obj_drop_impl frees it with whatever its lists and trees own, and
// bpf_refcount_acquire_impl takes one more reference to an object with a struct bpf_refcount.
// The `meta__ign` argument, which the kernel's verifier fills in with the type's btf_record, is
// NULL in the program; the emulator reads the record from the object itself (obj_heap.hpp).
#include <string>

#include "core/btf/btf.hpp"
#include "core/btf/special_fields.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/run/graph_objects.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using helper_error::fail;

uint64_t obj_new(Vm& vm, uint64_t type_id64, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_obj_new_impl";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const Btf* btf = vm.env->btf;
    const uint32_t type_id = uint32_t(type_id64);
    if (!btf || type_id64 >= btf->type_count() || btf->kind(type_id) != BtfKind::Struct) {
        fail(vm, kName,
             "local_type_id " + std::to_string(type_id64) +
                 " is not a struct of the program's BTF: the kernel's verifier refuses the call (\"bpf_obj_new type ID "
                 "argument must be of a struct\")",
             "Call it as bpf_obj_new(struct name): the macro passes bpf_core_type_id_local(struct name).");
        return 0;
    }
    const uint32_t size = btf->type(type_id)->size;
    // bpf_mem_alloc: NULL for a size of 0, or one past its largest object.
    if (size == 0 || size > kMemAllocMaxObject) return 0;
    ObjHeap& heap = heap_of(vm, *host);
    const std::optional<uint64_t> addr =
        graph_allocate(vm, heap, size, type_id, btf->type_to_string(type_id), graph_fields(*btf, type_id));
    if (!addr) return 0;
    graph_acquired(vm, *host, *heap.object_at(*addr), kName);
    return *addr;
}

// The object `p` starts, or nullopt after stopping the run (a pointer bpf_obj_new did not give
// is refused by the kernel's verifier: these kfuncs take an owning reference to one).
std::optional<uint32_t> owned_object(Vm& vm, const char* kfunc, Host& host, uint64_t p) {
    if (host.heap) {
        const std::optional<uint32_t> index = host.heap->object_at(p);
        if (index && ObjHeap::address(*index) == p) return index;
    }
    const bool freed = host.heap && (p >> 32) == window::kHeap;
    fail(vm, kfunc,
         "r1 = " + hex(p) + (freed ? " is an object that was freed already" : " is not an object bpf_obj_new allocated") +
             ": the kernel's verifier refuses the call (it takes a pointer to an allocated object the program owns)",
         "Pass the non-NULL result of bpf_obj_new, or a node popped from a list or removed from a tree (container_of "
         "it back to the object), once.");
    return std::nullopt;
}

uint64_t obj_drop(Vm& vm, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_obj_drop_impl";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> index = owned_object(vm, kName, *host, p);
    if (index && graph_give_back(vm, *host, kName, "r1", *index)) graph_drop(vm, *host->heap, *index);
    return 0;
}

uint64_t refcount_acquire(Vm& vm, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_refcount_acquire_impl";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> index = owned_object(vm, kName, *host, p);
    if (!index) return 0;
    const std::optional<uint32_t> ref = graph_field_offset(host->heap->object(*index), GraphFieldKind::Refcount);
    if (!ref) {
        fail(vm, kName,
             "r1 = " + hex(p) + " is a " + host->heap->object(*index).type_name +
                 ", which has no struct bpf_refcount field: the kernel's verifier refuses the call",
             "Add a `struct bpf_refcount ref;` member to the struct to share its objects between a list and a tree.");
        return 0;
    }
    uint8_t* count = vm.memory().helper_ptr(p + *ref, 4, true);
    const uint32_t now = load_le<uint32_t>(count);
    if (now == 0) return 0;  // refcount_inc_not_zero: the object is on its way out
    store_le<uint32_t>(count, now + 1);
    graph_acquired(vm, *host, *index, kName);
    return p;
}

constexpr KfuncImpl kGraphKfuncImpls[] = {
    {"bpf_obj_drop_impl", obj_drop},
    {"bpf_obj_new_impl", obj_new},
    {"bpf_refcount_acquire_impl", refcount_acquire},
};

}  // namespace

std::span<const KfuncImpl> graph_kfunc_impls() { return kGraphKfuncImpls; }

}  // namespace bpfplay
