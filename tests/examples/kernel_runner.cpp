// Runs a case in the running kernel through libbpf: what tests/kernel/kernel_run.c does, in
// process, producing an Outcome. Built with libbpf when CMake defines BPFPLAY_HAVE_LIBBPF;
// without it every run answers KernelStatus::Unavailable.
#include "example_harness.hpp"
#include "kernel_cgroups.hpp"

#if defined(BPFPLAY_HAVE_LIBBPF)

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

namespace bpfplay::examples {

namespace {

constexpr int kKernelEnotsupp = 524;  // the kernel's ENOTSUPP, absent from user-space headers
constexpr size_t kDataOutMax = 1 << 17;

// libbpf's warnings and the verifier log, kept for the message of a failed load.
std::string g_libbpf_log;

int log_libbpf(enum libbpf_print_level level, const char* fmt, va_list ap) {
    if (level == LIBBPF_DEBUG) return 0;
    // The verifier log arrives as one message of any length; its last line says why.
    va_list measure;
    va_copy(measure, ap);
    const int n = std::vsnprintf(nullptr, 0, fmt, measure);
    va_end(measure);
    if (n <= 0) return 0;
    std::string text(size_t(n) + 1, '\0');
    std::vsnprintf(text.data(), text.size(), fmt, ap);
    text.pop_back();
    g_libbpf_log += text;
    return 0;
}

bool refused(int err) {
    err = err < 0 ? -err : err;
    return err == EPERM || err == ENOSYS;
}

std::string log_tail() {
    if (g_libbpf_log.size() <= 2000) return g_libbpf_log;
    return "..." + g_libbpf_log.substr(g_libbpf_log.size() - 2000);
}

// Pins the thread to one CPU (BPF_PROG_TEST_RUN runs on the caller's CPU) and restores the
// previous affinity afterwards.
class CpuPin {
public:
    explicit CpuPin(int cpu) {
        CPU_ZERO(&old_);
        have_old_ = sched_getaffinity(0, sizeof old_, &old_) == 0;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        ok_ = sched_setaffinity(0, sizeof set, &set) == 0;
    }
    ~CpuPin() {
        if (have_old_) sched_setaffinity(0, sizeof old_, &old_);
    }
    CpuPin(const CpuPin&) = delete;
    CpuPin& operator=(const CpuPin&) = delete;
    bool ok() const { return ok_; }

private:
    cpu_set_t old_;
    bool have_old_ = false;
    bool ok_ = false;
};

// Gives the object the fd numbers a fresh process gets from libbpf (tests/kernel/kernel_run's
// and bpfplay's): the fds this process holds above stderr (ctest's, the test framework's) move
// up out of the way for the run and come back after it. A case may hand a syscall program an
// fd in its context, and that number must name the same object as in the recorded run.
class FreshFds {
public:
    FreshFds() {
        for (int fd = 3; fd < kHigh; ++fd) {
            const int fd_flags = fcntl(fd, F_GETFD);
            if (fd_flags < 0) continue;  // not open
            const int moved = fcntl(fd, F_DUPFD_CLOEXEC, kHigh);
            if (moved < 0) continue;  // no room up there: leave it where it is
            moved_.push_back({fd, moved, fd_flags});
            close(fd);
        }
    }
    ~FreshFds() {
        for (const Moved& m : moved_) {
            dup2(m.moved, m.fd);  // closes whatever a run left at that number
            fcntl(m.fd, F_SETFD, m.fd_flags);
            close(m.moved);
        }
    }
    FreshFds(const FreshFds&) = delete;
    FreshFds& operator=(const FreshFds&) = delete;

private:
    static constexpr int kHigh = 512;
    struct Moved {
        int fd, moved, fd_flags;
    };
    std::vector<Moved> moved_;
};

class LogCapture {
public:
    LogCapture() {
        g_libbpf_log.clear();
        old_ = libbpf_set_print(log_libbpf);
    }
    ~LogCapture() { libbpf_set_print(old_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

private:
    libbpf_print_fn_t old_;
};

struct ObjectCloser {
    void operator()(bpf_object* o) const { bpf_object__close(o); }
};

bool is_percpu(bpf_map_type t) {
    return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
           t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

bool is_fd_map(bpf_map_type t) {
    return t == BPF_MAP_TYPE_PROG_ARRAY || t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

// Passes a type number newer than the headers straight to libbpf (C code, which takes any int)
// without holding it in an enum variable of ours.
void set_type_beyond_headers(bpf_program* prog, uint32_t type, uint32_t attach) {
    bpf_program__set_type(prog, static_cast<bpf_prog_type>(type));
    bpf_program__set_expected_attach_type(prog, static_cast<bpf_attach_type>(attach));
}

bool is_skb_type(uint32_t t) {
    return t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_SOCKET_FILTER ||
           t == BPF_PROG_TYPE_CGROUP_SKB || t == BPF_PROG_TYPE_LWT_IN || t == BPF_PROG_TYPE_LWT_OUT ||
           t == BPF_PROG_TYPE_LWT_XMIT;
}

std::string name_of_id(bpf_map_type t, uint32_t id) {
    if (t == BPF_MAP_TYPE_PROG_ARRAY) {
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        int fd = bpf_prog_get_fd_by_id(id);
        std::string out = fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? "prog " + std::string(info.name)
                                                                                    : "prog id " + std::to_string(id);
        if (fd >= 0) close(fd);
        return out;
    }
    bpf_map_info info{};
    uint32_t len = sizeof info;
    int fd = bpf_map_get_fd_by_id(id);
    std::string out = fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? "map " + std::string(info.name)
                                                                                : "map id " + std::to_string(id);
    if (fd >= 0) close(fd);
    return out;
}

int on_ringbuf_record(void* ctx, void* data, size_t size) {
    auto* records = static_cast<std::vector<std::string>*>(ctx);
    records->push_back(hex(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size)));
    return 0;
}

// The perf event readers of one perf event array (libbpf's perf_buffer: an event per CPU in
// the slot of its CPU) and what they received.
struct PerfReader {
    std::string map;
    std::vector<std::string>* samples = nullptr;
    perf_buffer* pb = nullptr;
};

void on_perf_sample(void* ctx, int cpu, void* data, __u32 size) {
    auto* samples = static_cast<std::vector<std::string>*>(ctx);
    samples->push_back(perf_sample_text(uint32_t(cpu), hex(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size))));
}

void on_perf_lost(void* ctx, int cpu, __u64 count) {
    static_cast<std::vector<std::string>*>(ctx)->push_back("cpu " + std::to_string(cpu) + ": lost " + std::to_string(count));
}

void dump_map(bpf_map* map, int ncpus, Outcome& o) {
    const bpf_map_type type = bpf_map__type(map);
    const int fd = bpf_map__fd(map);
    const std::string name = bpf_map__name(map);
    if (type == BPF_MAP_TYPE_RINGBUF) {
        std::vector<std::string> records;
        if (ring_buffer* rb = ring_buffer__new(fd, on_ringbuf_record, &records, nullptr)) {
            ring_buffer__consume(rb);
            ring_buffer__free(rb);
        } else {
            records.push_back("(ring_buffer__new failed)");
        }
        o.ringbuf[name] = std::move(records);
        return;
    }
    const size_t ksize = bpf_map__key_size(map), vsize = bpf_map__value_size(map);
    if (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK) {
        // As kernel_run: pop every value, keyed by its position (4 bytes, big-endian).
        std::vector<MapEntryText> entries;
        std::vector<uint8_t> value(vsize);
        for (uint32_t i = 0; i < 1'000'000 && bpf_map_lookup_and_delete_elem(fd, nullptr, value.data()) == 0; i++) {
            const uint8_t pos[4] = {uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
            entries.push_back({hex(pos), hex(value)});
        }
        o.maps[name] = std::move(entries);
        return;
    }
    const size_t stride = (vsize + 7) / 8 * 8;
    const bool percpu = is_percpu(type);
    std::vector<uint8_t> key(std::max<size_t>(ksize, 1)), prev, value(std::max<size_t>(percpu ? stride * ncpus : vsize, 1));
    std::vector<MapEntryText> entries;
    for (size_t guard = 0; guard < 1'000'000; guard++) {
        if (bpf_map_get_next_key(fd, prev.empty() ? nullptr : prev.data(), key.data())) break;
        std::fill(value.begin(), value.end(), 0);
        if (bpf_map_lookup_elem(fd, key.data(), value.data()) == 0) {
            MapEntryText t;
            t.key = hex(std::span<const uint8_t>(key.data(), ksize));
            if (is_fd_map(type)) {
                uint32_t id = 0;
                std::memcpy(&id, value.data(), 4);
                t.value = name_of_id(type, id);
            } else if (percpu) {
                std::vector<std::string> per_cpu;
                for (int c = 0; c < ncpus; c++) per_cpu.push_back(hex(std::span<const uint8_t>(value.data() + c * stride, vsize)));
                t.value = percpu_text(per_cpu);
            } else {
                t.value = hex(std::span<const uint8_t>(value.data(), vsize));
            }
            entries.push_back(std::move(t));
        }
        prev.assign(key.begin(), key.end());
    }
    std::sort(entries.begin(), entries.end(), [](const MapEntryText& a, const MapEntryText& b) { return a.key < b.key; });
    o.maps[name] = std::move(entries);
}

// map_init values as the kernel takes them: value_size bytes, or ncpus 8-byte-aligned strides.
std::optional<std::vector<uint8_t>> init_value(bpf_map* map, const JsonValue& v, int ncpus) {
    const size_t vsize = bpf_map__value_size(map), stride = (vsize + 7) / 8 * 8;
    if (!is_percpu(bpf_map__type(map))) {
        auto b = unhex(v.as_string());
        if (!v.is_string() || !b || b->size() != vsize) return std::nullopt;
        return b;
    }
    std::vector<uint8_t> out(stride * ncpus, 0);
    for (int c = 0; c < ncpus; c++) {
        const JsonValue* item = v.is_array() ? v.at(size_t(c)) : &v;
        if (!item) break;
        auto b = unhex(item->as_string());
        if (!item->is_string() || !b || b->size() != vsize) return std::nullopt;
        std::copy(b->begin(), b->end(), out.begin() + ptrdiff_t(c * stride));
    }
    return out;
}

// A user ring buffer's records ("value", any length), written in order as user space writes
// them; the ring stays in the kernel after user_ring_buffer__free.
std::optional<std::string> write_user_ringbuf(bpf_map* map, const std::string& name, const JsonValue& list) {
    user_ring_buffer* rb = user_ring_buffer__new(bpf_map__fd(map), nullptr);
    if (!rb) return "map_init: \"" + name + "\": user_ring_buffer__new: " + std::strerror(errno);
    std::optional<std::string> err;
    for (const JsonValue& e : list.items()) {
        auto record = unhex(e.get("value").as_string());
        void* sample = record ? user_ring_buffer__reserve(rb, uint32_t(record->size())) : nullptr;
        if (!sample) {
            err = "map_init: \"" + name + "\": a record does not fit";
            break;
        }
        if (!record->empty()) std::memcpy(sample, record->data(), record->size());
        user_ring_buffer__submit(rb, sample);
    }
    user_ring_buffer__free(rb);
    return err;
}

// A CGROUP_ARRAY slot from map_init: the value is a host cgroup id, the kernel takes an fd of
// its directory (and keeps a reference to the cgroup: the fd is closed after the update).
int update_cgroup_slot(bpf_map* map, const std::vector<uint8_t>& key, const std::vector<uint8_t>& value,
                       const KernelCgroups& cgroups) {
    if (value.size() != 4) return -EINVAL;
    uint32_t id;
    std::memcpy(&id, value.data(), 4);
    const int fd = cgroups.open_cgroup(id);
    if (fd < 0) return fd;
    const int err = bpf_map_update_elem(bpf_map__fd(map), key.data(), &fd, BPF_ANY) ? -errno : 0;
    close(fd);
    return err;
}

// before_load: the global-data maps (bpf_map__set_initial_value); otherwise the others.
std::optional<std::string> apply_map_init(bpf_object* obj, const ExampleCase& c, bool before_load, int ncpus,
                                          const KernelCgroups& cgroups) {
    if (!c.map_init.is_object()) return std::nullopt;
    for (size_t m = 0; m < c.map_init.size(); m++) {
        const std::string& name = c.map_init.keys()[m];
        bpf_map* map = bpf_object__find_map_by_name(obj, name.c_str());
        if (!map) return "map_init: no map named \"" + name + "\"";
        if (bpf_map__is_internal(map) != before_load) continue;
        if (bpf_map__type(map) == BPF_MAP_TYPE_USER_RINGBUF) {
            if (auto err = write_user_ringbuf(map, name, c.map_init.items()[m])) return err;
            continue;
        }
        for (const JsonValue& e : c.map_init.items()[m].items()) {
            auto key = unhex(e.get("key").as_string());
            auto value = init_value(map, e.get("value"), ncpus);
            if (!key || key->size() != bpf_map__key_size(map) || !value) return "map_init: \"" + name + "\": bad entry";
            int err;
            if (before_load) err = bpf_map__set_initial_value(map, value->data(), value->size());
            else if (bpf_map__type(map) == BPF_MAP_TYPE_CGROUP_ARRAY) err = update_cgroup_slot(map, *key, *value, cgroups);
            else  // keyless maps (queue, stack, bloom filter) take a NULL key
                err = bpf_map_update_elem(bpf_map__fd(map), key->empty() ? nullptr : key->data(), value->data(),
                                          BPF_ANY)
                          ? -errno
                          : 0;
            if (err) return "map_init: \"" + name + "\": " + std::strerror(-err);
        }
    }
    return std::nullopt;
}

const char* trace_dir() {
    for (const char* d : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
        std::string p = std::string(d) + "/trace";
        if (access(p.c_str(), R_OK | W_OK) == 0) return d;
    }
    return nullptr;
}

bool trace_clear() {
    const char* dir = trace_dir();
    if (!dir) return false;
    int fd = open((std::string(dir) + "/trace").c_str(), O_WRONLY | O_TRUNC);
    if (fd < 0) return false;
    close(fd);
    return true;
}

std::optional<std::vector<std::string>> trace_collect() {
    const char* dir = trace_dir();
    if (!dir) return std::nullopt;
    std::ifstream in(std::string(dir) + "/trace");
    if (!in) return std::nullopt;
    static const std::string tag = "bpf_trace_printk: ";
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '#') continue;
        size_t at = line.find(tag);
        if (at == std::string::npos) continue;
        lines.push_back(line.substr(at + tag.size()));
    }
    return lines;
}

}  // namespace

KernelRun run_in_kernel(const ExampleCase& c) {
    KernelRun out;
    LogCapture capture;
    CpuPin pin(0);
    if (!pin.ok()) {
        // The recorded results are CPU 0's (per-CPU maps, bpf_get_smp_processor_id).
        out.status = KernelStatus::Unavailable;
        out.message = std::string("cannot run on CPU 0: sched_setaffinity: ") + std::strerror(errno);
        return out;
    }
    const std::string path = source_path(c.object);
    FreshFds fresh;  // outlives obj
    KernelCgroups cgroups;  // before the load, as kernel_run; undone after obj is closed
    switch (cgroups.setup(c.host, out.message)) {
        case KernelCgroups::Setup::Done: break;
        case KernelCgroups::Setup::Unavailable: out.status = KernelStatus::Unavailable; return out;
        case KernelCgroups::Setup::Failed: out.status = KernelStatus::Failed; return out;
    }
    std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_file(path.c_str(), nullptr));
    if (!obj) {
        out.status = KernelStatus::Failed;
        out.message = "cannot open " + path + ": " + std::strerror(errno);
        return out;
    }
    bpf_program* prog = bpf_object__find_program_by_name(obj.get(), c.program.c_str());
    if (!prog) {
        out.status = KernelStatus::Failed;
        out.message = "no program " + c.program + " in " + c.object;
        return out;
    }
    // Held as a number, not as enum bpf_prog_type: Debian 12's 6.1 headers end that enum at 31,
    // so a newer type held in it is a value UBSan rightly calls invalid.
    uint32_t ptype = bpf_program__type(prog);
    // Debian 12's libbpf (1.1) predates SEC("netfilter") (libbpf 1.2) and its 6.1 headers the
    // type's numbers: set what a newer libbpf sets (as tests/kernel/kernel_run.c does).
    constexpr uint32_t kNetfilterType = 32;    // BPF_PROG_TYPE_NETFILTER
    constexpr uint32_t kNetfilterAttach = 45;  // BPF_NETFILTER
    if (ptype == BPF_PROG_TYPE_UNSPEC && std::string(bpf_program__section_name(prog)) == "netfilter") {
        set_type_beyond_headers(prog, kNetfilterType, kNetfilterAttach);
        ptype = kNetfilterType;
    }
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0) {
        out.status = KernelStatus::Failed;
        out.message = "cannot count the possible CPUs";
        return out;
    }
    if (auto err = apply_map_init(obj.get(), c, true, ncpus, cgroups)) {
        out.status = KernelStatus::Failed;
        out.message = *err;
        return out;
    }
    int err = bpf_object__load(obj.get());
    if (err) {
        out.status = refused(err) ? KernelStatus::Refused : KernelStatus::Failed;
        out.message = std::string("bpf_object__load: ") + std::strerror(-err);
        if (out.status == KernelStatus::Failed) out.message += "\n" + log_tail();
        return out;
    }
    Outcome& o = out.outcome;
    o.loaded = true;
    if (auto e = apply_map_init(obj.get(), c, false, ncpus, cgroups)) {
        out.status = KernelStatus::Failed;
        out.message = *e;
        return out;
    }

