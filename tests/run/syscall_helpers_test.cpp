// The helpers of syscall programs: bpf_sys_bpf (each command it allows, and its refusals),
// bpf_sys_close, bpf_btf_find_by_name_kind and bpf_kallsyms_lookup_name, with the errors Linux
// 6.18 gives (tests/kernel: examples/cases/syscall_maps.json holds the kernel's answers for
// the ones a compiled program checks). The programs are assembly in section "syscall": their
// context holds the union bpf_attr each call reads (and the keys, values and names the attrs
// point at), and every call's r0 is stored back into the context.
#include <doctest/doctest.h>

#include <cstring>
#include <functional>

#include "core/btf/btf.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/sys_bpf.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using bpfplay::net_test::open_asm;

namespace {

constexpr uint64_t kCtx = window_base(window::kContext); // where the context is mapped
constexpr uint32_t kCtxSize = 8192;
constexpr uint32_t kResults = 2048; // r0 of call i is the u64 at kResults + 8 * i
constexpr uint32_t kAttrSize = 168;
namespace cmd = bpf_cmd;

// The context bytes a test sets up.
struct Ctx {
    std::vector<uint8_t> b = std::vector<uint8_t>(kCtxSize, 0);
    Ctx& u32(uint32_t off, uint32_t v) {
        std::memcpy(&b[off], &v, 4);
        return *this;
    }
    Ctx& u64(uint32_t off, uint64_t v) {
        std::memcpy(&b[off], &v, 8);
        return *this;
    }
    Ctx& str(uint32_t off, std::string_view s) { // with its NUL
        std::memcpy(&b[off], s.data(), s.size());
        b[off + s.size()] = 0;
        return *this;
    }
    Ctx& bytes(uint32_t off, std::span<const uint8_t> v) {
        std::memcpy(&b[off], v.data(), v.size());
        return *this;
    }
    // A BPF_MAP_CREATE attr at `off`.
    Ctx& map_attr(uint32_t off, uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                  std::string_view name = "m", uint32_t flags = 0) {
        u32(off, type).u32(off + 4, key_size).u32(off + 8, value_size).u32(off + 12, max_entries);
        u32(off + 16, flags);
        return str(off + 28, name);
    }
    // A BPF_MAP_*_ELEM attr at `off`: map_fd, key and value as context offsets, flags.
    Ctx& elem_attr(uint32_t off, uint32_t fd, uint32_t key_off, uint32_t value_off = 0, uint64_t flags = 0) {
        u32(off, fd).u64(off + 8, kCtx + key_off);
        if (value_off) u64(off + 16, kCtx + value_off);
        return u64(off + 24, flags);
    }
};

// A syscall program, built call by call; each call's r0 goes to its result slot.
struct Prog {
    std::string text = "r6 = r1\n";
    int calls = 0;
    Prog& save() {
        text += "*(u64 *)(r6 + " + std::to_string(kResults + 8 * calls++) + ") = r0\n";
        return *this;
    }
    // bpf_sys_bpf(cmd, ctx + attr, size).
    Prog& sys_bpf(uint32_t c, uint32_t attr, uint32_t size = kAttrSize) {
        text += "r1 = " + std::to_string(c) + "\nr2 = r6\nr2 += " + std::to_string(attr) +
                "\nr3 = " + std::to_string(size) + "\ncall bpf_sys_bpf\n";
        return save();
    }
    // The last call's r0 as the u32 at `off` (an fd into a later attr).
    Prog& fd_to(uint32_t off) {
        text += "*(u32 *)(r6 + " + std::to_string(off) + ") = r0\n";
        return *this;
    }
    Prog& close(uint32_t fd) {
        text += "r1 = " + std::to_string(fd) + "\ncall bpf_sys_close\n";
        return save();
    }
    // bpf_sys_close of the u32 at context offset `off`.
    Prog& close_at(uint32_t off) {
        text += "r1 = *(u32 *)(r6 + " + std::to_string(off) + ")\ncall bpf_sys_close\n";
        return save();
    }
    Prog& btf_find(uint32_t name_off, uint32_t name_sz, uint32_t kind, uint32_t flags = 0) {
        text += "r1 = r6\nr1 += " + std::to_string(name_off) + "\nr2 = " + std::to_string(name_sz) +
                "\nr3 = " + std::to_string(kind) + "\nr4 = " + std::to_string(flags) +
                "\ncall bpf_btf_find_by_name_kind\n";
        return save();
    }
    Prog& kallsyms(uint32_t name_off, uint32_t name_sz, uint32_t flags, uint32_t res_off) {
        text += "r1 = r6\nr1 += " + std::to_string(name_off) + "\nr2 = " + std::to_string(name_sz) +
                "\nr3 = " + std::to_string(flags) + "\nr4 = r6\nr4 += " + std::to_string(res_off) +
                "\ncall bpf_kallsyms_lookup_name\n";
        return save();
    }
    std::string done() const { return text + "r0 = 0\nexit\n"; }
};

struct Ran {
    RunResult result;
    std::unique_ptr<ObjectSession> session; // for runs that follow
    int64_t r(int i) const {
        int64_t v = 0;
        std::memcpy(&v, &result.ctx_out[kResults + 8 * i], 8);
        return v;
    }
    uint64_t u64(uint32_t off) const {
        uint64_t v = 0;
        std::memcpy(&v, &result.ctx_out[off], 8);
        return v;
    }
    std::vector<std::string> events() const {
        std::vector<std::string> out;
        for (const HostEvent& e : result.host_events)
            out.push_back(e.helper + ": " + e.text);
        return out;
    }
};

Ran run(const Prog& p, const Ctx& ctx, std::unique_ptr<ObjectSession> session = nullptr) {
    Ran out;
    out.session = session ? std::move(session) : open_asm(p.done(), "syscall");
    RunInput in;
    in.ctx = ctx.b;
    out.result = out.session->run("asm", in);
    REQUIRE_MESSAGE(out.result.status == RunStatus::Exited,
                    (out.result.error ? out.result.error->to_string() : std::string("not exited")));
    return out;
}

// One call of bpf_sys_bpf with the attr at context offset 0.
int64_t one_call(uint32_t c, const Ctx& ctx, uint32_t size = kAttrSize) {
    return run(Prog().sys_bpf(c, 0, size), ctx).r(0);
}

constexpr uint32_t kArray = 2, kHash = 1, kProgArray = 3, kArrayOfMaps = 12;

} // namespace

