// bpf_task_storage_get/delete, bpf_sk_storage_get/delete, bpf_cgrp_storage_get/delete and
// bpf_inode_storage_get/delete over LocalStorageMap: the flag, NULL-owner and missing-value
// answers of kernel/bpf/bpf_task_storage.c, net/core/bpf_sk_storage.c, bpf_cgrp_storage.c and
// bpf_inode_storage.c (Linux 6.18), the value kept across runs, and reverse execution.
#include <doctest/doctest.h>

#include <cstring>
#include <tuple>

#include "core/host/kernel_objects.hpp"
#include "core/maps/local_storage_map.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

MapSpec storage_spec(MapType type, std::string name = "ls") {
    MapSpec s;
    s.type = type;
    s.name = std::move(name);
    s.key_size = 4;
    s.value_size = 8;
    s.map_flags = map_flag::kNoPrealloc;
    s.btf_key_type_id = 1;
    s.btf_value_type_id = 2;
    return s;
}

std::vector<uint8_t> u32(uint32_t v) {
    std::vector<uint8_t> b(4);
    std::memcpy(b.data(), &v, 4);
    return b;
}

RunResult run_once(ObjectSession& s) {
    RunInput in;
    in.packet.assign(64, 0);
    return s.run("asm", in);
}

int64_t r0_of(ObjectSession& s) {
    const RunResult r = run_once(s);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return int64_t(r.r0);
}

uint64_t user_value(ObjectSession& s, uint32_t owner) {
    std::vector<uint8_t> v(8);
    REQUIRE(s.object().maps->find("ls")->lookup_user(u32(owner), v) == 0);
    uint64_t out = 0;
    std::memcpy(&out, v.data(), 8);
    return out;
}

// r0 = ++*bpf_task_storage_get(&ls, <task>, NULL, flags), or 0xff when NULL.
std::string count_in_task(const std::string& task, uint64_t flags) {
    return task + "r2 = r0\nr1 = {ls} ll\nr3 = 0\nr4 = " + std::to_string(flags) +
           " ll\ncall 156\n"
           "if r0 == 0 goto none\nr1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\nr0 = r1\nexit\n"
           "none:\nr0 = 0xff\nexit\n";
}

const char* kCurrent = "call 158\n";  // bpf_get_current_task_btf

} // namespace

