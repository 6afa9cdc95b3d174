#pragma once
// The maps of one loaded object. A MapSet owns its maps, numbers them (id = index, from 0),
// gives each map whose values programs address its own 4 GiB window of the virtual address
// space, and hands out the deterministic *handle* address a program holds for a map: the
// value `lddw rX, map` loads and the helpers receive as their `map` argument.
//
// Handles live in window 3, which is never mapped, so a program that dereferences a map handle
// (instead of looking a value up) faults with a clear error.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/decode.hpp"
#include "core/error.hpp"
#include "core/maps/map.hpp"
#include "core/memory.hpp"

namespace bpfplay {

constexpr uint32_t kMapHandleWindow = 3;
constexpr uint64_t kMapHandleBase = window_base(kMapHandleWindow);
constexpr uint64_t kMapHandleStride = 0x100;
constexpr uint64_t map_handle(uint32_t id) { return kMapHandleBase + uint64_t(id) * kMapHandleStride; }

// Where a virtual address points inside a map's values (for the debugger).
struct ValueLocation {
    Map* map = nullptr;
    uint32_t map_id = 0;
    uint32_t slot = 0;
    uint32_t cpu = 0;     // 0 for maps that are not per-CPU
    uint32_t offset = 0;  // byte offset inside that value; >= value_size means the 8-byte padding
    std::optional<std::vector<uint8_t>> key;  // nullopt: the slot holds no entry (deleted or spare)
};

// What a socket map (sock_map.hpp) needs to know of one of the host's sockets.
struct SocketInfo {
    uint32_t index = 0;    // in Host::net.sockets
    uint64_t address = 0;  // its struct bpf_sock, what a program's lookup returns (0: none mapped)
    bool tcp = true;
    uint8_t state = 1;     // TCP state (1 ESTABLISHED, 10 LISTEN); UDP: 1 when connected, else 7
    bool reuseport = false;  // SO_REUSEPORT
    bool hashed = false;     // in the kernel's lookup tables: a listening TCP socket, a bound UDP one
};

class MapSet {
public:
    // Value windows are assigned from first_window up to (not including) end_window.
    explicit MapSet(uint32_t first_window = window::kFirstFree, uint32_t end_window = window::kMapsEnd);
    MapSet(const MapSet&) = delete;
    MapSet& operator=(const MapSet&) = delete;

    // Takes ownership and returns the map's id. Fails when no window is left for its values.
    Result<uint32_t> add(std::unique_ptr<Map> map);
    // create_map + add.
    Result<uint32_t> create(const MapSpec& spec);
    // Takes the newest map out again (reverse execution of a bpf_sys_bpf that created it): its
    // id and its value window are free for the next add. nullptr when the set is empty.
    std::unique_ptr<Map> remove_last();

    uint32_t size() const { return uint32_t(maps_.size()); }
    Map* get(uint32_t id) { return id < maps_.size() ? maps_[id].get() : nullptr; }
    const Map* get(uint32_t id) const { return id < maps_.size() ? maps_[id].get() : nullptr; }
    Map* find(std::string_view name);
    // The window a map's values are mapped at (nullopt for maps programs cannot address).
    std::optional<uint32_t> window_of(uint32_t id) const;

    // The map whose handle is exactly `addr`, else nullptr (a handle plus an offset is not a map).
    Map* from_handle(uint64_t addr);
    const Map* from_handle(uint64_t addr) const;
    // Which map, entry and CPU a pointer into map values points at.
    std::optional<ValueLocation> from_value_address(uint64_t vaddr);

    // Maps every map's value buffer into `memory` (RegionKind::MapValue, named after the map):
    // read/write, read-only for BPF_F_RDONLY_PROG maps, write-only for BPF_F_WRONLY_PROG ones.
    // Call again after adding maps.
    void map_into(Memory& memory);

    // What `lddw rX, map_value + offset` (BPF_PSEUDO_MAP_VALUE) loads: as the kernel's
    // array_map_direct_value_addr, only arrays with max_entries 1 (global data) allow it.
    Result<uint64_t> direct_value_address(uint32_t id, uint32_t offset) const;

    // An lddw resolver for decode(): pseudo sources 1 (map fd) and 5 (map index) take a map id
    // in imm and load its handle; 2 and 6 (map value) load direct_value_address(imm, next_imm).
    // The MapSet must outlive decoding.
    LddwResolver lddw_resolver() const;

    // prog_array updates store program indexes; with a validator set, an index it rejects is
    // -EBADF (the kernel's answer for an fd that is not a program). Without one, any index.
    void set_program_validator(std::function<bool(uint32_t)> exists) { program_exists_ = std::move(exists); }
    bool program_exists(uint32_t index) const { return !program_exists_ || program_exists_(index); }

    // cgroup_array updates store cgroup ids; with a validator set, an id it rejects is -EBADF.
    void set_cgroup_validator(std::function<bool(uint32_t)> exists) { cgroup_exists_ = std::move(exists); }
    bool cgroup_exists(uint32_t id) const { return !cgroup_exists_ || cgroup_exists_(id); }

    // sockmap and sockhash values are socket cookies; with a resolver set, a cookie it does not
    // know is -EBADF. Without one, every cookie is an established TCP socket with no address.
    void set_socket_resolver(std::function<std::optional<SocketInfo>(uint64_t)> resolve) {
        socket_resolver_ = std::move(resolve);
    }
    std::optional<SocketInfo> socket_info(uint64_t cookie) const {
        return socket_resolver_ ? socket_resolver_(cookie) : std::optional<SocketInfo>(SocketInfo{});
    }

private:
    static constexpr uint32_t kNoMap = UINT32_MAX;
    std::vector<std::unique_ptr<Map>> maps_;
    std::array<uint32_t, window::kCount> window_owner_;  // window -> map id
    uint32_t next_window_;
    uint32_t end_window_;
    std::function<bool(uint32_t)> program_exists_;
    std::function<bool(uint32_t)> cgroup_exists_;
    std::function<std::optional<SocketInfo>(uint64_t)> socket_resolver_;
};

}  // namespace bpfplay