// ---- bpf_sys_bpf: which commands, how big an attr ----

TEST_CASE("bpf_sys_bpf refuses the commands a syscall program may not issue with -EINVAL") {
    Ctx ctx;
    for (uint32_t c : {cmd::kMapLookupElem, cmd::kMapGetNextKey, cmd::kProgTestRun, 6u, 21u, 1000u}) {
        CAPTURE(c);
        CHECK(one_call(c, ctx) == -22);
    }
    const Ran r = run(Prog().sys_bpf(cmd::kMapLookupElem, 0), ctx);
    CHECK(r.events() == std::vector<std::string>{
                            "bpf_sys_bpf: BPF_MAP_LOOKUP_ELEM: -EINVAL: a syscall program may only issue "
                            "BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE, "
                            "BPF_MAP_GET_FD_BY_ID, BPF_PROG_LOAD, BPF_BTF_LOAD, BPF_LINK_CREATE and "
                            "BPF_RAW_TRACEPOINT_OPEN"});
}

TEST_CASE("an attr longer than union bpf_attr (168 bytes) must end in zeros, and fit in a page") {
    Ctx ctx;
    ctx.map_attr(0, kArray, 4, 8, 1);
    CHECK(one_call(cmd::kMapCreate, ctx, 200) == 4); // zeros past 168: accepted (fd 4)
    ctx.b[168] = 1;
    CHECK(one_call(cmd::kMapCreate, ctx, 169) == -7); // -E2BIG
    ctx.b[168] = 0;
    CHECK(one_call(cmd::kMapCreate, ctx, 4097) == -7); // over PAGE_SIZE
    // A shorter attr reads as zeros past its end: max_entries (offset 12) is 0 when only 12
    // bytes are given.
    CHECK(one_call(cmd::kMapCreate, ctx, 12) == -22);
}

TEST_CASE("bpf_sys_bpf's attr must be readable memory of attr_size bytes, as the verifier demands") {
    auto s = open_asm("r1 = 0\nr2 = r10\nr2 += -8\nr3 = 16\ncall bpf_sys_bpf\nexit\n", "syscall");
    const RunResult r = s->run("asm", {});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->kind == ErrorKind::Memory);
    CHECK(r.error->what ==
          "bpf_sys_bpf: 16-byte helper read at 0x8000001f8 (fp-8) is outside the 512-byte stack of "
          "frame 0 at 0x800000000: valid stack offsets are fp-512 to fp-1");
}

// ---- BPF_MAP_CREATE ----

TEST_CASE("BPF_MAP_CREATE makes a map in the session and returns the lowest free fd") {
    Ctx ctx;
    ctx.map_attr(0, kHash, 4, 8, 16, "counts");
    const Ran r = run(Prog().sys_bpf(cmd::kMapCreate, 0), ctx);
    // fds 0-2 are stdio, 3 the program itself (an assembly object has no BTF and no maps).
    CHECK(r.r(0) == 4);
    const MapSet& maps = *r.session->object().maps;
    REQUIRE(maps.size() == 1);
    CHECK(maps.get(0)->name() == "counts");
    CHECK(maps.get(0)->type() == MapType::Hash);
    CHECK(maps.get(0)->max_entries() == 16u);
    CHECK(r.session->process().fds.get(4)->kind == BpfObjectKind::Map);
    CHECK(r.events() ==
          std::vector<std::string>{"bpf_sys_bpf: BPF_MAP_CREATE: created hash map \"counts\" (id 1) as "
                                   "fd 4"});
}

