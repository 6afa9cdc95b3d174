// bpf_spin_lock, bpf_spin_unlock and bpf_kptr_xchg: the helpers that work on the special fields
// of a map value (MapSpec::spin_lock_off and MapSpec::kptrs, which the loader finds in the
// value's BTF). What the verifier checks at load -- the pointer is that field of a map whose BTF
// declares it, one lock at a time, unlock the lock that was taken -- stops the run here with the
// verifier's message; the interpreter checks the rest (no other call and no exit under a lock).
#include "core/run/lock_helpers.hpp"

#include <optional>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/graph_objects.hpp"
#include "core/run/kernel_refs.hpp"
#include "core/run/helper_fail.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

// On x86-64 with queued spinlocks the lock word of a taken, uncontended lock is 1 (the locked
// byte, _Q_LOCKED_VAL); arch_spin_unlock stores 0 to that byte.
constexpr uint32_t kLockHeld = 1;

// The map value r1 points into, or nullopt after failing the run as the verifier refuses a
// pointer that is not a map value ("R1 type=fp expected=map_value, ...").
std::optional<ValueLocation> map_value_arg(Vm& vm, const char* helper, uint64_t addr, const char* field) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    std::optional<ValueLocation> loc = maps ? maps->from_value_address(addr) : std::nullopt;
    if (!loc)
        fail(vm, helper,
             "r1 = " + hex(addr) +
                 " does not point into a map value: the kernel's verifier refuses it (\"R1 type=" +
                 (addr >> 32 >= window::kStack0 && addr >> 32 < window::kFirstFree ? "fp" : "scalar") +
                 " expected=map_value\")",
             std::string("Pass the address of the ") + field +
                 " field of a value bpf_map_lookup_elem returned.");
    return loc;
}

// The lock word of bpf_spin_lock / bpf_spin_unlock's argument, checked as process_spin_lock
// does; nullptr after failing the run.
uint8_t* lock_word(Vm& vm, const char* helper, uint64_t addr, Map** map_out) {
    // The lock of an object from bpf_obj_new, guarding the lists and trees inside it.
    if (const ObjHeap* heap = vm.env && vm.env->host ? vm.env->host->heap.get() : nullptr) {
        const std::optional<uint32_t> index = heap->object_at(addr);
        if (index && has_graph_field_at(heap->object(*index), GraphFieldKind::SpinLock,
                                        uint32_t(addr - ObjHeap::address(*index)))) {
            *map_out = nullptr;
            return vm.memory().helper_ptr(addr, 4, /*write=*/true);
        }
    }
    std::optional<ValueLocation> loc = map_value_arg(vm, helper, addr, "struct bpf_spin_lock");
    if (!loc) return nullptr;
    const Map& map = *loc->map;
    const MapSpec& spec = map.spec();
    if (!spec.kernel_btf) {
        fail(vm, helper,
             map.describe() + " has no BTF for its value: the kernel's verifier refuses it (\"map '" +
                 map.name() + "' has to have BTF in order to use bpf_spin_lock\")",
             "Declare the map in SEC(\".maps\") with __type(value, struct ...) and compile with -g; the "
             "kernel also "
             "drops a value's BTF it refuses (two locks, or a lock in a map type other than hash and array).",
             &map);
        return nullptr;
    }
    if (spec.spin_lock_off < 0) {
        fail(vm, helper,
             map.describe() +
                 "'s value has no struct bpf_spin_lock: the kernel's verifier refuses it (\"map '" +
                 map.name() + "' has no valid bpf_spin_lock\")",
             "Add a struct bpf_spin_lock member to the value's struct.", &map);
        return nullptr;
    }
    if (loc->offset != uint32_t(spec.spin_lock_off)) {
        fail(vm, helper,
             "r1 points at offset " + std::to_string(loc->offset) + " of the value of " + map.describe() +
                 ": the kernel's verifier refuses it (\"off " + std::to_string(loc->offset) +
                 " doesn't point to 'struct bpf_spin_lock' that is at " + std::to_string(spec.spin_lock_off) +
                 "\")",
             "Pass &value->lock, the address of the struct bpf_spin_lock member.", &map);
        return nullptr;
    }
    uint8_t* word = vm.memory().helper_ptr(addr, 4, /*write=*/true);
    if (!word) fail_helper_access(vm, helper, addr, 4, Access::HelperWrite);
    *map_out = loc->map;
    return word;
}

uint64_t spin_lock(Vm& vm, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_spin_lock";
    Map* map = nullptr;
    uint8_t* word = lock_word(vm, kName, lock, &map);
    if (!word) return 0;
    // A second lock while one is held never gets here: the interpreter refuses every call but
    // bpf_spin_unlock under a lock, as the verifier does.
    if (load_le<uint32_t>(word) != 0) {
        fail(vm, kName,
             "the lock at " + hex(lock) + " is already taken (its word is " + hex(load_le<uint32_t>(word)) +
                 "): a run stopped while holding it, and the kernel would spin here forever",
             "Reload the object, or find the run that stopped between bpf_spin_lock and bpf_spin_unlock.",
             map);
        return 0;
    }
    store_le<uint32_t>(word, kLockHeld);
    vm.set_held_lock(lock);
    return 0;
}

