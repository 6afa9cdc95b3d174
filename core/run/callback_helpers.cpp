// bpf_loop and bpf_for_each_map_elem: helpers that call a function of the program back. They
// check their arguments as the kernel does and ask the Vm for a callback frame (callback.hpp);
// the `next` functions here give each call its arguments.
#include "core/run/callback_helpers.hpp"

#include <cstring>
#include <string>

#include "core/callback.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/journal.hpp"
#include "core/maps/hash_map.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/map_types.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

using uapi::kMaxLoops;
constexpr uint16_t kLoopArgs = 0x6;       // r1 = index, r2 = ctx (r3..r5 are not initialized)
constexpr uint16_t kForEachArgs = 0x1e;   // r1 = map, r2 = key, r3 = value, r4 = ctx

}  // namespace

// The callback's first instruction, from the function address in r2 (a `r2 = <func> ll`), or
// nullopt after failing the run as the verifier refuses anything else.
std::optional<uint32_t> callback_entry(Vm& vm, const char* helper, uint64_t addr, int reg) {
    const Program& prog = vm.program();
    const uint64_t idx = (addr - kCodeBase) / 8;
    if (addr >= kCodeBase && (addr - kCodeBase) % 8 == 0 && idx < prog.insns.size() && idx != 0 &&
        prog.is_function_entry(uint32_t(idx)))
        return uint32_t(idx);
    const std::string r = std::to_string(reg);
    fail(vm, helper,
         "r" + r + " = " + hex(addr) +
             " is not the address of a function of this program: the kernel's verifier refuses it (\"R" + r +
             " type=scalar expected=func\")",
         "Pass the callback by name: the compiler loads its address (r" + r + " = <function> ll).");
    return std::nullopt;
}

