// bpf_perf_event_output: every rule of the kernel's helpers (bpf_trace.c, net/core/filter.c)
// with its exact return code, and the samples the readers receive.
#include <doctest/doctest.h>

#include <cstring>
#include <optional>

#include "core/decode.hpp"
#include "core/maps/map_set.hpp"
#include "core/memory.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/run/object_session.hpp"
#include "core/run/perf_event_helpers.hpp"
#include "core/text/asm.hpp"

namespace bpfplay {
namespace {

namespace e = kerrno;

HelperEnv env_of(Host& host, MapSet& maps) {
    HelperEnv env;
    env.host = &host;
    env.maps = &maps;
    return env;
}

constexpr uint64_t kCurrentCpu = 0xffffffffull;
uint64_t ctx_len(uint64_t n) {
    return n << 32;
}

// A perf event array "events" (ncpus 4, readers attached as ObjectSession does), a program
// that sends 8 stack bytes (or `size` of them) with the given flags, and the host it runs on.
struct PerfRun {
    MapSet maps;
    Host host;
    HelperEnv env = env_of(host, maps);
    const HelperRegistry& helpers = kernel_helper_registry();
    std::optional<Program> program;
    std::unique_ptr<Vm> vm;
    std::vector<uint8_t> packet = {0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    PacketBuffer buffer;
    Map* events = nullptr;

    explicit PerfRun(uint32_t max_entries = 4) {
        MapSpec s;
        s.type = MapType::PerfEventArray;
        s.name = "events";
        s.key_size = 4;
        s.value_size = 4;
        s.max_entries = max_entries;
        auto id = maps.create(s);
        REQUIRE(id.ok());
        events = maps.get(id.value());
        attach_perf_readers(maps, host.ncpus);
    }

    // r0 of: bpf_perf_event_output(ctx, events, flags, fp-8, size), the 8 bytes 01..08.
    uint64_t call(uint64_t flags, uint64_t size = 8, bool with_packet = false) {
        const std::string text = "r1 = 0x0807060504030201 ll\n"
                                 "*(u64 *)(r10 - 8) = r1\n"
                                 "r2 = " +
                                 std::to_string(events->handle()) +
                                 " ll\n"
                                 "r3 = " +
                                 std::to_string(flags) +
                                 " ll\n"
                                 "r4 = r10\n"
                                 "r4 += -8\n"
                                 "r5 = " +
                                 std::to_string(size) +
                                 "\n"
                                 "call 25\n"
                                 "exit\n";
        auto insns = assemble(text);
        REQUIRE_MESSAGE(insns.ok(), (insns.ok() ? std::string() : insns.error().to_string()));
        DecodeOptions options;
        options.helpers = &helpers;
        auto decoded = decode(insns.value(), options);
        REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().to_string()));
        program.emplace(std::move(decoded.value()));
        vm = std::make_unique<Vm>(*program);
        vm->env = &env;
        maps.map_into(vm->memory());
        env.packet = nullptr;
        if (with_packet) {
            buffer.init_skb(packet, true);
            buffer.attach(vm->memory(), nullptr);
            env.packet = &buffer;
        }
        const RunStatus status = vm->run();
        REQUIRE_MESSAGE(status == RunStatus::Exited,
                        (vm->fault() ? vm->fault()->to_string() : std::string("?")));
        return vm->result();
    }

