#pragma once
// The generated table of every tracepoint's record layout (core/run/tracepoint_formats_data.cpp,
// written by tools/tracepoint_formats/gen.py from tracefs' events/*/*/format of Linux 6.18).
// Read it through core/run/tracepoint_formats.hpp.
#include <cstdint>

namespace bpfplay::tracepoint_data {

// One field after the common header: name and C type as offsets into kStrings.
struct Field {
    uint16_t name, type, offset, size;
    uint8_t is_signed;
};

// One event, sorted by system then name. Its fields are kFields[first_field, +field_count).
struct Event {
    uint32_t system, name;
    uint16_t id, first_field, field_count;
    int16_t syscall_nr;  // a syscalls/sys_{enter,exit}_<call> event's __syscall_nr; -1 otherwise
};

extern const char kStrings[];
extern const uint32_t kStringsSize;
extern const Field kFields[];
extern const uint32_t kFieldCount;
extern const Event kEvents[];
extern const uint32_t kEventCount;

}  // namespace bpfplay::tracepoint_data
