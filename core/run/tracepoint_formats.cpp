#include "core/run/tracepoint_formats.hpp"

#include <algorithm>

#include "core/run/tracepoint_formats_data.hpp"

namespace bpfplay {

namespace {

namespace td = tracepoint_data;

std::string_view tp_string(uint32_t offset) { return std::string_view(td::kStrings + offset); }

// Every record starts with struct trace_entry (include/linux/trace_events.h); the table leaves
// it out.
constexpr TracepointField kTraceEntryFields[] = {
    {"common_type", "unsigned short", 0, 2, false},
    {"common_flags", "unsigned char", 2, 1, false},
    {"common_preempt_count", "unsigned char", 3, 1, false},
    {"common_pid", "int", 4, 4, true},
};

TracepointFormat tp_format_of(const td::Event& e) {
    TracepointFormat f;
    f.system = tp_string(e.system);
    f.event = tp_string(e.name);
    f.id = e.id;
    f.syscall_nr = e.syscall_nr;
    f.fields.assign(std::begin(kTraceEntryFields), std::end(kTraceEntryFields));
    for (uint32_t i = e.first_field; i < uint32_t(e.first_field) + e.field_count; ++i) {
        const td::Field& x = td::kFields[i];
        f.fields.push_back({tp_string(x.name), tp_string(x.type), x.offset, x.size, x.is_signed != 0});
    }
    return f;
}

}  // namespace

uint32_t TracepointFormat::fixed_size() const {
    uint32_t end = 0;
    for (const TracepointField& f : fields) end = std::max(end, f.offset + f.size);
    return end;
}

std::optional<TracepointFormat> find_tracepoint_format(std::string_view system, std::string_view event) {
    const td::Event* first = td::kEvents;
    const td::Event* last = td::kEvents + td::kEventCount;
    // The generator sorts by system, then name, bytewise as string_view compares.
    const auto key = [](const td::Event& e) { return std::pair(tp_string(e.system), tp_string(e.name)); };
    const auto it = std::lower_bound(first, last, std::pair(system, event),
                                     [&](const td::Event& e, const auto& k) { return key(e) < k; });
    if (it == last || key(*it) != std::pair(system, event)) return std::nullopt;
    return tp_format_of(*it);
}

std::optional<TracepointFormat> find_tracepoint_format(std::string_view system_slash_event) {
    const size_t slash = system_slash_event.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    return find_tracepoint_format(system_slash_event.substr(0, slash), system_slash_event.substr(slash + 1));
}

uint32_t tracepoint_format_count() { return td::kEventCount; }

}  // namespace bpfplay
