#pragma once
// A case's host cgroups made real for a run in the running kernel (kernel_runner.cpp), as
// tests/kernel/kernel_run.c --host does: each cgroup of the host JSON's "cgroups" is made
// (mkdir) under the cgroup v2 mount if missing, and the process moves into "task.cgroup" while
// the case runs, because BPF_PROG_TEST_RUN gives the packet a socket created in the calling
// process's cgroup. A CGROUP_ARRAY value in the case's map_init names a cgroup by its host id;
// open_cgroup gives the fd the kernel wants instead. The destructor moves the process back and
// removes the cgroups it made.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json/json.hpp"

namespace bpfplay::examples {

class KernelCgroups {
public:
    KernelCgroups() = default;
    ~KernelCgroups();
    KernelCgroups(const KernelCgroups&) = delete;
    KernelCgroups& operator=(const KernelCgroups&) = delete;

    enum class Setup { Done, Unavailable, Failed };
    // `host` is the case's "host" (null: nothing to do). Unavailable: this machine has no
    // cgroup v2 mount; Failed: the case asks for something else (message says what).
    Setup setup(const JsonValue& host, std::string& message);
    // An O_RDONLY fd of cgroup `id`'s directory (the caller closes it), or -errno (-ENOENT for an
    // id the host does not list).
    int open_cgroup(uint64_t id) const;

private:
    struct Cgroup {
        uint64_t id = 0;
        std::string path;  // "/" or "/a/b"
        bool made = false;
    };
    std::string dir_of(const std::string& path) const;
    std::optional<std::string> move_to(const std::string& path) const;

    std::string root_;  // the cgroup v2 mount
    std::vector<Cgroup> cgroups_;
    std::optional<std::string> home_;  // the process's cgroup before it moved
};

}  // namespace bpfplay::examples
