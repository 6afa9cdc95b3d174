#pragma once
// bpf_perf_event_output and the perf event readers it writes to (see fd_array_map.hpp for how
// a perf event array slot models a reader).
#include <cstdint>

#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

class MapSet;

// bpf_perf_event_output (25), bpf_skb_output (111), bpf_xdp_output (121). Their samples go to
// Host::perf_events.
std::span<const HelperImpl> perf_event_helper_impls();

// What libbpf's perf_buffer__new does for every perf event array: slot c of the first
// min(ncpus, max_entries) slots gets the reader opened on CPU c. Slots already set are kept.
void attach_perf_readers(MapSet& maps, uint32_t ncpus);

} // namespace bpfplay
