#include "core/host/host.hpp"

#include <algorithm>

namespace bpfplay {

std::array<char, kTaskCommLen> Task::comm_from(std::string_view name) {
    std::array<char, kTaskCommLen> out{};  // zero-filled: the terminator and the padding
    std::copy_n(name.begin(), std::min(name.size(), kTaskCommLen - 1), out.begin());
    return out;
}

std::string_view Task::comm_view() const {
    const auto end = std::find(comm.begin(), comm.end(), '\0');
    return std::string_view(comm.data(), size_t(end - comm.begin()));
}

// All clock arithmetic is unsigned, so a huge setting wraps (as a u64 counter would) rather
// than overflowing.
uint64_t Host::ktime_ns(uint64_t executed) const { return clock_start_ns + executed * ns_per_insn; }

uint64_t Host::boot_ns(uint64_t executed) const { return ktime_ns(executed) + boot_offset_ns; }

uint64_t Host::tai_ns(uint64_t executed) const { return ktime_ns(executed) + tai_offset_ns; }

uint64_t Host::tick_ns() const {
    const uint64_t h = hz ? hz : 250;
    return (1'000'000'000ull + h / 2) / h;  // TICK_NSEC
}

uint64_t Host::coarse_ns(uint64_t executed) const {
    const uint64_t t = ktime_ns(executed);
    return t - t % tick_ns();
}

uint64_t Host::initial_jiffies() const {
    const uint32_t h = hz ? hz : 250;
    return uint32_t(0u - 300u * h);  // (unsigned long)(unsigned int)(-300 * HZ)
}

uint64_t Host::jiffies64(uint64_t executed) const { return initial_jiffies() + ktime_ns(executed) / tick_ns(); }

}  // namespace bpfplay
