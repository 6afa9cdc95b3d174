#include "core/run/bpf_process.hpp"

#include "core/maps/map_abi.hpp"

namespace bpfplay {

namespace {
constexpr int64_t kEMFILE = 24;
}

const char* bpf_object_kind_name(BpfObjectKind kind) {
    switch (kind) {
    case BpfObjectKind::File: return "file";
    case BpfObjectKind::Map: return "map";
    case BpfObjectKind::Program: return "program";
    case BpfObjectKind::Btf: return "BTF";
    }
    return "object";
}

BpfFdTable::BpfFdTable() {
    for (uint32_t i = 0; i < 3; ++i)
        fds_.emplace(i, BpfFd{BpfObjectKind::File, i, i == 0, i != 0});
}

int64_t BpfFdTable::open(const BpfFd& fd) {
    int64_t n = 0;
    for (const auto& [used, _] : fds_) {
        if (used != n) break; // the map is ordered: the first gap is the lowest free fd
        ++n;
    }
    if (n >= kMaxFds) return -kEMFILE;
    fds_.emplace(n, fd);
    return n;
}

int64_t BpfFdTable::close(int64_t fd) {
    return fds_.erase(fd) ? 0 : -kerrno::kEBADF;
}

const BpfFd* BpfFdTable::get(int64_t fd) const {
    auto it = fds_.find(fd);
    return it == fds_.end() ? nullptr : &it->second;
}

bool BpfFdTable::holds_map(uint32_t id) const {
    for (const auto& [_, f] : fds_)
        if (f.kind == BpfObjectKind::Map && f.index == id) return true;
    return false;
}

} // namespace bpfplay
