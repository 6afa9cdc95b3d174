#include "core/run/tracepoint_record.hpp"

#include <charconv>
#include <cstring>
#include <algorithm>
#include <initializer_list>
#include <optional>

#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/memory.hpp"
#include "core/run/tracepoint_formats.hpp"

namespace bpfplay {

namespace {

// The N of a "u8[16]" type; 0 if the brackets hold no number.
uint32_t array_length(std::string_view type) {
    const size_t open = type.rfind('[');
    uint32_t n = 0;
    if (open == std::string_view::npos) return 0;
    const char* first = type.data() + open + 1;
    const char* last = type.data() + type.size() - 1;
    const auto [end, ec] = std::from_chars(first, last, n);
    return ec == std::errc() && end == last ? n : 0;
}

RecordField record_field_kind(const TracepointField& f) {
    if (f.type.starts_with("__data_loc")) return RecordField::DataLoc;
    if (f.type.ends_with("]")) return f.type.starts_with("char[") ? RecordField::Chars : RecordField::Array;
    // A field wider than a u64 that is no array (none in 6.18): its bytes, as an array would be.
    return f.size <= 8 ? RecordField::Number : RecordField::Array;
}

BtfArgSlot record_slot(const TracepointField& f) {
    BtfArgSlot s;
    s.name = std::string(f.name);
    s.type = std::string(f.type);
    s.offset = f.offset;
    s.record = record_field_kind(f);
    s.width = f.size;
    s.record_signed = f.is_signed;
    s.elements = s.record == RecordField::Array ? array_length(f.type) : 0;
    if (s.record == RecordField::Array && (s.elements == 0 || f.size % s.elements != 0)) s.elements = f.size;
    return s;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
        if (name == n) return true;
    return false;
}

// Which argument of its call a syscalls:sys_enter_<call> field is: the fields after
// __syscall_nr are the call's arguments in order, one u64 each (SYSCALL_DEFINEn's).
std::optional<size_t> syscall_arg_index(const BtfArgSlot& s, const BtfArgsLayout& layout) {
    size_t index = 0;
    bool after_nr = false;
    for (const BtfArgSlot& f : layout.slots) {
        if (&f == &s) return after_nr ? std::optional<size_t>(index) : std::nullopt;
        if (after_nr) ++index;
        after_nr |= f.name == "__syscall_nr";
    }
    return std::nullopt;
}

// A Number field's default.
uint64_t number_default(const BtfArgSlot& s, const BtfArgsLayout& layout, const Host& host) {
    const TracepointRecordInfo& tp = *layout.tracepoint;
    const bool syscalls = tp.system == "syscalls", raw_syscalls = tp.system == "raw_syscalls";
    if (s.name == "common_type") return tp.id;
    if (is_one_of(s.name, {"common_pid", "pid", "prev_pid", "next_pid", "old_pid", "child_pid"})) return host.task.pid;
    if (s.name == "tgid") return host.task.tgid;
    if (syscalls && s.name == "__syscall_nr") return uint64_t(int64_t(tp.syscall_nr));
    if (raw_syscalls && s.name == "id") return host.syscall.nr;
    // The arguments of the call the current task is in (Host::syscall), on its own sys_enter.
    const bool in_call = syscalls && tp.event.starts_with("sys_enter_") && tp.syscall_nr >= 0 &&
                         uint64_t(tp.syscall_nr) == host.syscall.nr;
    if (in_call)
        if (const auto i = syscall_arg_index(s, layout); i && *i < host.syscall.args.size()) return host.syscall.args[*i];
    return 0;
}

// The data a __data_loc field's default points at: sched_process_exec's filename is the
// executable, a comm the task's (sched_process_fork's, _wait's); other strings are "" (one
// NUL), other arrays empty.
std::string data_loc_default(const BtfArgSlot& s, const Host& host) {
    const bool string = s.type == "__data_loc char[]";
    if (!string) return {};
    if (s.name == "filename") return host.exe + '\0';
    if (is_one_of(s.name, {"comm", "parent_comm", "child_comm"})) return std::string(host.task.comm_view()) + '\0';
    return std::string(1, '\0');
}

}  // namespace

Result<BtfArgsLayout> tracepoint_record_layout(std::string_view target) {
    const auto format = find_tracepoint_format(target);
    if (!format)
        return make_error(ErrorKind::Load,
                          "no tracepoint \"" + std::string(target) + "\" in the emulated Linux 6.18 kernel (" +
                              std::to_string(tracepoint_format_count()) + " events), so the program has no record",
                          std::nullopt,
                          "name an event as /sys/kernel/tracing/events/<system>/<event> does, e.g. "
                          "SEC(\"tracepoint/sched/sched_switch\") or SEC(\"tp/syscalls/sys_enter_openat\").");
    BtfArgsLayout layout;
    layout.attach = std::string(format->system) + "/" + std::string(format->event);
    layout.btf_name = "trace_event_raw_" + std::string(format->event);
    layout.fixed_size = format->fixed_size();
    layout.tracepoint = TracepointRecordInfo{std::string(format->system), std::string(format->event), format->id,
                                             format->syscall_nr};
    for (const TracepointField& f : format->fields) layout.slots.push_back(record_slot(f));
    return layout;
}

std::vector<uint8_t> tracepoint_record_defaults(const BtfArgsLayout& layout, const Host& host) {
    std::vector<uint8_t> bytes(layout.size(), 0);
    if (!layout.tracepoint) return bytes;
    const TracepointRecordInfo& tp = *layout.tracepoint;
    const bool raw_sys_enter = tp.system == "raw_syscalls" && tp.event == "sys_enter";
    for (const BtfArgSlot& s : layout.slots) {
        switch (s.record) {
        case RecordField::None:
        case RecordField::Array:
            // raw_syscalls:sys_enter's args[]: the arguments of the call the task is in.
            if (raw_sys_enter && s.name == "args" && s.elements > 0 && s.width / s.elements == 8)
                for (size_t i = 0; i < std::min<size_t>(s.elements, host.syscall.args.size()); ++i)
                    store_le<uint64_t>(&bytes[s.offset + 8 * i], host.syscall.args[i]);
            break;
        case RecordField::Number: {
            const uint64_t v = number_default(s, layout, host);
            for (uint32_t i = 0; i < s.width; ++i) bytes[s.offset + i] = uint8_t(v >> (8 * i));
            break;
        }
        case RecordField::Chars:
            if (is_one_of(s.name, {"comm", "prev_comm", "next_comm"}))
                std::memcpy(&bytes[s.offset], host.task.comm.data(), std::min<size_t>(s.width, host.task.comm.size()));
            break;
        case RecordField::DataLoc: {
            const std::string data = data_loc_default(s, host);
            // The kernel's __data_loc: the data's offset in the low 16 bits, its length above.
            const uint32_t loc = uint32_t(bytes.size()) | uint32_t(data.size()) << 16;
            store_le<uint32_t>(&bytes[s.offset], loc);
            bytes.insert(bytes.end(), data.begin(), data.end());
            break;
        }
        }
    }
    return bytes;
}

}  // namespace bpfplay
