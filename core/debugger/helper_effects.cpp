#include "core/debugger/helper_effects.hpp"

#include <algorithm>

#include "core/run/dynptr_helpers.hpp"
#include "core/run/seq_file.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/run/sys_bpf.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {
// Runs closer than this are merged: one run header costs about as much as the gap.
constexpr uint32_t kMergeGap = 16;
// Entries compared to find which ones a call changed (a view of huge maps shows the first).
constexpr size_t kMaxTrackedEntries = 4096;
}

void HelperUndo::undo() {
    host_->printk.resize(std::min(host_->printk.size(), printk_size_));
    if (seq_) {
        seq_->bytes.resize(std::min(seq_->bytes.size(), seq_size_));
        seq_->overflowed = seq_overflowed_;
    }
    host_->perf_events.resize(std::min(host_->perf_events.size(), perf_events_size_));
    host_->prandom = prandom_;
    host_->events.resize(std::min(host_->events.size(), events_size_));
    host_->net.run = net_run_;
    host_->net.conntrack = conntrack_;
    host_->dynptrs = dynptrs_;
    host_->timers = timers_;
    host_->net.last_cookie = last_cookie_;
    for (auto it = maps_.rbegin(); it != maps_.rend(); ++it) {
        if (it->whole) {
            it->map->restore_state(it->runs.front().second);
            continue;
        }
        std::vector<uint8_t> state;
        it->map->save_state(state);
        for (const auto& [offset, old] : it->runs) std::copy(old.begin(), old.end(), state.begin() + offset);
        it->map->restore_state(state);
    }
    if (process_) {
        ProcessState& p = *process_;
        while (p.maps->size() > p.map_count) {
            if (auto w = p.maps->window_of(p.maps->size() - 1)) p.memory->unmap(*w);
            p.maps->remove_last();
        }
        *p.process = p.before;
    }
}

size_t HelperUndo::bytes() const {
    size_t n = sizeof *this + net_run_.held_sockets.size() * sizeof(uint32_t) +
               net_run_.redirect.broadcast.size() * sizeof(uint32_t) + net_run_.redirect.map.size() + net_run_.sock_redirect.map.size() +
               (net_run_.tx_tunnel ? net_run_.tx_tunnel->options.size() : 0) +
               dynptrs_.slots.size() * sizeof(DynptrSlot) + timers_.timers.size() * sizeof(BpfTimer) +
               net_run_.ct_objects.size() * sizeof(CtObject) + conntrack_.size() * sizeof(ConntrackEntry);
    for (const MapChange& m : maps_) {
        n += sizeof m;
        for (const auto& r : m.runs) n += sizeof r + r.second.size();
    }
    if (process_) n += process_->before.fds.open_fds().size() * 48 + process_->before.btfs.size() * 16;
    return n;
}

std::vector<uint32_t> HelperUndo::changed_slots(const Map& map) const {
    for (const MapChange& m : maps_)
        if (m.map == &map) return m.changed_slots;
    return {};
}

namespace {

// Slots whose (key, values) differ between two entry lists, or that are in only one: both
// sorted by slot, then merged (linear, as a map may hold thousands of entries).
std::vector<uint32_t> diff_entries(std::vector<MapEntry> before, std::vector<MapEntry> after) {
    auto by_slot = [](const MapEntry& x, const MapEntry& y) { return x.slot < y.slot; };
    std::sort(before.begin(), before.end(), by_slot);
    std::sort(after.begin(), after.end(), by_slot);
    std::vector<uint32_t> out;
    size_t i = 0, k = 0;
    while (i < before.size() || k < after.size()) {
        if (k == after.size() || (i < before.size() && before[i].slot < after[k].slot)) {
            out.push_back(before[i++].slot);  // removed
        } else if (i == before.size() || after[k].slot < before[i].slot) {
            out.push_back(after[k++].slot);  // added
        } else {
            if (before[i].key != after[k].key || before[i].values != after[k].values) out.push_back(after[k].slot);
            ++i, ++k;
        }
    }
    return out;
}

}  // namespace

