#pragma once
// BPF_MAP_TYPE_CPUMAP (kernel/bpf/cpumap.c): CPUs by index, for bpf_redirect_map. A redirected
// packet is queued to that CPU, whose kthread builds an skb and passes it to the network stack
// there (spreading one device's load over several CPUs). Keys are u32 CPU numbers; a value is
// struct bpf_cpumap_val { u32 qsize; u32 prog fd on write / prog id on read } (value_size 8),
// or the qsize alone (4). qsize 0 empties a slot.
//
// Kernel rules kept: creation needs max_entries > 0, key_size 4, value_size 4 or 8 and no flag
// but BPF_F_NUMA_NODE (-EINVAL), then at most NR_CPUS (256 on the reference kernel) entries (-E2BIG); an update takes
// BPF_ANY or BPF_EXIST (-EINVAL), a key below max_entries (-E2BIG), never BPF_NOEXIST (-EEXIST:
// every slot exists), a qsize of at most 16384 (-EOVERFLOW) and a CPU the host has (-ENODEV);
// deleting an empty slot is no error, a key past max_entries is -EINVAL; get_next_key walks
// every index. Programs only redirect through it (the verifier refuses lookups). A CPU program
// (bpf_prog.fd > 0, BPF_XDP_CPUMAP) is refused with -EINVAL: bpfplay has none to run.
#include <memory>
#include <optional>

#include "core/maps/map_check.hpp"
#include "core/maps/slot_array_map.hpp"

namespace bpfplay {

class CpuMap final : public SlotArrayMap {
  public:
    static constexpr uint32_t kNrCpus = 256;      // NR_CPUS: CONFIG_NR_CPUS of the reference 6.18 kernel
    static constexpr uint32_t kMaxQsize = 16384;  // cpu_map_update_elem's sanity limit

    static uint64_t footprint(const MapSpec& spec) { return uint64_t(spec.max_entries) * (8 + 1); }
    static MapCheckResult alloc_check(const MapCheck& c);
    static std::unique_ptr<CpuMap> make(const MapSpec& spec);

    // __cpu_map_lookup_elem for bpf_redirect_map: the CPU's queue size, nullopt for an empty slot
    // or a key past max_entries.
    std::optional<uint32_t> qsize_of(uint32_t cpu) const;
    // "CPU 2 (qsize 2048)".
    std::string entry_label(std::span<const uint8_t> key, uint32_t slot) const override;

  protected:
    uint64_t do_lookup_elem(const uint8_t*, uint32_t) override { return 0; }
    int64_t do_update_elem(const uint8_t*, const uint8_t*, uint64_t, uint32_t) override { return -kerrno::kEOPNOTSUPP; }
    int64_t do_delete_elem(const uint8_t* key) override;
    int64_t do_lookup_user(const uint8_t* key, uint8_t* value) override;
    int64_t do_update_user(const uint8_t* key, const uint8_t* value, uint64_t flags) override;

  private:
    explicit CpuMap(const MapSpec& spec) : SlotArrayMap(spec, 8, /*program_visible=*/false) {}
};

} // namespace bpfplay