uint64_t spin_unlock(Vm& vm, uint64_t lock, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_spin_unlock";
    Map* map = nullptr;
    uint8_t* word = lock_word(vm, kName, lock, &map);
    if (!word) return 0;
    if (vm.held_lock() == 0) {
        fail(vm, kName,
             "no lock is held: the kernel's verifier refuses it (\"bpf_spin_unlock without taking a lock\")",
             "Call bpf_spin_lock on the same lock first.", map);
        return 0;
    }
    if (vm.held_lock() != lock) {
        fail(vm, kName,
             "the lock at " + hex(lock) + " is not the one held (" + hex(vm.held_lock()) +
                 "): the kernel's verifier refuses it (\"bpf_spin_unlock of different lock\")",
             "Unlock the lock you took, through the same value pointer.", map);
        return 0;
    }
    store_le<uint32_t>(word, 0);
    vm.set_held_lock(0);
    return 0;
}

uint64_t kptr_xchg(Vm& vm, uint64_t dst, uint64_t ptr, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_kptr_xchg";
    std::optional<ValueLocation> loc = map_value_arg(vm, kName, dst, "kptr");
    if (!loc) return 0;
    const Map& map = *loc->map;
    const MapSpec& spec = map.spec();
    if (!spec.kernel_btf) {
        fail(vm, kName,
             map.describe() + " has no BTF for its value: the kernel's verifier refuses it (\"map '" +
                 map.name() + "' has to have BTF in order to use bpf_kptr_xchg\")",
             "Declare the map with __type(value, struct ...) and compile with -g.", &map);
        return 0;
    }
    if (spec.kptrs.empty()) {
        fail(vm, kName,
             map.describe() +
                 "'s value has no kptr field: the kernel's verifier refuses it (\"R1 has no valid "
                 "kptr\")",
             "Declare the field as `struct T __kptr *name;` (btf_type_tag(\"kptr\")).", &map);
        return 0;
    }
    const KptrField* field = nullptr;
    for (const KptrField& k : spec.kptrs)
        if (k.offset == loc->offset) field = &k;
    if (!field) {
        fail(vm, kName,
             "r1 points at offset " + std::to_string(loc->offset) + " of the value of " + map.describe() +
                 ", where there is no kptr: the kernel's verifier refuses it (\"off=" +
                 std::to_string(loc->offset) + " doesn't point to kptr\")",
             "Pass &value->field of a __kptr field.", &map);
        return 0;
    }
    if (field->kind == KptrKind::Unreferenced) {
        fail(vm, kName,
             "the kptr at offset " + std::to_string(loc->offset) +
                 " is __kptr_untrusted: the kernel's verifier "
                 "refuses it (\"off=" +
                 std::to_string(loc->offset) + " kptr isn't referenced kptr\")",
             "bpf_kptr_xchg works on referenced kptrs: declare the field __kptr.", &map);
        return 0;
    }
    // The new value is NULL or a reference the program holds to an object of the field's type
    // (a kfunc acquired it); the map then owns that reference.
    Host* host = vm.env ? vm.env->host : nullptr;
    const std::optional<KernelObjectKind> kind = host && ptr ? kernel_object_at(*host, ptr) : std::nullopt;
    if (kind && field->type_name != kernel_object_type(*kind)) {
        fail(vm, kName,
             "r2 = " + hex(ptr) + " is a struct " + kernel_object_type(*kind) + " but the kptr at offset " +
                 std::to_string(loc->offset) + " holds a struct " + field->type_name +
                 ": the kernel's verifier refuses it (\"invalid kptr access, R2 type=ptr_" +
                 kernel_object_type(*kind) + " expected=ptr_" + field->type_name + "\")",
             "Store an object of the field's type.", &map);
        return 0;
    }
    if (ptr != 0 && !(kind && holds_reference(*host, ptr))) {
        fail(vm, kName,
             "r2 = " + hex(ptr) + " is not a referenced " + field->type_name +
                 " pointer: the kernel's verifier refuses it (" +
                 (kind ? not_held_words(*host, ptr, "r2", *kind)
                       : std::string("\"R2 must be referenced when passed to release function\"")) +
                 ")",
             "Only NULL or a pointer an acquiring kfunc (bpf_task_from_pid, bpf_cgroup_acquire...) returned, and "
             "the program has not released, can be stored.",
             &map);
        return 0;
    }
    uint8_t* slot = vm.memory().helper_ptr(dst, 8, /*write=*/true);
    if (!slot) {
        fail_helper_access(vm, kName, dst, 8, Access::HelperWrite);
        return 0;
    }
    // xchg: one 8-byte exchange, atomic for every other CPU.
    const uint64_t old = load_le<uint64_t>(slot);
    store_le<uint64_t>(slot, ptr);
    if (ptr) drop_reference(*host, ptr);
    // The old pointer comes back as a new reference: the program must release it or store it again.
    if (old && host)
        if (const std::optional<KernelObjectKind> old_kind = kernel_object_at(*host, old))
            acquire_reference(vm, *host, old, *old_kind, kName);
    return old;
}

constexpr HelperImpl kLockHelperImpls[] = {
    {helper_id::kSpinLock, spin_lock},     // bpf_spin_lock
    {helper_id::kSpinUnlock, spin_unlock}, // bpf_spin_unlock
    {helper_id::kKptrXchg, kptr_xchg},     // bpf_kptr_xchg
};

} // namespace

std::span<const HelperImpl> lock_helper_impls() {
    return kLockHelperImpls;
}

} // namespace bpfplay
