#pragma once
// The sysctl a cgroup/sysctl program sees: the file a task reads or writes under /proc/sys,
// what it holds now (as reading the file shows it, trailing newline included) and, for a write,
// what the writer passes. Host JSON member "sysctl".
#include <cstdint>
#include <string>

namespace bpfplay {

struct HostSysctl {
    std::string name = "net/ipv4/tcp_mem";          // the path below /proc/sys
    std::string value = "188319\t251092\t376638\n";  // what the table's proc_handler prints
    bool write = false;                              // a write(2) (true) or a read(2) (false)
    std::string new_value;                           // what a write passes (empty: nothing)
    uint32_t file_pos = 0;                           // the file position of the access (*ppos)
    // bpf_sysctl_kern.new_val is one page: a write of more is cut to 4096 bytes.
    static constexpr size_t kMaxValue = 4096;
    friend bool operator==(const HostSysctl&, const HostSysctl&) = default;
};

}  // namespace bpfplay
