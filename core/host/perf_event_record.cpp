#include "core/host/perf_event_record.hpp"

#include "core/hex.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

void to_json(JsonWriter& w, const PerfEventRecord& e) {
    w.begin_object()
        .member("map", e.map)
        .member("cpu", e.cpu)
        .member("data", hex_bytes(e.data))
        .member("executed", e.executed)
        .member("pc", e.pc)
        .end_object();
}

std::string perf_events_json(const std::vector<PerfEventRecord>& events) {
    JsonWriter w;
    to_json_array(w, events);
    return w.take();
}

}  // namespace bpfplay