void HelperEffectsRecorder::before_helper(Vm& vm, int32_t helper_id, const uint64_t args[5]) {
    pending_ = std::make_unique<HelperUndo>();
    pending_->host_ = &host_;
    pending_->printk_size_ = host_.printk.size();
    if (vm.env && vm.env->seq) {
        pending_->seq_ = vm.env->seq;
        pending_->seq_size_ = vm.env->seq->bytes.size();
        pending_->seq_overflowed_ = vm.env->seq->overflowed;
    }
    pending_->perf_events_size_ = host_.perf_events.size();
    pending_->prandom_ = host_.prandom;
    pending_->events_size_ = host_.events.size();
    pending_->net_run_ = host_.net.run;
    pending_->conntrack_ = host_.net.conntrack;
    pending_->last_cookie_ = host_.net.last_cookie;
    pending_->dynptrs_ = host_.dynptrs;
    // The timer helpers change the host's timer table (most programs have no timers: cheap).
    pending_->timers_ = host_.timers;
    before_.clear();
    before_entries_.clear();
    std::vector<Map*> named;
    // bpf_sys_bpf (166) and bpf_sys_close (168) change the process's fds, may create maps, and
    // name the maps they change by fd.
    if ((helper_id == 166 || helper_id == 168) && vm.env && vm.env->process) {
        pending_->process_ =
            HelperUndo::ProcessState{vm.env->process, *vm.env->process, &maps_, maps_.size(), &vm.memory()};
        if (helper_id == 166) named = maps_sys_bpf_may_change(vm, *vm.env, args);
    }
    // Maps named by handle (map helpers, tail calls), by a pointer into their values
    // (bpf_ringbuf_submit/discard take the record's address), or by the dynptr r1 points to
    // (bpf_ringbuf_submit/discard_dynptr: its first 8 bytes are the record's address).
    uint64_t dynptr_data = 0;
    if (helper_id == helper_id::kRingbufSubmitDynptr || helper_id == helper_id::kRingbufDiscardDynptr)
        if (const uint8_t* p = vm.memory().helper_ptr(args[0], 8, false)) dynptr_data = load_le<uint64_t>(p);
    for (int i = 0; i < 6; ++i) {
        const uint64_t arg = i < 5 ? args[i] : dynptr_data;
        Map* m = maps_.from_handle(arg);
        if (!m) {
            if (auto loc = maps_.from_value_address(arg)) m = loc->map;
        }
        if (m) named.push_back(m);
    }
    for (Map* m : named) {
        if (!m) continue;
        if (std::any_of(pending_->maps_.begin(), pending_->maps_.end(),
                        [&](const HelperUndo::MapChange& c) { return c.map == m; }))
            continue;
        pending_->maps_.push_back({m, {}, false, {}});
        before_.emplace_back();
        m->save_state(before_.back());
        before_entries_.push_back(m->entries(kMaxTrackedEntries));
    }
}

void HelperEffectsRecorder::after_helper(Vm&) {
    if (!pending_) return;
    std::vector<uint8_t> after;
    for (size_t k = 0; k < pending_->maps_.size(); ++k) {
        HelperUndo::MapChange& change = pending_->maps_[k];
        const std::vector<uint8_t>& before = before_[k];
        after.clear();
        change.map->save_state(after);
        if (before.size() != after.size()) {
            change.whole = true;
            change.runs.emplace_back(0, before);
            change.changed_slots = diff_entries(std::move(before_entries_[k]), change.map->entries(kMaxTrackedEntries));
            continue;
        }
        const size_t n = std::min(before.size(), after.size());
        size_t i = 0;
        while (i < n) {
            if (before[i] == after[i]) {
                ++i;
                continue;
            }
            size_t end = i + 1;
            // Extend while differences are at most kMergeGap apart.
            for (size_t j = end; j < n && j < end + kMergeGap; ++j)
                if (before[j] != after[j]) end = j + 1;
            change.runs.emplace_back(uint32_t(i), std::vector<uint8_t>(before.begin() + ptrdiff_t(i),
                                                                        before.begin() + ptrdiff_t(end)));
            i = end;
        }
        if (!change.runs.empty())
            change.changed_slots = diff_entries(std::move(before_entries_[k]), change.map->entries(kMaxTrackedEntries));
    }
    std::erase_if(pending_->maps_, [](const HelperUndo::MapChange& c) { return c.runs.empty(); });
    journal_.external(std::move(pending_));
    before_.clear();
    before_entries_.clear();
}

}  // namespace bpfplay