TEST_CASE("bpf_task_storage_get: F_CREATE makes the current task's value, which later runs find") {
    auto s = open_asm(count_in_task(kCurrent, 1), {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    CHECK(r0_of(*s) == 1);
    CHECK(r0_of(*s) == 2);
    CHECK(user_value(*s, 4242) == 2);
    CHECK(s->object().maps->find("ls")->entries()[0].label == "task pid 4242");
    // Without F_CREATE a missing value is NULL; flags beyond F_CREATE are NULL even for a value.
    auto plain = open_asm(count_in_task(kCurrent, 0), {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    CHECK(r0_of(*plain) == 0xff);
    CHECK(plain->object().maps->find("ls")->count() == 0);
    REQUIRE(plain->object().maps->find("ls")->update_user(u32(4242), std::vector<uint8_t>(8, 0)) == 0);
    CHECK(r0_of(*plain) == 1);
    auto bad_flags = open_asm(count_in_task(kCurrent, 3), {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    REQUIRE(bad_flags->object().maps->find("ls")->update_user(u32(4242), std::vector<uint8_t>(8, 0)) == 0);
    CHECK(r0_of(*bad_flags) == 0xff);
    // The parent task (pid 1, real_parent at offset 1280 in 6.18) has a value of its own.
    auto parent = open_asm(count_in_task("call 158\nr0 = *(u64 *)(r0 + 1280)\n", 1),
                           {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    CHECK(r0_of(*parent) == 1);
    CHECK(user_value(*parent, 1) == 1);
    // A NULL task: NULL.
    auto null = open_asm(count_in_task("r0 = 0\n", 1), {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    CHECK(r0_of(*null) == 0xff);
}

TEST_CASE("bpf_task_storage_get copies r3's value into a new value; the map's room runs out as NULL") {
    const std::string text = "*(u64 *)(r10 - 8) = 41\ncall 158\nr2 = r0\nr1 = {ls} ll\nr3 = r10\nr3 += -8\n"
                             "r4 = 1\ncall 156\nif r0 == 0 goto none\nr0 = *(u64 *)(r0 + 0)\nexit\n"
                             "none:\nr0 = 0xff\nexit\n";
    auto s = open_asm(text, {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    CHECK(r0_of(*s) == 41);
    Map& m = *s->object().maps->find("ls");
    REQUIRE(m.delete_user(u32(4242)) == 0);
    for (uint32_t i = 0; i < LocalStorageMap::kOwnerSlots; ++i) REQUIRE(m.update_user(u32(i + 1), std::vector<uint8_t>(8, 0)) == 0);
    CHECK(r0_of(*s) == 0xff);
}

TEST_CASE("bpf_task_storage_delete: 0, then -ENOENT; -EINVAL for a NULL task") {
    const std::string del = "call 158\nr2 = r0\nr1 = {ls} ll\ncall 157\nexit\n";
    auto s = open_asm(del, {storage_spec(MapType::TaskStorage)}, "kprobe/do_sys_openat2");
    REQUIRE(s->object().maps->find("ls")->update_user(u32(4242), std::vector<uint8_t>(8, 1)) == 0);
    CHECK(r0_of(*s) == 0);
    CHECK(s->object().maps->find("ls")->count() == 0);
    CHECK(r0_of(*s) == -2);
    auto null = open_asm("r2 = 0\nr1 = {ls} ll\ncall 157\nexit\n", {storage_spec(MapType::TaskStorage)},
                         "kprobe/do_sys_openat2");
    CHECK(r0_of(*null) == -22);
}

TEST_CASE("the task storage helpers refuse another map type and a pointer that is no task") {
    auto wrong = open_asm(count_in_task(kCurrent, 1), {storage_spec(MapType::SkStorage)}, "kprobe/do_sys_openat2");
    RunResult r = run_once(*wrong);
    REQUIRE(r.error);
    CHECK(r.error->what.find("bpf_task_storage_get: r1 does not hold a task_storage map") == 0);
    auto stranger = open_asm(count_in_task("r0 = 0x1234\n", 1), {storage_spec(MapType::TaskStorage)},
                             "kprobe/do_sys_openat2");
    r = run_once(*stranger);
    REQUIRE(r.error);
    CHECK(r.error->what == "bpf_task_storage_get: r2 = 0x1234 is not a task_struct of the emulated kernel");
}

TEST_CASE("bpf_sk_storage_get/delete on a socket from bpf_sk_lookup_tcp, in tc") {
    // The established socket 10.0.0.1:40000 -> 10.0.0.2:8080 (host socket 1).
    const std::string lookup = "*(u32 *)(r10 - 16) = 0x0100000a\n*(u32 *)(r10 - 12) = 0x0200000a\n"
                               "*(u16 *)(r10 - 8) = 0x409c\n*(u16 *)(r10 - 6) = 0x901f\n"
                               "r2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall 84\n"
                               "if r0 == 0 goto out\nr6 = r0\n";
    const std::string get = lookup +
                            "r1 = {ls} ll\nr2 = r6\nr3 = 0\nr4 = 1\ncall 107\nr7 = 0xff\nif r0 == 0 goto rel\n"
                            "r7 = *(u64 *)(r0 + 0)\nr7 += 5\n*(u64 *)(r0 + 0) = r7\n"
                            "rel:\nr1 = r6\ncall 86\nr0 = r7\nout:\nexit\n";
    auto s = open_asm(get, {storage_spec(MapType::SkStorage)}, "tc");
    CHECK(r0_of(*s) == 5);
    CHECK(r0_of(*s) == 10);
    Map& m = *s->object().maps->find("ls");
    const uint64_t cookie = s->host().net.sockets[1].cookie;
    CHECK(m.entries()[0].label == "socket cookie " + std::to_string(cookie));
    CHECK(user_value(*s, uint32_t(cookie)) == 10);
    const std::string del = lookup + "r1 = {ls} ll\nr2 = r6\ncall 108\nr7 = r0\nr1 = r6\ncall 86\nr0 = r7\nout:\nexit\n";
    auto d = open_asm(del, {storage_spec(MapType::SkStorage)}, "tc");
    REQUIRE(d->object().maps->find("ls")->update_user(u32(uint32_t(cookie)), std::vector<uint8_t>(8, 0)) == 0);
    CHECK(r0_of(*d) == 0);
    CHECK(r0_of(*d) == -2);
    // A time-wait socket is not a full socket: NULL from get, -EINVAL from delete.
    // bpf_sk_lookup_tcp finds no time-wait socket; bpf_skc_lookup_tcp does.
    std::string skc_get = get;
    skc_get.replace(skc_get.find("call 84"), 7, "call 99");
    auto tw = open_asm(skc_get, {storage_spec(MapType::SkStorage)}, "tc");
    tw->host().net.sockets[1].state = TcpState::TimeWait;
    CHECK(r0_of(*tw) == 0xff);
    CHECK(tw->object().maps->find("ls")->count() == 0);
    std::string skc_del = del;
    skc_del.replace(skc_del.find("call 84"), 7, "call 99");
    auto tw_del = open_asm(skc_del, {storage_spec(MapType::SkStorage)}, "tc");
    tw_del->host().net.sockets[1].state = TcpState::TimeWait;
    CHECK(r0_of(*tw_del) == -22);
    // A NULL socket never gets that far: the verifier wants a socket there.
    auto null = open_asm("r1 = {ls} ll\nr2 = 0\nr3 = 0\nr4 = 1\ncall 107\nexit\n", {storage_spec(MapType::SkStorage)}, "tc");
    const RunResult r = run_once(*null);
    REQUIRE(r.error);
    CHECK(r.error->what ==
          "bpf_sk_storage_get: r2 is NULL: the kernel's verifier refuses the call (\"R2 type=scalar expected=sock_common\")");
}

TEST_CASE("bpf_cgrp_storage and bpf_inode_storage: NULL owners as the kernel answers them, others refused") {
    for (const auto& ids : {std::tuple{210, 211, MapType::CgrpStorage}, std::tuple{145, 146, MapType::InodeStorage}}) {
        const int get = std::get<0>(ids), del = std::get<1>(ids);
        const MapType type = std::get<2>(ids);
        CAPTURE(get);
        auto g = open_asm("r1 = {ls} ll\nr2 = 0\nr3 = 0\nr4 = 1\ncall " + std::to_string(get) + "\nexit\n",
                          {storage_spec(type)}, type == MapType::CgrpStorage ? "kprobe/do_sys_openat2" : "lsm/file_open");
        CHECK(r0_of(*g) == 0);
        auto d = open_asm("r1 = {ls} ll\nr2 = 0\ncall " + std::to_string(del) + "\nexit\n", {storage_spec(type)},
                          type == MapType::CgrpStorage ? "kprobe/do_sys_openat2" : "lsm/file_open");
        CHECK(r0_of(*d) == -22);
        auto p = open_asm("r1 = {ls} ll\nr2 = 0x1000\nr3 = 0\nr4 = 1\ncall " + std::to_string(get) + "\nexit\n",
                          {storage_spec(type)}, type == MapType::CgrpStorage ? "kprobe/do_sys_openat2" : "lsm/file_open");
        const RunResult r = run_once(*p);
        REQUIRE(r.error);
        CHECK(r.error->what.find("bpfplay's emulated kernel has none in memory") != std::string::npos);
    }
}

} // namespace bpfplay::testing