    void remove_reader(uint32_t index) {
        uint8_t key[4];
        std::memcpy(key, &index, 4);
        REQUIRE(events->delete_user(key) == 0);
    }
    void set_reader(uint32_t index, uint32_t cpu) {
        uint8_t key[4], value[4];
        std::memcpy(key, &index, 4);
        std::memcpy(value, &cpu, 4);
        REQUIRE(events->update_user(key, value) == 0);
    }
};

const std::vector<uint8_t> kData = {1, 2, 3, 4, 5, 6, 7, 8};
uint64_t err(int64_t e) {
    return uint64_t(-e);
}

TEST_CASE("ObjectSession's readers fill slot c with the reader on CPU c, up to the CPU count") {
    PerfRun four(6);
    for (uint32_t i = 0; i < 4; ++i) {
        auto ref = four.events->slot_value(i);
        REQUIRE(ref.size() == 4);
        uint32_t cpu;
        std::memcpy(&cpu, ref.data(), 4);
        CHECK(cpu == i);
    }
    CHECK(four.events->count() == 4); // slots 4 and 5: no CPU, no reader
    PerfRun two(2);
    CHECK(two.events->count() == 2);
}

TEST_CASE("BPF_F_CURRENT_CPU sends the bytes to the reader of the CPU the program runs on") {
    PerfRun r;
    r.host.cpu = 2;
    CHECK(r.call(kCurrentCpu) == 0);
    REQUIRE(r.host.perf_events.size() == 1);
    const PerfEventRecord& rec = r.host.perf_events[0];
    CHECK(rec.map == "events");
    CHECK(rec.cpu == 2);
    // 8 bytes + the 4-byte size header end at 12: 4 zero bytes pad the sample to 16.
    CHECK(rec.data == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0});
    CHECK(rec.pc == 10);      // the call (each lddw takes two slots)
    CHECK(rec.executed == 8); // lddw, stx, lddw, lddw, mov, add, mov, call
}

TEST_CASE("an explicit index works when its reader is on the current CPU") {
    PerfRun r;
    r.host.cpu = 1;
    CHECK(r.call(1, 4) == 0);
    REQUIRE(r.host.perf_events.size() == 1);
    CHECK(r.host.perf_events[0].cpu == 1);
    CHECK(r.host.perf_events[0].data == std::vector<uint8_t>{1, 2, 3, 4}); // 4 + 4 = 8: no padding
}

TEST_CASE("a reader on another CPU than the program's is -EOPNOTSUPP") {
    PerfRun r;
    r.host.cpu = 0;
    CHECK(r.call(1) == err(e::kEOPNOTSUPP));
    r.set_reader(0, 3); // slot 0 now holds CPU 3's reader
    CHECK(r.call(kCurrentCpu) == err(e::kEOPNOTSUPP));
    CHECK(r.host.perf_events.empty());
}

TEST_CASE("an index at or past max_entries is -E2BIG") {
    PerfRun r(2);
    CHECK(r.call(2) == err(e::kE2BIG));
    r.host.cpu = 3; // BPF_F_CURRENT_CPU on CPU 3 of a 2-slot map
    CHECK(r.call(kCurrentCpu) == err(e::kE2BIG));
    CHECK(r.host.perf_events.empty());
}

TEST_CASE("an empty slot is -ENOENT") {
    PerfRun r;
    r.remove_reader(0);
    CHECK(r.call(kCurrentCpu) == err(e::kENOENT));
    CHECK(r.host.perf_events.empty());
}

TEST_CASE("flags outside BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK are -EINVAL") {
    PerfRun r;
    CHECK(r.call(kCurrentCpu | (1ull << 52), 8, /*with_packet=*/true) == err(e::kEINVAL));
    CHECK(r.call(kCurrentCpu | (1ull << 63), 8, true) == err(e::kEINVAL));
    CHECK(r.host.perf_events.empty());
}

TEST_CASE("a program without a packet (tracing) may not ask for ctx bytes: -EINVAL") {
    PerfRun r;
    CHECK(r.call(kCurrentCpu | ctx_len(1)) == err(e::kEINVAL));
    CHECK(r.host.perf_events.empty());
}

