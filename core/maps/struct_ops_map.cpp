#include "core/maps/struct_ops_map.hpp"

#include <cstring>
#include <string>

#include "core/memory.hpp"

namespace bpfplay {

namespace e = kerrno;

namespace {
constexpr uint32_t kRefcntOff = 0, kStateOff = 4, kCommonSize = 8;  // struct bpf_struct_ops_common_value
}

// bpf_struct_ops_map_alloc_check (the value type's lookup in the kernel BTF is the caller's).
MapCheckResult StructOpsMap::alloc_check(const MapCheck& c) {
    const MapSpec& s = c.spec();
    if (s.key_size != 4 || s.max_entries != 1)
        return c.fail(-e::kEINVAL,
                      c.kind() + " has key_size " + std::to_string(s.key_size) + " and max_entries " +
                          std::to_string(s.max_entries) + "; a struct_ops map has one u32 key (4) and max_entries 1",
                      "Declare struct_ops maps as variables in SEC(\".struct_ops\"): libbpf makes the map.");
    if (auto err = c.unknown_flags(kBpfFLink | kBpfFVtypeBtfObjFd)) return err;
    if (s.btf_vmlinux_value_type_id == 0)
        return c.fail(-e::kEINVAL, c.kind() + " has no btf_vmlinux_value_type_id: the kernel's struct "
                                              "bpf_struct_ops_<name> it holds");
    if (s.value_size < kCommonSize)
        return c.fail(-e::kEINVAL, c.kind() + " has value_size " + std::to_string(s.value_size) +
                                       ", less than its struct bpf_struct_ops_common_value");
    return std::nullopt;
}

std::unique_ptr<StructOpsMap> StructOpsMap::make(const MapSpec& spec) {
    std::unique_ptr<StructOpsMap> map(new StructOpsMap(spec));
    if (!map->allocate_storage()) return nullptr;
    return map;
}

uint32_t StructOpsMap::state() const { return load_le<uint32_t>(slot_ptr(0) + kStateOff); }

std::string StructOpsMap::summary() const {
    switch (state()) {
    case struct_ops_state::kInit: return "not registered (INIT)";
    case struct_ops_state::kInuse: return "registered (INUSE)";
    case struct_ops_state::kTobefree: return "unregistered (TOBEFREE)";
    case struct_ops_state::kReady: return "ready for a link (READY)";
    }
    return "state " + std::to_string(state());
}

// bpf_struct_ops_map_sys_lookup_elem: the value user space wrote, with the state now.
int64_t StructOpsMap::do_lookup_user(const uint8_t* key, uint8_t* value) {
    if (load_le<uint32_t>(key) != 0) return -e::kENOENT;
    if (state() == struct_ops_state::kInit) {
        std::memset(value, 0, value_size());
        return 0;
    }
    std::memcpy(value, slot_ptr(0), value_size());
    return 0;
}

// bpf_struct_ops_map_update_elem: what the kernel checks of the value itself (the members'
// programs and data are the loader's: core/loader/struct_ops.cpp).
int64_t StructOpsMap::do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) {
    if (flags) return -e::kEINVAL;
    if (load_le<uint32_t>(key) != 0) return -e::kE2BIG;
    if (load_le<uint32_t>(value + kStateOff) != 0 || load_le<uint32_t>(value + kRefcntOff) != 0) return -e::kEINVAL;
    if (state() != struct_ops_state::kInit) return -e::kEBUSY;
    store_value(0, 0, value);
    const bool link = map_flags() & kBpfFLink;
    store_le<uint32_t>(slot_ptr(0) + kStateOff, link ? struct_ops_state::kReady : struct_ops_state::kInuse);
    store_le<uint32_t>(slot_ptr(0) + kRefcntOff, link ? 0 : 1);
    mark_set(0);
    return 0;
}

// bpf_struct_ops_map_delete_elem: unregisters.
int64_t StructOpsMap::do_delete_elem(const uint8_t*) {
    if (map_flags() & kBpfFLink) return -e::kEOPNOTSUPP;
    switch (state()) {
    case struct_ops_state::kInuse:
        store_le<uint32_t>(slot_ptr(0) + kStateOff, struct_ops_state::kTobefree);
        store_le<uint32_t>(slot_ptr(0) + kRefcntOff, 0);
        return 0;
    case struct_ops_state::kTobefree: return -e::kEINPROGRESS;
    default: return -e::kENOENT;  // INIT (never registered)
    }
}

// bpf_struct_ops_map_get_next_key: key 0 whatever the state.
int64_t StructOpsMap::do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) {
    if (key_or_null && load_le<uint32_t>(key_or_null) == 0) return -e::kENOENT;
    store_le<uint32_t>(next_key, 0);
    return 0;
}

} // namespace bpfplay
