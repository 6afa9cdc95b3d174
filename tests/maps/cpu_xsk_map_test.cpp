// CPUMAP and XSKMAP from user space, as the reference kernel (6.18, CONFIG_NR_CPUS=256) answers:
// creation rules, the update flags and bounds, qsize limits, empty-slot deletes, and the
// xskmap's -EOPNOTSUPP lookups.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/cpu_map.hpp"
#include "core/maps/xsk_map.hpp"

namespace bpfplay {
namespace {

MapSpec spec(MapType type, uint32_t value_size, uint32_t max_entries, uint32_t flags = 0) {
    MapSpec s;
    s.type = type;
    s.name = type == MapType::Cpumap ? "cpus" : "xsks";
    s.key_size = 4;
    s.value_size = value_size;
    s.max_entries = max_entries;
    s.map_flags = flags;
    s.ncpus = 4;
    return s;
}

int64_t create_code(const MapSpec& s) {
    const auto problem = check_map_spec(s);
    return problem ? problem->code : 0;
}

std::vector<uint8_t> u32(uint32_t v) {
    std::vector<uint8_t> b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
}
std::vector<uint8_t> cpu_val(uint32_t qsize, uint32_t prog_fd = 0) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), &qsize, 4);
    std::memcpy(b.data() + 4, &prog_fd, 4);
    return b;
}

template <class M> std::unique_ptr<M> make(const MapSpec& s) {
    auto m = create_map(s);
    REQUIRE(m.ok());
    return std::unique_ptr<M>(static_cast<M*>(m.value().release()));
}

} // namespace

TEST_CASE("cpumap: created with key 4, value 4 or 8, NUMA flag only, at most NR_CPUS entries") {
    CHECK(create_code(spec(MapType::Cpumap, 4, 4)) == 0);
    CHECK(create_code(spec(MapType::Cpumap, 8, 4)) == 0);
    CHECK(create_code(spec(MapType::Cpumap, 12, 4)) == -22);
    CHECK(create_code(spec(MapType::Cpumap, 8, 0)) == -22);
    CHECK(create_code(spec(MapType::Cpumap, 8, 4, map_flag::kRdonly)) == -22);
    CHECK(create_code(spec(MapType::Cpumap, 8, 4, map_flag::kNumaNode)) == 0);
    CHECK(create_code(spec(MapType::Cpumap, 8, 256)) == 0);
    CHECK(create_code(spec(MapType::Cpumap, 8, 257)) == -7);
}

TEST_CASE("cpumap from user space: flags, bounds, qsize, possible CPUs, deletes") {
    auto m = make<CpuMap>(spec(MapType::Cpumap, 8, 64));
    std::vector<uint8_t> out(8);
    CHECK(m->lookup_user(u32(1), out) == -2);
    CHECK(m->update_user(u32(1), cpu_val(2048), map_update::kNoExist) == -17);  // every slot exists
    CHECK(m->update_user(u32(1), cpu_val(2048), 3) == -22);
    CHECK(m->update_user(u32(64), cpu_val(2048)) == -7);
    CHECK(m->update_user(u32(1), cpu_val(16385)) == -75);  // -EOVERFLOW
    CHECK(m->update_user(u32(60), cpu_val(2048)) == -19);  // -ENODEV: the host has 4 CPUs
    CHECK(m->update_user(u32(1), cpu_val(2048, 5)) == -22);  // a CPU program bpfplay cannot run
    CHECK(m->update_user(u32(1), cpu_val(2048), map_update::kExist) == 0);
    CHECK(m->lookup_user(u32(1), out) == 0);
    CHECK(out == cpu_val(2048));
    CHECK(m->qsize_of(1) == std::optional<uint32_t>(2048));
    CHECK(m->entries()[0].label == "CPU 1 (qsize 2048)");
    CHECK(m->delete_user(u32(2)) == 0);  // an empty slot
    CHECK(m->delete_user(u32(64)) == -22);
    std::vector<uint8_t> next(4);
    CHECK(m->get_next_key({}, next) == 0);
    CHECK(next == u32(0));
    CHECK(m->update_user(u32(1), cpu_val(0)) == 0);  // qsize 0 empties the slot
    CHECK(m->lookup_user(u32(1), out) == -2);
    CHECK(!m->qsize_of(1));
    CHECK(!m->qsize_of(99));
}

TEST_CASE("xskmap: created with key and value 4; user space stores sockets, cannot look them up") {
    CHECK(create_code(spec(MapType::Xskmap, 4, 4)) == 0);
    CHECK(create_code(spec(MapType::Xskmap, 8, 4)) == -22);
    CHECK(create_code(spec(MapType::Xskmap, 4, 0)) == -22);
    CHECK(create_code(spec(MapType::Xskmap, 4, 4, map_flag::kRdonly)) == 0);
    CHECK(create_code(spec(MapType::Xskmap, 4, 4, map_flag::kNoPrealloc)) == -22);
    auto m = make<XskMap>(spec(MapType::Xskmap, 4, 4));
    std::vector<uint8_t> out(4);
    CHECK(m->update_user(u32(0), u32(7), 3) == -22);
    CHECK(m->update_user(u32(9), u32(7)) == -7);
    CHECK(m->update_user(u32(0), u32(7), map_update::kExist) == -2);
    CHECK(m->update_user(u32(0), u32(7), map_update::kNoExist) == 0);
    CHECK(m->update_user(u32(0), u32(7), map_update::kNoExist) == 0);   // the same socket again
    CHECK(m->update_user(u32(0), u32(8), map_update::kNoExist) == -17);
    CHECK(m->lookup_user(u32(0), out) == -95);
    CHECK(m->socket_at(0) == std::optional<uint32_t>(7));
    CHECK(m->entries()[0].label == "AF_XDP socket fd 7");
    CHECK(m->lookup_elem(u32(0), 0) == m->value_address(0));  // a struct bpf_xdp_sock for programs
    CHECK(m->lookup_elem(u32(1), 0) == 0);
    CHECK(m->delete_user(u32(1)) == 0);
    CHECK(m->delete_user(u32(9)) == -22);
    CHECK(m->delete_user(u32(0)) == 0);
    CHECK(!m->socket_at(0));
    std::vector<uint8_t> state;
    m->save_state(state);
    REQUIRE(m->update_user(u32(2), u32(5)) == 0);
    m->restore_state(state);
    CHECK(!m->socket_at(2));
}

} // namespace bpfplay