TEST_CASE("BPF_MAP_CREATE gives the kernel's errors for malformed attrs") {
    auto create = [](const std::function<void(Ctx&)>& change) {
        Ctx ctx;
        ctx.map_attr(0, kArray, 4, 8, 4);
        change(ctx);
        return one_call(cmd::kMapCreate, ctx);
    };
    CHECK(create([](Ctx&) {}) == 4);
    CHECK(create([](Ctx& c) { c.b[92] = 1; }) == -22);                    // past excl_prog_hash_size
    CHECK(create([](Ctx& c) { c.u32(0, 9999); }) == -22);                 // no such map type
    CHECK(create([](Ctx& c) { c.u32(4, 8); }) == -22);                    // array keys are 4 bytes
    CHECK(create([](Ctx& c) { c.u32(8, 0); }) == -22);                    // value_size 0
    CHECK(create([](Ctx& c) { c.u32(16, (1 << 3) | (1 << 4)); }) == -22); // RDONLY | WRONLY
    CHECK(create([](Ctx& c) { c.u32(16, 1 << 2).u32(24, 1); }) == -22);   // NUMA node 1
    CHECK(create([](Ctx& c) { c.u64(64, 1); }) == -22);                   // map_extra
    CHECK(create([](Ctx& c) { c.u32(52, 1); }) == -22);                   // a BTF key id without a value id
    CHECK(create([](Ctx& c) { c.str(28, "bad-name"); }) == -22);          // '-'
    CHECK(create([](Ctx& c) { c.str(28, "0123456789abcdef"); }) == -22);  // 16 chars: no NUL
    CHECK(create([](Ctx& c) { c.u32(44, 1); }) == -95);                   // map_ifindex lo: -EOPNOTSUPP
    CHECK(create([](Ctx& c) { c.u32(44, 99); }) == -22);                  // no such device
    CHECK(create([](Ctx& c) { c.u32(56, 1).u32(48, 99); }) == -9);        // btf_fd not open: -EBADF
    CHECK(create([](Ctx& c) { c.u32(56, 1).u32(48, 3); }) == -22);        // btf_fd is the program: -EINVAL
    CHECK(create([](Ctx& c) { c.u32(88, 32); }) == -22);                  // a hash size without a hash
    CHECK(create([](Ctx& c) { c.u64(80, 0x10).u32(88, 32); }) == -14);    // an unreadable hash: -EFAULT
    // Maps of maps open the inner map's fd.
    CHECK(create([](Ctx& c) { c.map_attr(0, kArrayOfMaps, 4, 4, 1).u32(20, 99); }) == -9);
    CHECK(create([](Ctx& c) { c.map_attr(0, kArrayOfMaps, 4, 4, 1).u32(20, 3); }) == -22);
}

// A .BTF small enough for a syscall program's context (the kernel's vmlinux BTF is 100 KB):
// [1] int, [2] enum pid_type { PIDTYPE_PID, PIDTYPE_TGID }.
static const std::vector<uint8_t>& small_btf() {
    static const std::vector<uint8_t> bytes = [] {
        const char strings[] = "\0int\0pid_type\0PIDTYPE_PID\0PIDTYPE_TGID";  // 1, 5, 14, 26
        const uint32_t types[] = {1, 1u << 24, 4, 0x01000020,               // int: signed, 32 bits
                                  5, 6u << 24 | 2, 4, 14, 0, 26, 1};        // enum, two values
        std::vector<uint8_t> out;
        auto put = [&](uint32_t w) {
            for (int i = 0; i < 4; ++i) out.push_back(uint8_t(w >> (8 * i)));
        };
        for (uint32_t w : {0x0001eb9fu, 24u, 0u, uint32_t(sizeof types), uint32_t(sizeof types),
                           uint32_t(sizeof strings)})
            put(w);
        for (uint32_t w : types) put(w);
        out.insert(out.end(), strings, strings + sizeof strings);
        return out;
    }();
    return bytes;
}