    std::vector<PerfReader> readers;
    {
        bpf_map* m;
        bpf_object__for_each_map(m, obj.get()) {
            if (bpf_map__type(m) != BPF_MAP_TYPE_PERF_EVENT_ARRAY) continue;
            std::vector<std::string>& samples = o.perf_events[bpf_map__name(m)];
            if (!c.perf_readers) continue;
            perf_buffer* pb = perf_buffer__new(bpf_map__fd(m), 8, on_perf_sample, on_perf_lost, &samples, nullptr);
            if (!pb) {
                out.status = KernelStatus::Failed;
                out.message = std::string("perf_buffer__new(") + bpf_map__name(m) + "): " + std::strerror(errno);
                for (PerfReader& r : readers) perf_buffer__free(r.pb);
                return out;
            }
            readers.push_back({bpf_map__name(m), &samples, pb});
        }
    }

    const int prog_fd = bpf_program__fd(prog);
    std::vector<uint8_t> data_out(kDataOutMax);
    // bpf_prog_test_run_nf copies no ctx_out back: ask for none.
    const bool want_ctx_out = (!c.ctx.empty() || is_skb_type(ptype)) && ptype != kNetfilterType;
    const size_t ctx_out_size = !c.ctx.empty() ? c.ctx.size() : sizeof(__sk_buff);
    std::vector<uint8_t> ctx_out(std::max<size_t>(ctx_out_size, 1));
    // A syscall program's test run (bpf_prog_test_run_syscall) refuses repeat and ctx_out with
    // -EINVAL: the kernel writes the context back into ctx_in, so each run gets its own copy.
    const bool syscall_prog = ptype == BPF_PROG_TYPE_SYSCALL;
    std::vector<uint8_t> ctx_io;
    const bool trace_ready = c.trace && trace_clear();
    out.status = KernelStatus::Ran;
    for (uint32_t r = 0; r < c.runs(); r++) {
        bpf_test_run_opts opts{};
        opts.sz = sizeof opts;
        opts.repeat = syscall_prog ? 0 : 1;
        const std::vector<uint8_t>* packet = c.packets.empty() ? nullptr : &c.packets[r % c.packets.size()];
        if (packet) {
            opts.data_in = packet->data();
            opts.data_size_in = uint32_t(packet->size());
            opts.data_out = data_out.data();
            opts.data_size_out = uint32_t(data_out.size());
        }
        if (!c.ctx.empty()) {
            opts.ctx_in = c.ctx.data();
            opts.ctx_size_in = uint32_t(c.ctx.size());
        }
        if (syscall_prog && !c.ctx.empty()) {
            ctx_io = c.ctx;
            opts.ctx_in = ctx_io.data();
        }
        if (want_ctx_out && !syscall_prog) {
            std::fill(ctx_out.begin(), ctx_out.end(), 0);
            opts.ctx_out = ctx_out.data();
            opts.ctx_size_out = uint32_t(ctx_out_size);
        }
        if (bpf_prog_test_run_opts(prog_fd, &opts)) {
            int e = errno;
            if (refused(e)) out.status = KernelStatus::Refused;
            else if (e == kKernelEnotsupp || e == EOPNOTSUPP) out.status = KernelStatus::NoTestRun;
            else out.status = KernelStatus::Failed;
            out.message = "BPF_PROG_TEST_RUN, run " + std::to_string(r + 1) + ": " + std::strerror(e) + " (errno " +
                          std::to_string(e) + ")";
            o.error = out.message;
            break;
        }
        o.returns.push_back(opts.retval);
        if (packet) o.packet_out = std::vector<uint8_t>(data_out.begin(), data_out.begin() + opts.data_size_out);
        if (syscall_prog && !c.ctx.empty()) o.ctx_out = ctx_io;
        else if (want_ctx_out) o.ctx_out = std::vector<uint8_t>(ctx_out.begin(), ctx_out.begin() + opts.ctx_size_out);
    }
    if (trace_ready) o.trace = trace_collect();
    for (PerfReader& r : readers) {
        perf_buffer__consume(r.pb);
        perf_buffer__free(r.pb);
    }
    bpf_map* map;
    bpf_object__for_each_map(map, obj.get()) dump_map(map, ncpus, o);
    return out;
}

}  // namespace bpfplay::examples

#else  // !BPFPLAY_HAVE_LIBBPF

namespace bpfplay::examples {

KernelRun run_in_kernel(const ExampleCase&) {
    KernelRun out;
    out.status = KernelStatus::Unavailable;
    out.message = "built without libbpf (CMake found no libbpf: BPFPLAY_HAVE_LIBBPF is not defined)";
    return out;
}

}  // namespace bpfplay::examples

#endif
