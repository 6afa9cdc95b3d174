#include "core/host/kernel_objects.hpp"
#include "core/host/kernel_percpu.hpp"

#include <cstring>
#include <string_view>

#include "core/host/host.hpp"

namespace bpfplay {

namespace {

namespace ts = kernel_layout::task_struct;

constexpr uint32_t kPfRandomize = 0x00400000;  // PF_RANDOMIZE: a user process with ASLR on
constexpr uint32_t kPfKthread = 0x00200000;    // PF_KTHREAD
constexpr int32_t kNormalPrio = 120;           // nice 0

struct TaskInit {
    uint32_t pid, tgid, flags;
    std::array<char, kTaskCommLen> comm;
};

void write_task(uint8_t* t, const TaskInit& init, uint64_t parent_addr) {
    store_le<uint32_t>(t + ts::kState, 0);  // TASK_RUNNING
    store_le<uint32_t>(t + ts::kFlags, init.flags);
    store_le<int32_t>(t + ts::kPrio, kNormalPrio);
    store_le<uint32_t>(t + ts::kPid, init.pid);
    store_le<uint32_t>(t + ts::kTgid, init.tgid);
    store_le<uint32_t>(t + ts::kBitfields, 0);  // not in execve, not waiting for I/O
    store_le<uint64_t>(t + ts::kRealParent, parent_addr);
    store_le<uint64_t>(t + ts::kParent, parent_addr);
    std::memcpy(t + ts::kComm, init.comm.data(), ts::kCommLen);
}

// What bpf_sock_convert_ctx_access reads from the socket. An IPv4 socket's IPv6 fields and
// an IPv6 socket's IPv4 fields are zero; rx_queue_mapping is -1 (no queue recorded).
void write_bpf_sock(uint8_t* out, const HostSocket& s) {
    const bool v4 = s.family == kAfInet;
    store_le<uint32_t>(out + bpf_sock::kBoundDevIf, s.bound_dev_if);
    store_le<uint32_t>(out + bpf_sock::kFamily, s.family);
    store_le<uint32_t>(out + bpf_sock::kType, s.protocol == kIpprotoTcp ? 1 : 2); // SOCK_STREAM : SOCK_DGRAM
    store_le<uint32_t>(out + bpf_sock::kProtocol, s.protocol);
    store_le<uint32_t>(out + bpf_sock::kMark, s.mark);
    store_le<uint32_t>(out + bpf_sock::kPriority, s.priority);
    std::memcpy(out + (v4 ? bpf_sock::kSrcIp4 : bpf_sock::kSrcIp6), s.local_addr.data(), v4 ? 4 : 16);
    store_le<uint32_t>(out + bpf_sock::kSrcPort, s.local_port); // host byte order
    out[bpf_sock::kDstPort] = uint8_t(s.remote_port >> 8);      // network byte order
    out[bpf_sock::kDstPort + 1] = uint8_t(s.remote_port);
    std::memcpy(out + (v4 ? bpf_sock::kDstIp4 : bpf_sock::kDstIp6), s.remote_addr.data(), v4 ? 4 : 16);
    const TcpState state = s.protocol == kIpprotoTcp ? s.state : TcpState::Close;
    store_le<uint32_t>(out + bpf_sock::kState, static_cast<uint32_t>(state));
    store_le<int32_t>(out + bpf_sock::kRxQueueMapping, -1);
}

}  // namespace

std::optional<uint32_t> socket_index(uint64_t addr, uint32_t count) {
    const uint64_t base = socket_address(0);
    if (addr < base || (addr - base) % bpf_sock::kSize != 0) return std::nullopt;
    const uint64_t i = (addr - base) / bpf_sock::kSize;
    return i < count ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

std::optional<uint64_t> kernel_symbol_address(std::string_view name) {
    if (name == "init_task") return current_task_address() + 2 * ts::kSize;
    return std::nullopt;
}

void map_kernel_objects(Memory& memory, const Host& host, KernelObjects& storage) {
    static_assert(kTaskCommLen == ts::kCommLen);
    const uint64_t base = current_task_address();
    const TaskInit tasks[KernelObjects::kTaskCount] = {
        {host.task.pid, host.task.tgid, kPfRandomize, host.task.comm},
        {1, 1, kPfRandomize, Task::comm_from("systemd")},
        {0, 0, kPfKthread, Task::comm_from("swapper/0")},
    };
    storage.bytes.fill(0);
    for (uint32_t i = 0; i < KernelObjects::kTaskCount; ++i) {
        const uint32_t parent = i + 1 < KernelObjects::kTaskCount ? i + 1 : i;
        write_task(storage.bytes.data() + i * ts::kSize, tasks[i], base + parent * ts::kSize);
    }
    memory.map(window::kKernel, RegionKind::ReadOnly, kRead, storage.bytes.data(), uint32_t(storage.bytes.size()),
               "kernel objects (task_struct)");
    // cpu_number: each CPU's block holds its own number.
    storage.percpu.assign(size_t(host.ncpus) * kPercpuUnit, 0);
    const PercpuVar& cpu_number = *find_percpu_var("cpu_number");
    for (uint32_t c = 0; c < host.ncpus; ++c)
        store_le<int32_t>(storage.percpu.data() + size_t(c) * kPercpuUnit + cpu_number.offset, int32_t(c));
    if (storage.percpu.empty())
        memory.unmap(window::kPercpu);
    else
        memory.map(window::kPercpu, RegionKind::ReadOnly, kRead, storage.percpu.data(), uint32_t(storage.percpu.size()),
                   "per-CPU kernel variables");
    storage.sockets.assign(host.net.sockets.size() * bpf_sock::kSize, 0);
    for (size_t i = 0; i < host.net.sockets.size(); ++i)
        write_bpf_sock(storage.sockets.data() + i * bpf_sock::kSize, host.net.sockets[i]);
    if (storage.sockets.empty()) {
        memory.unmap(window::kSockets);
    } else {
        memory.map(window::kSockets, RegionKind::ReadOnly, kRead, storage.sockets.data(),
                   uint32_t(storage.sockets.size()), "sockets (struct bpf_sock)");
    }
}

}  // namespace bpfplay