TEST_CASE("BPF_MAP_CREATE with a BTF fd checks the key and value types' sizes") {
    const std::vector<uint8_t>& btf = small_btf();
    REQUIRE(parse_btf(btf));
    const uint32_t int_id = 1;
    const uint32_t enum_id = 2;
    Ctx ctx;
    // BPF_BTF_LOAD at 0 (btf, btf_size), then three BPF_MAP_CREATEs naming its fd.
    ctx.u64(0, kCtx + 4096).u32(16, uint32_t(btf.size())).bytes(4096, btf);
    ctx.map_attr(256, kHash, 4, 4, 8, "typed").u32(256 + 52, int_id).u32(256 + 56, int_id);
    ctx.map_attr(512, kHash, 4, 8, 8, "wrong").u32(512 + 52, int_id).u32(512 + 56, int_id);
    ctx.map_attr(768, kArray, 4, 4, 8, "by_enum").u32(768 + 52, enum_id).u32(768 + 56, int_id);
    Prog p;
    p.sys_bpf(cmd::kBtfLoad, 0).fd_to(256 + 48).fd_to(512 + 48).fd_to(768 + 48);
    p.sys_bpf(cmd::kMapCreate, 256).sys_bpf(cmd::kMapCreate, 512).sys_bpf(cmd::kMapCreate, 768);
    const Ran r = run(p, ctx);
    CHECK(r.r(0) == 4);   // the BTF's fd
    CHECK(r.r(1) == 5);   // int key, int value: 4 and 4 bytes
    CHECK(r.r(2) == -22); // value_size 8 is not an int
    CHECK(r.r(3) == -22); // an array's key must be an integer, not an enum (4 bytes all the same)
}

// ---- BPF_MAP_UPDATE_ELEM, DELETE_ELEM, FREEZE ----

TEST_CASE("BPF_MAP_UPDATE_ELEM and BPF_MAP_DELETE_ELEM change the map through the fd") {
    // Attrs 256 bytes apart (bytes past each command's last field must stay zero), the key
    // and value at 1600 and 1608.
    Ctx ctx;
    ctx.map_attr(0, kHash, 4, 8, 4).u32(1600, 7).u64(1608, 0x1122334455667788);
    ctx.elem_attr(256, 0, 1600, 1608).elem_attr(512, 0, 1600);
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 0).fd_to(256).fd_to(512);
    p.sys_bpf(cmd::kMapUpdateElem, 256).sys_bpf(cmd::kMapUpdateElem, 256);
    const Ran r = run(p, ctx);
    CHECK(r.r(1) == 0);
    CHECK(r.r(2) == 0); // BPF_ANY replaces
    const Map& m = *r.session->object().maps->get(0);
    REQUIRE(m.count() == 1u);
    const auto e = m.entries();
    CHECK(e[0].key == std::vector<uint8_t>{7, 0, 0, 0});
    CHECK(e[0].values[0] == std::vector<uint8_t>{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11});
    CHECK(r.events()[1] == "bpf_sys_bpf: BPF_MAP_UPDATE_ELEM: updated key 07000000 of hash map \"m\" (id 1)");

    ctx.u64(256 + 24, 1); // BPF_NOEXIST
    Prog q;
    q.sys_bpf(cmd::kMapCreate, 0).fd_to(256).fd_to(512);
    q.sys_bpf(cmd::kMapUpdateElem, 256).sys_bpf(cmd::kMapUpdateElem, 256);
    q.sys_bpf(cmd::kMapDeleteElem, 512).sys_bpf(cmd::kMapDeleteElem, 512);
    const Ran s = run(q, ctx);
    CHECK(s.r(1) == 0);
    CHECK(s.r(2) == -17); // -EEXIST
    CHECK(s.r(3) == 0);
    CHECK(s.r(4) == -2); // -ENOENT: already deleted
    CHECK(s.session->object().maps->get(0)->count() == 0u);
}

TEST_CASE("update and delete read the key and value as the kernel does: unreadable is -EFAULT") {
    Ctx ctx;
    ctx.map_attr(0, kHash, 4, 8, 4);
    ctx.u64(256 + 8, 0x10).u64(256 + 16, kCtx + 1608);                // key at NULL + 16
    ctx.u64(512 + 8, kCtx + 1600).u64(512 + 16, kCtx + kCtxSize - 4); // value runs off the end
    ctx.u64(768 + 8, 0xdead0000);                                     // delete: key nowhere
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 0).fd_to(256).fd_to(512).fd_to(768);
    p.sys_bpf(cmd::kMapUpdateElem, 256).sys_bpf(cmd::kMapUpdateElem, 512).sys_bpf(cmd::kMapDeleteElem, 768);
    const Ran r = run(p, ctx);
    CHECK(r.r(1) == -14);
    CHECK(r.r(2) == -14);
    CHECK(r.r(3) == -14);
    CHECK(r.events()[1] == "bpf_sys_bpf: BPF_MAP_UPDATE_ELEM: -EFAULT: the key pointer 0x10 is not readable");
}

