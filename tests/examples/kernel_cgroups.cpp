// KernelCgroups: mkdir, cgroup.procs and /proc/self/{mounts,cgroup}; no libbpf needed.
#include "kernel_cgroups.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bpfplay::examples {

namespace {

std::optional<std::string> cgroup2_mount() {
    std::ifstream in("/proc/self/mounts");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string dev, dir, type;
        if (fields >> dev >> dir >> type && type == "cgroup2") return dir;
    }
    return std::nullopt;
}

// "0::/path" of /proc/self/cgroup: the process's cgroup v2.
std::optional<std::string> own_cgroup() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) return line.substr(3);
    return std::nullopt;
}

}  // namespace

std::string KernelCgroups::dir_of(const std::string& path) const { return root_ + (path == "/" ? "" : path); }

std::optional<std::string> KernelCgroups::move_to(const std::string& path) const {
    const std::string procs = dir_of(path) + "/cgroup.procs";
    const int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return "open " + procs + ": " + std::strerror(errno);
    const bool ok = write(fd, "0", 1) == 1;  // 0: the writing process
    const int err = errno;
    close(fd);
    if (!ok) return "moving into " + path + ": " + std::strerror(err);
    return std::nullopt;
}

KernelCgroups::Setup KernelCgroups::setup(const JsonValue& host, std::string& message) {
    if (host.is_null()) return Setup::Done;
    for (const std::string& key : host.keys()) {
        if (key != "cgroups" && key != "task") {
            message = "host: \"" + key + "\": the kernel side makes only \"cgroups\" and \"task.cgroup\" real";
            return Setup::Failed;
        }
    }
    const JsonValue& task = host.get("task");
    if (!task.is_null() && (!task.is_object() || task.size() != 1 || !task.get("cgroup").as_uint64())) {
        message = "host: \"task\" may only give \"cgroup\" (an id)";
        return Setup::Failed;
    }
    const JsonValue& list = host.get("cgroups");
    if (!list.is_array()) {
        if (task.is_null()) return Setup::Done;
        message = "host: \"task.cgroup\" needs the \"cgroups\" list";
        return Setup::Failed;
    }
    auto root = cgroup2_mount();
    if (!root) {
        message = "no cgroup2 file system is mounted here, so the case's cgroups cannot be made";
        return Setup::Unavailable;
    }
    root_ = *root;
    for (const JsonValue& c : list.items()) {
        Cgroup g;
        g.id = c.get("id").as_uint64().value_or(0);
        g.path = c.get("path").as_string();
        if (g.id == 0 || g.path.empty() || g.path[0] != '/' || g.path.find("..") != std::string::npos) {
            message = "host: a cgroup needs an \"id\" and an absolute \"path\": " + c.dump();
            return Setup::Failed;
        }
        if (g.path != "/") {
            if (mkdir(dir_of(g.path).c_str(), 0755) == 0) {
                g.made = true;
            } else if (errno != EEXIST) {
                // A container or a read-only cgroup mount: this machine cannot make the case's
                // cgroups, which says nothing about the kernel's answers.
                message = "mkdir " + dir_of(g.path) + ": " + std::strerror(errno);
                cgroups_.push_back(std::move(g));
                return Setup::Unavailable;
            }
        }
        cgroups_.push_back(std::move(g));
    }
    if (task.is_null()) return Setup::Done;
    const uint64_t id = *task.get("cgroup").as_uint64();
    const Cgroup* target = nullptr;
    for (const Cgroup& g : cgroups_)
        if (g.id == id) target = &g;
    if (!target) {
        message = "host: task.cgroup " + std::to_string(id) + " is not in \"cgroups\"";
        return Setup::Failed;
    }
    auto home = own_cgroup();
    if (!home) {
        message = "this process's cgroup v2 is not in /proc/self/cgroup";
        return Setup::Unavailable;
    }
    if (auto err = move_to(target->path)) {
        message = *err;  // e.g. a delegated subtree this process may not leave: not the kernel's answer
        return Setup::Unavailable;
    }
    home_ = *home;
    return Setup::Done;
}

int KernelCgroups::open_cgroup(uint64_t id) const {
    for (const Cgroup& g : cgroups_) {
        if (g.id != id) continue;
        const int fd = open(dir_of(g.path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
    return -ENOENT;
}

KernelCgroups::~KernelCgroups() {
    if (home_) (void)move_to(*home_);
    for (auto it = cgroups_.rbegin(); it != cgroups_.rend(); ++it)
        if (it->made) rmdir(dir_of(it->path).c_str());  // children first; a busy one stays
}

}  // namespace bpfplay::examples
