#include "core/host/kernel_objects.hpp"

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

}  // namespace

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
}

}  // namespace bpfplay