TEST_CASE("a map made with BPF_F_RDONLY has a read-only fd: updates, deletes and freezes are -EPERM") {
    Ctx ctx;
    ctx.map_attr(0, kArray, 4, 8, 4, "ro", 1 << 3).u32(1600, 1);
    ctx.elem_attr(256, 0, 1600, 1608).elem_attr(512, 0, 1600);
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 0).fd_to(256).fd_to(512).fd_to(768);
    p.sys_bpf(cmd::kMapUpdateElem, 256).sys_bpf(cmd::kMapDeleteElem, 512).sys_bpf(cmd::kMapFreeze, 768);
    const Ran r = run(p, ctx);
    CHECK(r.r(0) == 4);
    CHECK(r.r(1) == -1);
    CHECK(r.r(2) == -1);
    CHECK(r.r(3) == -1);
    // The fd carries the mode; the map keeps only its permanent flags.
    CHECK(r.session->object().maps->get(0)->map_flags() == 0u);
}

TEST_CASE("BPF_MAP_FREEZE stops user-space updates, and a second freeze is -EPERM") {
    Ctx ctx;
    ctx.map_attr(0, kArray, 4, 8, 4).u32(1600, 1);
    ctx.elem_attr(256, 0, 1600, 1608);
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 0).fd_to(256).fd_to(512);
    p.sys_bpf(cmd::kMapFreeze, 512).sys_bpf(cmd::kMapUpdateElem, 256).sys_bpf(cmd::kMapFreeze, 512);
    const Ran r = run(p, ctx);
    CHECK(r.r(1) == 0);
    CHECK(r.r(2) == -1);
    CHECK(r.r(3) == -1);
    CHECK(r.session->object().maps->get(0)->frozen());
}

TEST_CASE("map commands name maps by fd: a closed fd is -EBADF, another object's fd -EINVAL") {
    Ctx ctx;
    ctx.u32(0, 99).u32(256, 3); // FREEZE of fd 99; FREEZE of fd 3 (the program)
    const Ran r = run(Prog().sys_bpf(cmd::kMapFreeze, 0).sys_bpf(cmd::kMapFreeze, 256), ctx);
    CHECK(r.r(0) == -9);
    CHECK(r.r(1) == -22);
    ctx.b[4] = 1; // FREEZE's attr ends at 4
    CHECK(one_call(cmd::kMapFreeze, ctx) == -22);
}

TEST_CASE("fds as values: a prog array takes program fds, a map of maps map fds") {
    Ctx ctx;
    ctx.map_attr(0, kProgArray, 4, 4, 2, "jmp");
    ctx.map_attr(256, kArray, 4, 8, 4, "inner");
    ctx.map_attr(512, kArrayOfMaps, 4, 4, 2, "outer");
    ctx.u32(1600, 0).u32(1604, 3).u32(1608, 99).u32(1612, 1); // key 0; values fd 3, fd 99; key 1
    ctx.elem_attr(768, 0, 1600, 1604);                        // jmp[0] = the program (fd 3)
    ctx.elem_attr(1024, 0, 1600, 1608);                       // jmp[0] = fd 99: -EBADF
    ctx.elem_attr(1280, 0, 1612, 1604, 1); // jmp[1] with BPF_NOEXIST: fd arrays take BPF_ANY only
    ctx.elem_attr(1792, 0, 1600, 1616);    // outer[0] = inner's fd (stored at 1616)
    ctx.elem_attr(3072, 0, 1600, 1604);    // outer[0] = the program's fd: -EINVAL
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 0).fd_to(768).fd_to(1024).fd_to(1280);
    p.sys_bpf(cmd::kMapCreate, 256).fd_to(1616).fd_to(512 + 20); // inner is also outer's template
    p.sys_bpf(cmd::kMapCreate, 512).fd_to(1792).fd_to(3072);
    p.sys_bpf(cmd::kMapUpdateElem, 768).sys_bpf(cmd::kMapUpdateElem, 1024).sys_bpf(cmd::kMapUpdateElem, 1280);
    p.sys_bpf(cmd::kMapUpdateElem, 1792).sys_bpf(cmd::kMapUpdateElem, 3072);
    const Ran r = run(p, ctx);
    CHECK(r.r(0) == 4);
    CHECK(r.r(1) == 5);
    CHECK(r.r(2) == 6);
    CHECK(r.r(3) == 0);
    CHECK(r.r(4) == -9);
    CHECK(r.r(5) == -22);
    CHECK(r.r(6) == 0);
    CHECK(r.r(7) == -22);
    const MapSet& maps = *r.session->object().maps;
    REQUIRE(maps.get(0)->entries().size() == 1u);
    CHECK(maps.get(0)->entries()[0].values[0] == std::vector<uint8_t>{0, 0, 0, 0}); // program index 0
    REQUIRE(maps.get(2)->entries().size() == 1u);
    CHECK(maps.get(2)->entries()[0].values[0] == std::vector<uint8_t>{1, 0, 0, 0}); // map id 1: "inner"
}

