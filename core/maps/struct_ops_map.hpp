#pragma once
// BPF_MAP_TYPE_STRUCT_OPS (kernel/bpf/bpf_struct_ops.c): one value, a kernel struct of
// operations (struct tcp_congestion_ops) whose function pointers are programs, wrapped in the
// kernel's value type struct bpf_struct_ops_<name> { struct bpf_struct_ops_common_value common;
// struct <name> data; } (btf_vmlinux_value_type_id). Writing the value registers the struct
// with the kernel (a TCP congestion control the sockets can pick); libbpf builds the value from
// a SEC(".struct_ops") variable (core/loader/struct_ops.cpp), where each function pointer slot
// holds a program's fd -- in bpfplay the program's index in the object, as prog_array slots do.
//
// Kernel rules kept: creation needs key_size 4, max_entries 1, a btf_vmlinux_value_type_id and
// no flag but BPF_F_LINK / BPF_F_VTYPE_BTF_OBJ_FD (-EINVAL; which value types exist and their
// size the loader and BPF_MAP_CREATE check against the kernel BTF); the one update takes flags 0
// (-EINVAL), key 0 (-E2BIG), a value whose common header is zero (-EINVAL), and only once
// (-EBUSY): it leaves the map INUSE (refcnt 1), or READY for a BPF_F_LINK map, which a link then
// attaches. Deleting unregisters an INUSE map (-> TOBEFREE; again: -EINPROGRESS; never
// registered: -ENOENT; a BPF_F_LINK map: -EOPNOTSUPP). A user lookup of key 0 gives the value
// written with the state and refcnt now (zeros before the update), any other key -ENOENT.
// Programs cannot look it up (the verifier refuses the map as a helper argument).
#include <memory>

#include "core/maps/map_check.hpp"
#include "core/maps/slot_array_map.hpp"

namespace bpfplay {

// enum bpf_struct_ops_state, in the value's common.state (u32 at offset 4; refcnt at 0).
namespace struct_ops_state {
constexpr uint32_t kInit = 0, kInuse = 1, kTobefree = 2, kReady = 3;
}
constexpr uint32_t kBpfFLink = 1u << 13;           // BPF_F_LINK
constexpr uint32_t kBpfFVtypeBtfObjFd = 1u << 15;  // BPF_F_VTYPE_BTF_OBJ_FD

class StructOpsMap final : public SlotArrayMap {
  public:
    static uint64_t footprint(const MapSpec& spec) { return uint64_t(spec.value_size) + 8; }
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<StructOpsMap> make(const MapSpec& spec);

    uint32_t state() const;  // struct_ops_state
    // "registered (INUSE)".
    std::string summary() const override;

  protected:
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;
    int64_t do_get_next_key(const uint8_t* key_or_null, uint8_t* next_key) override;

  private:
    explicit StructOpsMap(const MapSpec& spec) : SlotArrayMap(spec, stride_of(spec), /*program_visible=*/false) {}
};

} // namespace bpfplay
