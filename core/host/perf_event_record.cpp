#include "core/host/perf_event_record.hpp"

#include "core/hex.hpp"
#include "core/json/json.hpp"

namespace bpfplay {

std::string perf_events_json(const std::vector<PerfEventRecord>& events) {
    std::string j = "[";
    for (size_t i = 0; i < events.size(); ++i) {
        const PerfEventRecord& e = events[i];
        j += std::string(i ? "," : "") + "{\"map\":" + json_quote(e.map) + ",\"cpu\":" + std::to_string(e.cpu) +
             ",\"data\":\"" + hex_bytes(e.data) + "\",\"executed\":" + std::to_string(e.executed) +
             ",\"pc\":" + std::to_string(e.pc) + "}";
    }
    return j + "]";
}

}  // namespace bpfplay