// ---- BPF_MAP_GET_FD_BY_ID, bpf_sys_close, fds across runs ----

TEST_CASE("BPF_MAP_GET_FD_BY_ID opens a map by its kernel id; id 0 and freed maps are -ENOENT") {
    Ctx ctx;
    ctx.map_attr(0, kArray, 4, 8, 4);
    ctx.u32(256, 1); // kernel id 1: bpfplay's map 0
    ctx.u32(512, 1).u32(512 + 8, (1 << 3) | (1 << 4));
    ctx.u32(768, 0);
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 0).fd_to(1024);
    p.sys_bpf(cmd::kMapGetFdById, 256).sys_bpf(cmd::kMapGetFdById, 512).sys_bpf(cmd::kMapGetFdById, 768);
    p.close(4).close(5).sys_bpf(cmd::kMapGetFdById, 256);
    const Ran r = run(p, ctx);
    CHECK(r.r(0) == 4);
    CHECK(r.r(1) == 5);
    CHECK(r.r(2) == -22); // RDONLY | WRONLY
    CHECK(r.r(3) == -2);  // id 0
    CHECK(r.r(4) == 0);
    CHECK(r.r(5) == 0);
    CHECK(r.r(6) == -2); // no fd holds the map any more: the kernel freed it
}

TEST_CASE("bpf_sys_close closes an fd once; stdin's number is handed out again after closing it") {
    Ctx ctx;
    ctx.map_attr(0, kArray, 4, 8, 4);
    const Ran r = run(Prog().close(99).close(0).close(0).sys_bpf(cmd::kMapCreate, 0), ctx);
    CHECK(r.r(0) == -9);
    CHECK(r.r(1) == 0);
    CHECK(r.r(2) == -9);
    CHECK(r.r(3) == 0); // the lowest free fd
    CHECK(r.events()[0] == "bpf_sys_close: -EBADF: fd 99 is not open");
    CHECK(r.events()[1] == "bpf_sys_close: closed fd 0 (stdin)");
}

TEST_CASE("fds a syscall program opens outlive its run, as in the test runner's process") {
    Ctx ctx;
    ctx.map_attr(0, kArray, 4, 8, 4).u32(1600, 2).u64(1608, 5);
    ctx.elem_attr(256, 4, 1600, 1608); // fd 4: the first run's map
    const Prog p = Prog().sys_bpf(cmd::kMapCreate, 0).sys_bpf(cmd::kMapUpdateElem, 256);
    Ran first = run(p, ctx);
    CHECK(first.r(0) == 4);
    const Ran second = run(p, ctx, std::move(first.session));
    CHECK(second.r(0) == 5);
    CHECK(second.r(1) == 0);
    const auto e = second.session->object().maps->get(0)->entries();
    CHECK(e[2].values[0] == std::vector<uint8_t>{5, 0, 0, 0, 0, 0, 0, 0});
}

// ---- BPF_BTF_LOAD, BPF_PROG_LOAD, BPF_LINK_CREATE, BPF_RAW_TRACEPOINT_OPEN ----

TEST_CASE("BPF_BTF_LOAD gives the kernel's errors for malformed attrs") {
    auto load = [](const std::function<void(Ctx&)>& change) {
        Ctx ctx;
        const std::vector<uint8_t>& btf = small_btf();
        ctx.u64(0, kCtx + 4096).u32(16, uint32_t(btf.size())).bytes(4096, btf);
        change(ctx);
        return one_call(cmd::kBtfLoad, ctx);
    };
    CHECK(load([](Ctx&) {}) == 4);
    CHECK(load([](Ctx& c) { c.b[40] = 1; }) == -22);                        // past btf_token_fd
    CHECK(load([](Ctx& c) { c.u32(32, 1); }) == -22);                       // unknown btf_flags
    CHECK(load([](Ctx& c) { c.u32(16, (16 << 20) + 1); }) == -7);           // over 16 MiB
    CHECK(load([](Ctx& c) { c.u64(8, kCtx + 6000); }) == -22);              // a log buffer without a size
    CHECK(load([](Ctx& c) { c.u64(8, kCtx + 6000).u32(20, 256); }) == -22); // ... without a level
    CHECK(load([](Ctx& c) { c.u64(0, 0).u32(16, 0); }) == -14);             // NULL, even for 0 bytes
    CHECK(load([](Ctx& c) { c.b[4096] = 0; }) == -22);                      // a bad magic
}