TEST_CASE("XDP and skb programs append ctx-length packet bytes after the data") {
    PerfRun r;
    CHECK(r.call(kCurrentCpu | ctx_len(3), 8, true) == 0);
    REQUIRE(r.host.perf_events.size() == 1);
    // 8 + 3 bytes, + 4 = 15: one zero pads it to 16.
    CHECK(r.host.perf_events[0].data == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 0xaa, 0xbb, 0xcc, 0});
    CHECK(r.call(kCurrentCpu | ctx_len(5), 0, true) == 0); // the whole packet, no data
    REQUIRE(r.host.perf_events.size() == 2);
    CHECK(r.host.perf_events[1].data ==
          std::vector<uint8_t>{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("a ctx length past the packet is -EFAULT, checked before the index") {
    PerfRun r;
    CHECK(r.call(kCurrentCpu | ctx_len(6), 8, true) == err(e::kEFAULT));
    r.remove_reader(0);
    CHECK(r.call(kCurrentCpu | ctx_len(6), 8, true) == err(e::kEFAULT));
    CHECK(r.call(kCurrentCpu | ctx_len(5), 8, true) == err(e::kENOENT));
    CHECK(r.host.perf_events.empty());
}

TEST_CASE("an empty sample still reaches the reader as 4 padding bytes") {
    PerfRun r;
    CHECK(r.call(kCurrentCpu, 0) == 0);
    REQUIRE(r.host.perf_events.size() == 1);
    CHECK(r.host.perf_events[0].data == std::vector<uint8_t>{0, 0, 0, 0});
}

TEST_CASE("bpf_perf_event_output on a map that is not a perf event array stops the run") {
    PerfRun r;
    MapSpec s;
    s.type = MapType::Array;
    s.name = "plain";
    s.key_size = 4;
    s.value_size = 4;
    s.max_entries = 1;
    REQUIRE(r.maps.create(s).ok());
    r.events = r.maps.find("plain");
    auto insns = assemble("r2 = " + std::to_string(r.events->handle()) +
                          " ll\nr3 = 0\nr4 = r10\nr4 += -8\nr5 = 0\ncall 25\nexit\n");
    REQUIRE(insns.ok());
    DecodeOptions options;
    options.helpers = &r.helpers;
    auto decoded = decode(insns.value(), options);
    REQUIRE(decoded.ok());
    Vm vm(decoded.value());
    vm.env = &r.env;
    r.maps.map_into(vm.memory());
    REQUIRE(vm.run() == RunStatus::Faulted);
    CHECK(vm.fault()->what == "bpf_perf_event_output: r2 does not hold a perf_event_array map");
}

TEST_CASE("the example sends its summary and the first 16 packet bytes, as the kernel did") {
    // examples/cases/xdp_perf_event.json, case tcp (recorded from the kernel).
    std::vector<uint8_t> elf;
    {
        FILE* f =
            std::fopen((std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/xdp_perf_event.o").c_str(), "rb");
        REQUIRE(f);
        int c;
        while ((c = std::fgetc(f)) != EOF)
            elf.push_back(uint8_t(c));
        std::fclose(f);
    }
    Host host;
    host.ncpus = 2;
    auto s = ObjectSession::open(elf, "xdp_perf_event.o", host);
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    CHECK(s.value()->object().maps->find("events")->max_entries() == 2); // libbpf: one slot per CPU
    RunInput in;
    const char* tcp =
        "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c4001bb000003e8000000005002"
        "fffff9fc0000";
    for (size_t i = 0; tcp[i]; i += 2)
        in.packet.push_back(uint8_t(std::stoi(std::string(tcp + i, 2), nullptr, 16)));
    RunResult rr = s.value()->run("xdp_perf_event", in);
    REQUIRE(rr.status == RunStatus::Exited);
    REQUIRE(rr.perf_events.size() == 1);
    CHECK(rr.perf_events[0].cpu == 0);
    const std::string j = run_result_json(*s.value(), rr);
    CHECK(
        j.find("\"perf_events\":[{\"map\":\"events\",\"cpu\":0,\"data\":"
               "\"36000000010000000008100002000000000202000000000108004500\",\"executed\":29,\"pc\":30}]") !=
        std::string::npos);
    CHECK(run_result_text(*s.value(), rr)
              .find("perf event: events cpu 0 (insn 29, pc 30): "
                    "0x36000000010000000008100002000000000202000000000108004500\n") != std::string::npos);
}

} // namespace
} // namespace bpfplay
