#include "core/host/syscall_table.hpp"

#include <algorithm>

#include "core/host/syscall_table_data.hpp"

namespace bpfplay {

std::optional<uint32_t> syscall_number(std::string_view name) {
    for (uint32_t i = 0; i < syscall_data::kSyscallCount; ++i)
        if (name == syscall_data::kSyscalls[i].name) return syscall_data::kSyscalls[i].nr;
    return std::nullopt;
}

std::string_view syscall_name(uint32_t nr) {
    const syscall_data::SyscallRow* first = syscall_data::kSyscalls;
    const syscall_data::SyscallRow* last = first + syscall_data::kSyscallCount;
    const auto* row = std::lower_bound(first, last, nr, [](const syscall_data::SyscallRow& r, uint32_t n) { return r.nr < n; });
    return row != last && row->nr == nr ? std::string_view(row->name) : std::string_view();
}

uint32_t syscall_count() { return syscall_data::kSyscallCount; }

}  // namespace bpfplay
