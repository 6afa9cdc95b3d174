// Iterator runs (iter_run.hpp): the context, the elements, and bpf_seq_read's loop.
#include "core/run/iter_run.hpp"

#include <algorithm>
#include <cstring>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"
#include "core/host/socket_objects.hpp"
#include "core/hex.hpp"
#include "core/loader/loader.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/dynptr_helpers.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

namespace {

// The context block at window::kContext: the target's struct bpf_iter__<target> (pointers to
// the meta and the element's parts), then struct bpf_iter_meta, then a struct seq_file (zeros:
// the kernel's seq_file is no part of what a program may read or change), then bpf_map_elem's
// key.
constexpr uint32_t kCtxMeta = 0, kCtxElement = 8;
constexpr uint32_t kMetaOffset = 64;
constexpr uint32_t kMetaSeq = 0, kMetaSessionId = 8, kMetaSeqNum = 16;
constexpr uint32_t kSeqFileOffset = 96;

// A reader's buffer: cat reads 128 KiB at a time, more than the seq_file holds.
constexpr uint32_t kReadSize = 128 * 1024;
// Each read that does not end the file shows at least one element: this bounds a misbehaving run.
constexpr uint32_t kMaxReads = 4096;

const char* const kFinalCall = "NULL (the final call)";

// Where task_struct keeps pid and comm in the built-in vmlinux BTF, and its seq_file's size.
struct Layout {
    uint64_t pid = 0, comm = 0, files = 0;
    uint32_t seq_file_size = 0;
    uint64_t fdt = 0, max_fds = 0, fd = 0;  // files_struct.fdt, fdtable.max_fds, fdtable.fd
};
const Layout& layout() {
    static const Layout l = [] {
        KernelObjectWriter w(builtin_target_btf(), 0);
        const uint64_t t = w.allocate("task_struct");
        const uint64_t f = w.allocate("files_struct");
        const uint64_t d = w.allocate("fdtable");
        const Btf& btf = builtin_target_btf();
        const std::optional<uint32_t> seq = btf.find_by_name("seq_file", BtfKind::Struct);
        Result<uint32_t> size = seq ? btf.resolve_size(*seq) : Result<uint32_t>(0u);
        Layout out;
        out.pid = w.field_address(t, "task_struct", "pid").value_or(0) - t;
        out.comm = w.field_address(t, "task_struct", "comm").value_or(0) - t;
        out.files = w.field_address(t, "task_struct", "files").value_or(0) - t;
        out.seq_file_size = std::max<uint32_t>(size.ok() ? size.value() : 0, 8);
        out.fdt = w.field_address(f, "files_struct", "fdt").value_or(0) - f;
        out.max_fds = w.field_address(d, "fdtable", "max_fds").value_or(0) - d;
        out.fd = w.field_address(d, "fdtable", "fd").value_or(0) - d;
        return out;
    }();
    return l;
}

// The 8 bytes at `addr` of the emulated kernel's memory; 0 where nothing is mapped.
uint64_t kernel_u64(const Memory& mem, uint64_t addr) {
    const uint8_t* p = mem.helper_ptr(addr, 8, false);
    return p ? load_le<uint64_t>(p) : 0;
}

// Where bpf_map_elem's key copy sits: after the seq_file.
uint32_t key_offset() { return kSeqFileOffset + (layout().seq_file_size + 7) / 8 * 8; }

struct FoundTask {
    uint32_t pid;
    uint64_t addr;
    std::string comm;
};

// The tasks the task iterators visit, read from the mapped task_structs: those with a pid, by
// pid (a pid the host gave two tasks is one task), as task_seq_get_next walks the pid table.
std::vector<FoundTask> visited_tasks(const Memory& mem) {
    using Found = FoundTask;
    std::vector<Found> tasks;
    for (uint32_t i = 0; i < KernelObjects::kTaskCount; ++i) {
        const uint64_t t = task_address(i);
        const uint8_t* pid = mem.helper_ptr(t + layout().pid, 4, false);
        const uint8_t* comm = mem.helper_ptr(t + layout().comm, 16, false);
        if (!pid || !comm) continue;
        const uint32_t p = load_le<uint32_t>(pid);
        const char* c = reinterpret_cast<const char*>(comm);
        if (p != 0) tasks.push_back({p, t, std::string(c, strnlen(c, 16))});
    }
    std::stable_sort(tasks.begin(), tasks.end(), [](const Found& a, const Found& b) { return a.pid < b.pid; });
    std::vector<Found> unique;
    for (size_t i = 0; i < tasks.size(); ++i)
        if (!i || tasks[i].pid != tasks[i - 1].pid) unique.push_back(tasks[i]);
    return unique;
}

std::string task_name(const FoundTask& t) { return "task pid " + std::to_string(t.pid) + " (" + t.comm + ")"; }

void find_tasks(const Memory& mem, IterState& it) {
    for (const FoundTask& t : visited_tasks(mem)) it.elements.push_back({{t.addr}, task_name(t), {}});
}

// iter/task_file: each task's open descriptors in fd order (task_lookup_next_fd_rcu), read from
// its files->fdt table; the context is struct bpf_iter__task_file { meta; task; u32 fd
// __aligned(8); file; }. Threads sharing their group leader's table are skipped (each emulated
// task is its own group leader).
void find_task_files(const Memory& mem, const Host* host, IterState& it) {
    for (const FoundTask& t : visited_tasks(mem)) {
        const uint64_t files = kernel_u64(mem, t.addr + layout().files);
        const uint64_t fdt = files ? kernel_u64(mem, files + layout().fdt) : 0;
        if (!fdt) continue;
        const uint8_t* max = mem.helper_ptr(fdt + layout().max_fds, 4, false);
        const uint32_t max_fds = max ? std::min<uint32_t>(load_le<uint32_t>(max), kMaxHostFd + 1) : 0;
        const uint64_t fd_array = kernel_u64(mem, fdt + layout().fd);
        for (uint32_t fd = 0; fd < max_fds; ++fd) {
            const uint64_t file = kernel_u64(mem, fd_array + 8 * uint64_t(fd));
            if (!file) continue;
            std::string what;
            if (host && t.addr == task_address(0))
                for (const HostOpenFile& f : host->open_files)
                    if (f.fd == fd) what = f.socket ? "socket " + std::to_string(*f.socket) : f.path;
            it.elements.push_back({{t.addr, fd, file},
                                   task_name(t) + " fd " + std::to_string(fd) + (what.empty() ? "" : " (" + what + ")"),
                                   {}});
        }
    }
}

// iter/task_vma: each task's memory areas in address order; the context is struct
// bpf_iter__task_vma { meta; task; vma; }. The current task's are the host's map (Host::vmas);
// the other emulated tasks have no areas laid out.
void find_task_vmas(const Memory& mem, const Host* host, IterState& it) {
    if (!host) return;
    for (const FoundTask& t : visited_tasks(mem)) {
        if (t.addr != task_address(0)) continue;
        for (uint32_t i = 0; i < host->vmas.size(); ++i) {
            const HostVma& v = host->vmas[i];
            it.elements.push_back({{t.addr, vma_address(i)},
                                   task_name(t) + " vma " + hex(v.start) + "-" + hex(v.end) +
                                       (v.file.empty() ? "" : " " + v.file),
                                   {}});
        }
    }
}

// iter/tcp: the host's TCP sockets, IPv4 and IPv6, listening ones first, as the kernel walks its
// listening hash before the established one (the order within each follows the host's list:
// the kernel's bucket order depends on a per-boot random hash); the context is struct
// bpf_iter__tcp { meta; struct sock_common *sk_common; uid_t uid __aligned(8); }, uid 0 for a
// TIME_WAIT socket (bpf_iter_tcp_seq_show).
void find_tcp_sockets(const Host* host, IterState& it) {
    if (!host) return;
    const std::vector<HostSocket>& sockets = host->net.sockets;
    const uint32_t n = uint32_t(sockets.size());
    for (int pass = 0; pass < 2; ++pass)
        for (uint32_t i = 0; i < n; ++i) {
            const HostSocket& s = sockets[i];
            if (s.protocol != kIpprotoTcp || s.listening() != (pass == 0)) continue;
            const uint64_t uid = s.state == TcpState::TimeWait ? 0 : s.uid;
            it.elements.push_back({{socket_object_address(i, n), uid},
                                   "tcp socket " + std::to_string(i) + " (" + tcp_state_name(s.state) + ")",
                                   {}});
        }
}

// The map a bpf_map_elem iterator is attached to: `name`, or the object's only map that is not
// global data.
Result<uint32_t> iter_map_id(const LoadedObject& object, const std::string& name) {
    std::vector<uint32_t> candidates;
    std::string names;
    for (uint32_t id = 0; id < object.maps->size(); ++id) {
        const Map& m = *object.maps->get(id);
        const bool global_data = id < object.map_info.size() && object.map_info[id].origin == MapOrigin::GlobalData;
        if (!name.empty() ? m.name() == name : !global_data) {
            candidates.push_back(id);
            names += (names.empty() ? "" : ", ") + m.name();
        }
    }
    if (candidates.size() == 1) return candidates[0];
    const char* hint = "Name the map the iterator is attached to (bpfvm run --iter-map NAME; "
                       "in libbpf, bpf_program__attach_iter with link_info.map.map_fd).";
    if (!name.empty()) return make_error(ErrorKind::Load, "the object has no map \"" + name + "\"", std::nullopt, hint);
    return make_error(ErrorKind::Load,
                      candidates.empty() ? std::string("an iter/bpf_map_elem program iterates over a map, but the "
                                                       "object has none besides global data")
                                         : "an iter/bpf_map_elem program iterates over one map; the object has " +
                                               std::to_string(candidates.size()) + " (" + names + ")",
                      std::nullopt, hint);
}

// The elements of map `id` in its iteration order (bpf_iter_attach_map refuses with -EINVAL
// a map type without an element iterator).
Result<Unit> find_map_elems(const LoadedObject& object, uint32_t id, uint64_t key_addr, IterState& it) {
    const Map& m = *object.maps->get(id);
    const MapType t = m.type();
    if (t != MapType::Hash && t != MapType::LruHash && t != MapType::Array)
        return make_error(ErrorKind::Load,
                          "-EINVAL: bpfplay iterates over HASH, LRU_HASH and ARRAY maps; " + m.describe() +
                              " is not one (per-CPU maps and other types are not run here)");
    const uint64_t handle = map_handle(id);
    m.for_each_entry([&](std::span<const uint8_t> key, uint32_t slot) {
        it.elements.push_back({{handle, key_addr, m.value_address(slot)},
                               "element key 0x" + hex_bytes(key),
                               std::vector<uint8_t>(key.begin(), key.end())});
        return true;
    });
    it.final_call.fields[0] = handle;
    return Unit{};
}

// The context of the call on `e` with the current seq_num.
void prepare_call(IterState& it, const IterElement& e) {
    const uint64_t base = window_base(window::kContext);
    std::fill(it.ctx.begin(), it.ctx.begin() + kMetaOffset, 0);
    store_le<uint64_t>(&it.ctx[kCtxMeta], base + kMetaOffset);
    for (int k = 0; k < 3; ++k) store_le<uint64_t>(&it.ctx[kCtxElement + 8 * k], e.fields[k]);
    std::copy(e.key.begin(), e.key.end(), it.ctx.begin() + key_offset());
    it.current = e.name;
    store_le<uint64_t>(&it.ctx[kMetaOffset + kMetaSeq], it.seq.address);
    store_le<uint64_t>(&it.ctx[kMetaOffset + kMetaSessionId], it.out.session_id);
    store_le<uint64_t>(&it.ctx[kMetaOffset + kMetaSeqNum], it.seq_num);
}

// What bpf_iter_run_prog makes of a program's return value: 0 stays 0, anything else is -EAGAIN.
std::optional<Error> iter_exit_check(Vm& vm) {
    if (std::optional<Error> e = dynptr_exit_check(vm)) return e;
    if (vm.reg(0) <= 1) return std::nullopt;
    return make_error(ErrorKind::Verify,
                      "the iterator program returns " + std::to_string(int64_t(vm.reg(0))) +
                          ": the kernel's verifier refuses it (\"At program exit the register R0 has smin=" +
                          std::to_string(int64_t(vm.reg(0))) + " smax=" + std::to_string(int64_t(vm.reg(0))) +
                          " should have been in [0, 1]\")",
                      vm.pc(), "An iterator program returns 0 (go on) or 1 (stop this read with EAGAIN).");
}

// seq->op->show(): one call of the program. Its verdict (0 or -EAGAIN), or nullopt when the
// call faulted and the run is over.
std::optional<int64_t> show(RunState& run, std::optional<size_t> element) {
    IterState& it = *run.iter;
    Vm& vm = *run.vm;
    if (it.first_prepared) {
        it.first_prepared = false;
    } else {
        if (vm.env && vm.env->host) vm.env->host->advance_clock(vm.executed());
        vm.reset();
        prepare_call(it, element ? it.elements[*element] : it.final_call);
        vm.set_reg(1, window_base(window::kContext));
    }
    vm.run();
    it.instructions += vm.executed();
    it.out.calls.push_back({it.out.reads, it.seq_num, it.current, vm.result()});
    if (vm.status() != RunStatus::Exited) return std::nullopt;
    return vm.result() == 0 ? 0 : -kerrno::kEAGAIN;
}

// One read(): the bytes it returns (appended to the output), or false at the end of the file,
// at an error (out.read_error) or when a call faulted.
bool read_once(RunState& run, size_t& cursor, bool& done_stop) {
    IterState& it = *run.iter;
    SeqFile& seq = it.seq;
    const size_t n = it.elements.size();
    ++it.out.reads;
    seq.set_count(0);
    // start(): the element the last read stopped at (or the first).
    std::optional<size_t> p = cursor < n ? std::optional<size_t>(cursor) : std::nullopt;
    if (p) {
        std::optional<int64_t> err = show(run, p);
        if (!err) return false;
        if (*err < 0 || seq.overflowed) {
            it.out.read_error = *err < 0 ? *err : -kerrno::kE2BIG;
            return false;
        }
        for (;;) {
            const uint32_t offs = seq.count();
            ++cursor;  // next()
            p = cursor < n ? std::optional<size_t>(cursor) : std::nullopt;
            if (!p) break;
            ++it.seq_num;  // a valid next object
            if (seq.count() >= kReadSize) break;
            err = show(run, p);
            if (!err) return false;
            if (*err < 0 || seq.overflowed) {
                seq.set_count(offs);
                if (offs == 0) {
                    it.out.read_error = *err < 0 ? *err : -kerrno::kE2BIG;
                    return false;
                }
                break;
            }
        }
    }
    // stop(): with no element left, the program's final call, once per session.
    const uint32_t offs = seq.count();
    if (!p) {
        if (!done_stop && !show(run, std::nullopt)) return false;
        if (!seq.overflowed) {
            done_stop = true;
        } else {
            seq.set_count(offs);
            if (offs == 0) {
                it.out.read_error = -kerrno::kE2BIG;
                return false;
            }
        }
    }
    if (seq.count() == 0) return false;  // end of file
    it.out.bytes.insert(it.out.bytes.end(), seq.bytes.begin(), seq.bytes.end());
    return true;
}

}  // namespace