TEST_CASE("BPF_PROG_LOAD returns the kernel's errors for malformed attrs") {
    auto load = [](const std::function<void(Ctx&)>& change) {
        Ctx ctx;
        ctx.u32(0, 1).u32(4, 2).u64(8, kCtx + 512).u64(16, kCtx + 600); // socket filter, 2 insns
        ctx.str(600, "GPL");
        change(ctx);
        return one_call(cmd::kProgLoad, ctx);
    };
    CHECK(load([](Ctx& c) { c.u32(4, 0); }) == -7); // insn_cnt 0: -E2BIG
    CHECK(load([](Ctx& c) { c.u32(4, 1000001); }) == -7);
    CHECK(load([](Ctx& c) { c.u32(44, 1 << 20); }) == -22);             // unknown prog_flags
    CHECK(load([](Ctx& c) { c.u32(44, 1 << 16).u32(144, 99); }) == -9); // a token fd not open
    CHECK(load([](Ctx& c) { c.u32(112, 99); }) == -22);                 // attach_prog_fd not a program
    CHECK(load([](Ctx& c) { c.u64(8, 0); }) == -14);                    // insns NULL: -EFAULT
    CHECK(load([](Ctx& c) { c.u64(16, 0); }) == -14);                   // license NULL
    CHECK(load([](Ctx& c) { c.u32(0, 999); }) == -22);                  // no such program type
    CHECK(load([](Ctx& c) { c.u32(0, 0); }) == -22);                    // BPF_PROG_TYPE_UNSPEC
    CHECK(load([](Ctx& c) { c.u32(0, 31).u32(68, 5); }) == -22);        // syscall with an attach type
    CHECK(load([](Ctx& c) { c.str(48, "no spaces"); }) == -22);
}

TEST_CASE("a well-formed BPF_PROG_LOAD stops the run: bpfplay does not load programs at run time") {
    Ctx ctx;
    ctx.u32(0, 1).u32(4, 2).u64(8, kCtx + 512).u64(16, kCtx + 600).str(600, "GPL").str(48, "filter");
    auto s = open_asm(Prog().sys_bpf(cmd::kProgLoad, 0).done(), "syscall");
    RunInput in;
    in.ctx = ctx.b;
    const RunResult r = s->run("asm", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->kind == ErrorKind::Helper);
    CHECK(r.error->what ==
          "bpf_sys_bpf(BPF_PROG_LOAD): program \"filter\" (socket_filter, 2 instructions) is "
          "well formed, but bpfplay does not load programs at run time (it has no verifier to "
          "give the kernel's verdict)");
}

TEST_CASE("BPF_LINK_CREATE and BPF_RAW_TRACEPOINT_OPEN check their fds and program types") {
    Ctx ctx;
    ctx.u32(0, 99);               // LINK_CREATE: prog_fd 99
    ctx.u32(256, 3);              // LINK_CREATE: the syscall program (fd 3)
    ctx.u32(512, 4).u32(520, 44); // LINK_CREATE for struct_ops: fd 4 (a map, created first)
    ctx.u32(768 + 8, 99);         // RAW_TRACEPOINT_OPEN: prog_fd 99
    ctx.u32(1024 + 8, 3);         // ... the syscall program
    ctx.map_attr(1280, kArray, 4, 8, 1);
    Prog p;
    p.sys_bpf(cmd::kMapCreate, 1280);
    p.sys_bpf(cmd::kLinkCreate, 0).sys_bpf(cmd::kLinkCreate, 256).sys_bpf(cmd::kLinkCreate, 512);
    p.sys_bpf(cmd::kRawTracepointOpen, 768).sys_bpf(cmd::kRawTracepointOpen, 1024);
    const Ran r = run(p, ctx);
    CHECK(r.r(1) == -9);
    CHECK(r.r(2) == -22); // syscall programs cannot be linked
    CHECK(r.r(3) == -22); // not a struct_ops map
    CHECK(r.r(4) == -9);
    CHECK(r.r(5) == -22); // a syscall program has no raw tracepoint
    ctx.b[60] = 1;        // LINK_CREATE's attr ends at 60
    CHECK(one_call(cmd::kLinkCreate, ctx) == -22);
}

// ---- bpf_btf_find_by_name_kind ----

TEST_CASE("bpf_btf_find_by_name_kind finds types of the emulated kernel's BTF by name and kind") {
    const uint32_t task = *builtin_target_btf().find_by_name("task_struct", BtfKind::Struct);
    Ctx ctx;
    ctx.str(0, "task_struct").str(64, "no_such_type").str(128, "pid_type");
    ctx.b[192] = 'a';
    ctx.b[193] = 'b'; // no NUL at name[name_sz - 1]
    Prog p;
    p.btf_find(0, 12, 4).btf_find(0, 12, 0x104).btf_find(0, 12, 5).btf_find(64, 13, 4);
    p.btf_find(0, 12, 4, 1).btf_find(0, 1, 4).btf_find(192, 2, 4).btf_find(128, 9, 6);
    const Ran r = run(p, ctx);
    CHECK(r.r(0) == int64_t(task)); // no module BTF: the upper 32 bits (its fd) stay 0
    CHECK(r.r(1) == int64_t(task)); // the kind is a u8: 0x104 is BTF_KIND_STRUCT
    CHECK(r.r(2) == -2);            // a union named task_struct: -ENOENT
    CHECK(r.r(3) == -2);
    CHECK(r.r(4) == -22); // flags
    CHECK(r.r(5) == -22); // name_sz 1
    CHECK(r.r(6) == -22); // not NUL-terminated
    CHECK(r.r(7) == int64_t(*builtin_target_btf().find_by_name("pid_type", BtfKind::Enum)));
    CHECK(r.events()[0] == "bpf_btf_find_by_name_kind: struct task_struct is type " + std::to_string(task) +
                               " of the emulated kernel's BTF");
}

