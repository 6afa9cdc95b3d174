#pragma once
// What a helper call may change besides registers and the memory it writes through
// Memory::helper_ptr (which the journal saves by itself): the maps named in its arguments
// (their bookkeeping and values), the host's printk output, perf event samples and random
// state, its event log, the network state of the run (redirect target, socket references), the
// run's dynptrs (Host::dynptrs), and for bpf_sys_bpf / bpf_sys_close the process's fd table and
// the maps a call created (undone by taking them out of the MapSet and the Vm's memory again).
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/host/host.hpp"
#include "core/journal.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/bpf_process.hpp"

namespace bpfplay {

// The undo record of one helper call.
struct SeqFile;

class HelperUndo final : public UndoAction {
public:
    struct MapChange {
        Map* map = nullptr;
        // Byte runs of the map's saved state (Map::save_state) that the helper changed: the
        // offset and the bytes from before the call.
        std::vector<std::pair<uint32_t, std::vector<uint8_t>>> runs;
        // The call changed the state's length (a growing hash map allocated slots): runs then
        // holds one run, the whole state from before, which undo restores as it is.
        bool whole = false;
        // Slots whose entry the call added, changed or removed (for the state view).
        std::vector<uint32_t> changed_slots;
    };

    void undo() override;
    size_t bytes() const override;

    // Which value slots of a map the call changed (for "changed entries" in the state view).
    std::vector<uint32_t> changed_slots(const Map& map) const;
    const std::vector<MapChange>& maps() const { return maps_; }

private:
    friend class HelperEffectsRecorder;
    Host* host_ = nullptr;
    size_t printk_size_ = 0;
    SeqFile* seq_ = nullptr;        // an iterator's seq_file: helpers only append or overflow it
    size_t seq_size_ = 0;
    bool seq_overflowed_ = false;
    size_t perf_events_size_ = 0;  // helpers only append samples: undo cuts back to this
    Lfsr113 prandom_{1};
    size_t events_size_ = 0;
    NetRun net_run_;
    // The conntrack table bpf_ct_insert_entry adds to and the status / timeout kfuncs change.
    std::vector<ConntrackEntry> conntrack_;
    DynptrTable dynptrs_;
    TimerTable timers_;
    uint64_t last_cookie_ = 0;
    std::vector<MapChange> maps_;
    // bpf_sys_bpf / bpf_sys_close: the process before the call, and how many maps the set had
    // (maps past that were created by the call).
    struct ProcessState {
        BpfProcess* process = nullptr;
        BpfProcess before;
        MapSet* maps = nullptr;
        uint32_t map_count = 0;
        Memory* memory = nullptr;  // the Vm's, where created maps' windows were mapped
    };
    std::optional<ProcessState> process_;
};

class HelperEffectsRecorder final : public HelperEffects {
public:
    HelperEffectsRecorder(Journal& journal, MapSet& maps, Host& host) : journal_(journal), maps_(maps), host_(host) {}
    void before_helper(Vm& vm, int32_t helper_id, const uint64_t args[5]) override;
    void after_helper(Vm& vm) override;

private:
    Journal& journal_;
    MapSet& maps_;
    Host& host_;
    std::unique_ptr<HelperUndo> pending_;
    std::vector<std::vector<uint8_t>> before_;  // per pending map: its state before the call
    std::vector<std::vector<MapEntry>> before_entries_;
};

}  // namespace bpfplay
