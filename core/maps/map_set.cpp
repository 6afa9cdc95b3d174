#include "core/maps/map_set.hpp"

#include <algorithm>
#include <utility>

#include "core/insn.hpp"

namespace bpfplay {

namespace {

Error map_error(const std::string& map_name, std::string what, std::string hint = {}) {
    Error err = make_error(ErrorKind::Map, std::move(what), std::nullopt, std::move(hint));
    err.where.map = map_name;
    return err;
}

}  // namespace

MapSet::MapSet(uint32_t first_window, uint32_t end_window)
    : next_window_(first_window), end_window_(end_window < window::kMapsEnd ? end_window : window::kMapsEnd) {
    window_owner_.fill(kNoMap);
}

Result<uint32_t> MapSet::add(std::unique_ptr<Map> map) {
    if (!map) return map_error("", "MapSet::add was given no map");
    if (map->id_ != Map::kNoId)
        return map_error(map->name(), map->describe() + " already belongs to a map set");
    // Handles must stay inside window 3.
    if (maps_.size() >= (window_base(1) / kMapHandleStride))
        return map_error(map->name(), "too many maps: a map set holds at most " +
                                          std::to_string(window_base(1) / kMapHandleStride));
    const uint32_t id = uint32_t(maps_.size());
    if (map->program_visible()) {
        if (next_window_ >= end_window_)
            return map_error(map->name(),
                             "no address window is left for the values of " + map->describe() + ": " +
                                 std::to_string(id) + " maps already use them all",
                             "Use fewer maps with values (arrays and hashes) in one object.");
        window_owner_[next_window_] = id;
        map->value_base_ = window_base(next_window_);
        ++next_window_;
    }
    map->id_ = id;
    map->set_ = this;
    maps_.push_back(std::move(map));
    return id;
}

Result<uint32_t> MapSet::create(const MapSpec& spec) {
    auto map = create_map(spec);
    if (!map) return map.error();
    return add(std::move(map.value()));
}

std::unique_ptr<Map> MapSet::remove_last() {
    if (maps_.empty()) return nullptr;
    std::unique_ptr<Map> map = std::move(maps_.back());
    maps_.pop_back();
    if (map->value_base_ != 0) {
        // Windows are handed out in order, so the newest map holds the newest window.
        const uint32_t w = uint32_t(map->value_base_ >> 32);
        window_owner_[w] = kNoMap;
        next_window_ = w;
        map->value_base_ = 0;
    }
    map->id_ = Map::kNoId;
    map->set_ = nullptr;
    return map;
}

Map* MapSet::find(std::string_view name) {
    for (auto& m : maps_)
        if (m->name() == name) return m.get();
    return nullptr;
}

std::optional<uint32_t> MapSet::window_of(uint32_t id) const {
    const Map* m = get(id);
    if (!m || m->value_base() == 0) return std::nullopt;
    return uint32_t(m->value_base() >> 32);
}

const Map* MapSet::from_handle(uint64_t addr) const {
    if (addr < kMapHandleBase) return nullptr;
    const uint64_t off = addr - kMapHandleBase;
    if (off % kMapHandleStride != 0) return nullptr;
    const uint64_t id = off / kMapHandleStride;
    return id < maps_.size() ? maps_[id].get() : nullptr;
}

Map* MapSet::from_handle(uint64_t addr) { return const_cast<Map*>(std::as_const(*this).from_handle(addr)); }

std::optional<ValueLocation> MapSet::from_value_address(uint64_t vaddr) {
    const uint64_t w = vaddr >> 32;
    if (w >= window::kCount || window_owner_[w] == kNoMap) return std::nullopt;
    Map* m = maps_[window_owner_[w]].get();
    const uint64_t off = vaddr & 0xffffffffull;
    const uint64_t allocated = m->grows() ? uint64_t(m->allocated_slots()) * m->slot_bytes() : m->value_region().size();
    if (off >= allocated || m->slot_bytes() == 0) return std::nullopt;
    ValueLocation loc;
    loc.map = m;
    loc.map_id = window_owner_[w];
    loc.slot = uint32_t(off / m->slot_bytes());
    const uint32_t within = uint32_t(off % m->slot_bytes());
    // A ring buffer has no values (value_size 0): its one slot is the whole data area.
    const uint32_t stride = m->value_stride() ? m->value_stride() : m->slot_bytes();
    loc.cpu = within / stride;
    loc.offset = within % stride;
    loc.key = m->key_of_slot(loc.slot);
    return loc;
}

void MapSet::map_into(Memory& memory) {
    for (uint32_t w = 0; w < window::kCount; ++w) {
        if (window_owner_[w] == kNoMap) continue;
        Map& m = *maps_[window_owner_[w]];
        uint8_t perm = kReadWrite;
        if (m.map_flags() & map_flag::kRdonlyProg) perm = kRead;
        if (m.map_flags() & map_flag::kWronlyProg) perm = kWrite;
        if (const ChunkedBytes* chunks = m.chunks()) {
            // A growing map: the window spans every slot it may use; Memory finds the chunks.
            const uint64_t extent = uint64_t(m.slot_count()) * m.slot_bytes();
            memory.map_chunked(w, RegionKind::MapValue, perm, chunks, uint32_t(std::min<uint64_t>(extent, UINT32_MAX)),
                               m.name());
            continue;
        }
        auto region = m.value_region();
        memory.map(w, RegionKind::MapValue, perm, region.data(), uint32_t(region.size()), m.name());
    }
}

Result<uint64_t> MapSet::direct_value_address(uint32_t id, uint32_t offset) const {
    const Map* m = get(id);
    if (!m) return map_error("", "there is no map with id " + std::to_string(id));
    if (m->type() != MapType::Array || m->max_entries() != 1)
        return map_error(m->name(),
                         "-ENOTSUPP: a direct pointer to a map value (lddw with BPF_PSEUDO_MAP_VALUE) needs an "
                         "array map with max_entries 1, but " + m->describe() + " has max_entries " +
                             std::to_string(m->max_entries()),
                         "Global variables live in such maps (.data, .rodata, .bss); use bpf_map_lookup_elem "
                         "for other maps.");
    if (offset >= m->value_size())
        return map_error(m->name(), "-EINVAL: offset " + std::to_string(offset) + " is past the " +
                                        std::to_string(m->value_size()) + "-byte value of " + m->describe());
    return m->value_address(0) + offset;
}

LddwResolver MapSet::lddw_resolver() const {
    return [this](uint32_t pc, uint8_t src, int32_t imm, int32_t next_imm) -> Result<uint64_t> {
        const uint32_t id = uint32_t(imm);
        if (!get(id)) {
            Error err = make_error(ErrorKind::Map,
                                   "lddw refers to map id " + std::to_string(id) + ", but only " +
                                       std::to_string(size()) + " maps are loaded",
                                   pc);
            return err;
        }
        // A source past the last one names no map, like a plain number.
        switch (src <= op::kLddwSourceMax ? op::LddwSource(src) : op::LddwSource::Imm) {
        case op::LddwSource::MapFd:
        case op::LddwSource::MapIdx: return map_handle(id);
        case op::LddwSource::MapValue:
        case op::LddwSource::MapIdxValue: {
            auto addr = direct_value_address(id, uint32_t(next_imm));
            if (!addr.ok()) {
                Error err = addr.error();
                err.where.pc = pc;
                return err;
            }
            return addr.value();
        }
        case op::LddwSource::Imm:
        case op::LddwSource::BtfId:
        case op::LddwSource::Func: break;
        }
        return make_error(ErrorKind::Map, "lddw pseudo source " + std::to_string(src) + " does not refer to a map", pc);
    };
}

}  // namespace bpfplay