bool is_iterator(const LoadedProgram& prog) {
    return prog.type == ProgType::Tracing && prog.attach == AttachType::TraceIter;
}

Result<Unit> start_iterator(RunState& run, uint64_t session_id, const LoadedObject& object,
                            const std::string& iter_map) {
    const LoadedProgram& prog = *run.program;
    Vm& vm = *run.vm;
    auto it = std::make_unique<IterState>();
    it->target = prog.attach_target;
    const uint64_t base = window_base(window::kContext);
    uint32_t key_size = 0;
    std::optional<uint32_t> map_id;
    if (it->target == "bpf_map_elem") {
        Result<uint32_t> id = iter_map_id(object, iter_map);
        if (!id.ok()) return id.error();
        map_id = id.value();
        key_size = object.maps->get(*map_id)->key_size();
    } else if (it->target != "task" && it->target != "task_file" && it->target != "task_vma" && it->target != "tcp") {
        return make_error(ErrorKind::Load,
                          "SEC(\"" + prog.section + "\"): bpfplay does not run \"" + it->target +
                              "\" iterators; it runs iter/task, iter/task_file, iter/task_vma (the emulated host's "
                              "tasks, their open files and memory areas), iter/tcp (its TCP sockets) and "
                              "iter/bpf_map_elem (a map's elements)",
                          std::nullopt,
                          "Write the iterator as SEC(\"iter/task\"), \"iter/task_file\", \"iter/task_vma\", "
                          "\"iter/tcp\" or \"iter/bpf_map_elem\".");
    }
    it->ctx.assign(key_offset() + key_size, 0);
    it->seq.address = base + kSeqFileOffset;
    it->out.target = it->target;
    it->out.session_id = session_id;
    it->final_call.name = kFinalCall;
    vm.memory().map(window::kContext, RegionKind::Context, kRead, it->ctx.data(), uint32_t(it->ctx.size()),
                    "bpf_iter__" + it->target + " context");
    const Host* host = vm.env ? vm.env->host : nullptr;
    if (map_id) {
        if (auto r = find_map_elems(object, *map_id, base + key_offset(), *it); !r.ok()) return r.error();
    } else if (it->target == "task_file") {
        find_task_files(vm.memory(), host, *it);
    } else if (it->target == "task_vma") {
        find_task_vmas(vm.memory(), host, *it);
    } else if (it->target == "tcp") {
        find_tcp_sockets(host, *it);
        // bpf_iter_tcp_seq_start answers the first read with SEQ_START_TOKEN, which counts as
        // seq_num 0 without running the program; tcp_prog_seq_show subtracts it again. With no
        // socket the final call alone sees 0 - 1.
        if (it->elements.empty()) it->seq_num = ~uint64_t(0);
    } else {
        find_tasks(vm.memory(), *it);
    }
    prepare_call(*it, it->elements.empty() ? it->final_call : it->elements[0]);
    it->first_prepared = true;
    vm.set_reg(1, base);
    vm.exit_check = iter_exit_check;
    run.iter = std::move(it);
    run.env.seq = &run.iter->seq;
    return Unit{};
}

void run_iterator(RunState& run) {
    size_t cursor = 0;
    bool done_stop = false;
    for (uint32_t k = 0; k < kMaxReads && read_once(run, cursor, done_stop); ++k) {
    }
}

}  // namespace bpfplay