// ---- bpf_kallsyms_lookup_name ----

TEST_CASE("bpf_kallsyms_lookup_name resolves init_task and writes 0 to res on every error") {
    const uint64_t init_task = *kernel_symbol_address("init_task");
    CHECK(init_task == task_address(2));
    Ctx ctx;
    ctx.str(0, "init_task").str(64, "schedule");
    for (uint32_t off : {1024u, 1032u, 1040u, 1048u})
        ctx.u64(off, 7);
    Prog p;
    p.kallsyms(0, 10, 0, 1024).kallsyms(64, 9, 0, 1032).kallsyms(0, 10, 1, 1040).kallsyms(0, 1, 0, 1048);
    const Ran r = run(p, ctx);
    CHECK(r.r(0) == 0);
    CHECK(r.u64(1024) == init_task);
    CHECK(r.r(1) == -2); // the emulated kernel has no functions
    CHECK(r.u64(1032) == 0u);
    CHECK(r.r(2) == -22); // flags
    CHECK(r.u64(1040) == 0u);
    CHECK(r.r(3) == -22); // name_sz 1
    CHECK(r.u64(1048) == 0u);
}

TEST_CASE("bpf_kallsyms_lookup_name's res must be 8-byte aligned, as the verifier demands") {
    Ctx ctx;
    ctx.str(0, "init_task");
    auto s = open_asm(Prog().kallsyms(0, 10, 0, 1028).done(), "syscall");
    RunInput in;
    in.ctx = ctx.b;
    const RunResult r = s->run("asm", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "bpf_kallsyms_lookup_name: r4 = 4294968324 is not 8-byte aligned: the kernel's verifier "
          "refuses a misaligned res (\"misaligned stack access\")");
}

// ---- who may call them, and the test run ----

TEST_CASE("only syscall programs may call bpf_sys_bpf, and they may not call packet helpers") {
    const Error xdp =
        net_test::refused_asm("r1 = 0\nr2 = r10\nr2 += -8\nr3 = 8\ncall bpf_sys_bpf\nexit\n", "xdp");
    CHECK(xdp.what == "program of type xdp cannot use helper bpf_sys_bpf#166");
    const Error sys = net_test::refused_asm("r2 = 0\ncall bpf_xdp_adjust_head\nexit\n", "syscall");
    CHECK(sys.what == "program of type syscall cannot use helper bpf_xdp_adjust_head#44");
}

TEST_CASE("a syscall program's context comes back changed, and its test run takes no packet") {
    auto s = open_asm("r2 = *(u32 *)(r1 + 0)\nr2 += 1\n*(u32 *)(r1 + 4) = r2\nr0 = 0\nexit\n", "syscall");
    RunInput in;
    in.ctx = {41, 0, 0, 0, 0, 0, 0, 0};
    const RunResult r = s->run("asm", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.ctx_out == std::vector<uint8_t>{41, 0, 0, 0, 42, 0, 0, 0});

    in.packet = {1, 2, 3};
    const RunResult with_packet = s->run("asm", in);
    REQUIRE(with_packet.status == RunStatus::Faulted);
    CHECK(with_packet.error->what ==
          "-EINVAL: BPF_PROG_TEST_RUN of a syscall program takes no packet (data_in), "
          "but the input has 3 bytes");
    in.packet.clear();
    in.ctx.assign(65536, 0);
    CHECK(s->run("asm", in).error->what ==
          "-EINVAL: a syscall program's context (ctx_in) is at most 65535 bytes, but the input has 65536");
}

TEST_CASE("reading past a syscall program's context says the kernel would refuse the run") {
    auto s = open_asm("r0 = *(u32 *)(r1 + 8)\nexit\n", "syscall");
    RunInput in;
    in.ctx.assign(8, 0);
    const RunResult r = s->run("asm", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "4-byte load at 0x100000008 is outside the 8-byte context (ctx_in) at 0x100000000: it "
          "covers bytes 8 to 11 of 8");
    CHECK(r.error->hint.find("refuses (-EINVAL) a test run whose ctx_in is shorter") != std::string::npos);
}