namespace {

bool loop_next(Vm&, uint32_t, CallbackState& s, uint64_t args[5]) {
    if (s.position >= s.limit) return false;
    args[0] = s.position++;
    args[1] = s.ctx;
    return true;
}

uint32_t current_cpu(const Vm& vm) {
    return vm.env && vm.env->host ? vm.env->host->cpu : 0;
}

// Copies the key into the callback's read-only key slot (saving the old bytes for undo) and
// returns its address.
uint64_t hand_key(Vm& vm, uint32_t depth, const uint8_t* key, uint32_t size) {
    uint8_t* slot = vm.callback_key_slot(depth);
    const uint64_t addr = Vm::callback_key_address(depth);
    if (Journal* j = vm.journal()) j->mem(slot, addr, size);
    std::memcpy(slot, key, size);
    return addr;
}

// Arrays: every index 0..max_entries-1, as bpf_for_each_array_elem walks them.
bool array_next(Vm& vm, uint32_t depth, CallbackState& s, uint64_t args[5]) {
    if (s.position >= s.limit || !vm.env || !vm.env->maps) return false;
    Map* map = vm.env->maps->from_handle(s.map);
    if (!map) return false;
    const uint32_t index = uint32_t(s.position++);
    uint8_t key[4];
    std::memcpy(key, &index, 4);
    args[0] = s.map;
    args[1] = hand_key(vm, depth, key, 4);
    args[2] = map->value_address(index, map->is_percpu() ? current_cpu(vm) : 0);
    args[3] = s.ctx;
    return true;
}

// Hash maps: the entries there were when the walk started (their keys, in the map's
// get_next_key order, are the frame's callback scratch), skipping those the callback deleted.
bool hash_next(Vm& vm, uint32_t depth, CallbackState& s, uint64_t args[5]) {
    if (!vm.env || !vm.env->maps) return false;
    auto* map = dynamic_cast<HashMap*>(vm.env->maps->from_handle(s.map));
    if (!map) return false;
    const std::vector<uint8_t>& keys = vm.callback_scratch(depth);
    const uint32_t ks = map->key_size();
    while (s.position < s.limit) {
        const uint8_t* key = keys.data() + s.position * ks;
        ++s.position;
        const std::optional<uint32_t> slot = map->slot_of({key, ks});
        if (!slot) continue;
        args[0] = s.map;
        args[1] = hand_key(vm, depth, key, ks);
        args[2] = map->value_address(*slot, map->is_percpu() ? current_cpu(vm) : 0);
        args[3] = s.ctx;
        return true;
    }
    return false;
}

uint64_t loop(Vm& vm, uint64_t nr_loops, uint64_t callback_fn, uint64_t callback_ctx, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_loop";
    const std::optional<uint32_t> entry = callback_entry(vm, kName, callback_fn);
    if (!entry) return 0;
    if (flags != 0) return uint64_t(-kerrno::kEINVAL);
    const uint64_t n = uint32_t(nr_loops);  // the helper takes a u32
    if (n > kMaxLoops) return uint64_t(-kerrno::kE2BIG);
    if (n == 0) return 0;
    CallbackState s;
    s.kind = CallbackKind::Loop;
    s.entry = *entry;
    s.limit = n;
    s.ctx = callback_ctx;
    s.next = &loop_next;
    s.arg_mask = kLoopArgs;
    vm.helper_call_back(s);
    return 0;
}

// Gives frame `depth`'s scratch new contents; the journal keeps the old ones for undo.
class RestoreScratch final : public UndoAction {
public:
    RestoreScratch(std::vector<uint8_t>& target, std::vector<uint8_t> old) : target_(target), old_(std::move(old)) {}
    void undo() override { target_ = std::move(old_); }
    size_t bytes() const override { return old_.capacity() + sizeof *this; }

private:
    std::vector<uint8_t>& target_;
    std::vector<uint8_t> old_;
};

uint64_t for_each_map_elem(Vm& vm, uint64_t map_handle, uint64_t callback_fn, uint64_t callback_ctx, uint64_t flags,
                           uint64_t) {
    constexpr const char* kName = "bpf_for_each_map_elem";
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* map = maps ? maps->from_handle(map_handle) : nullptr;
    if (!map) {
        fail(vm, kName, "r1 = " + hex(map_handle) + " is not a map",
             "Pass the map itself as the first argument (r1 = <map> ll).");
        return 0;
    }
    const MapTypeInfo* info = map_type_info(map->type());
    if (!info || !info->for_each) {
        fail(vm, kName,
             "cannot walk " + map->describe() + ": the kernel's verifier refuses it (\"cannot pass map_type " +
                 std::to_string(uint32_t(map->type())) + " into func bpf_for_each_map_elem#164\")",
             "bpf_for_each_map_elem walks array, percpu_array, hash, percpu_hash, lru_hash and lru_percpu_hash "
             "maps.",
             map);
        return 0;
    }
    const std::optional<uint32_t> entry = callback_entry(vm, kName, callback_fn);
    if (!entry) return 0;
    if (flags != 0) return uint64_t(-kerrno::kEINVAL);
    const uint32_t depth = vm.depth() + 1;  // the callback's frame
    CallbackState s;
    s.kind = CallbackKind::ForEach;
    s.entry = *entry;
    s.ctx = callback_ctx;
    s.map = map_handle;
    s.arg_mask = kForEachArgs;
    if (info->index_keys) {
        s.limit = map->max_entries();
        s.next = &array_next;
    } else {
        std::vector<uint8_t> keys;
        keys.reserve(size_t(map->count()) * map->key_size());
        map->for_each_entry([&](std::span<const uint8_t> key, uint32_t) {
            keys.insert(keys.end(), key.begin(), key.end());
            return true;
        });
        s.limit = map->key_size() ? keys.size() / map->key_size() : 0;
        s.next = &hash_next;
        if (depth >= uint32_t(kMaxRunFrames)) {
            s.limit = 0;  // the interpreter refuses the frame (too deep) before it would run
        } else {
            std::vector<uint8_t>& scratch = vm.callback_scratch(depth);
            if (Journal* j = vm.journal()) j->external(std::make_unique<RestoreScratch>(scratch, std::move(scratch)));
            scratch = std::move(keys);
        }
    }
    if (s.limit == 0) return 0;
    vm.helper_call_back(s);
    return 0;
}

constexpr HelperImpl kCallbackHelperImpls[] = {
    {helper_id::kLoop, &loop},
    {helper_id::kForEachMapElem, &for_each_map_elem},
};

}  // namespace

std::span<const HelperImpl> callback_helper_impls() {
    return kCallbackHelperImpls;
}

}  // namespace bpfplay
