// The commands of bpf_sys_bpf, each following its function in Linux 6.18's kernel/bpf/syscall.c
// (map_create, map_update_elem, map_delete_elem, map_freeze, bpf_map_get_fd_by_id,
// bpf_prog_load, link_create, bpf_raw_tracepoint_open; btf_parse in kernel/bpf/btf.c) in the
// order they check things, so the first problem reported is the kernel's. Each field offset is
// union bpf_attr's in Linux 6.18; each "ends at" is the CHECK_ATTR boundary (the end of the
// command's last field), measured on 6.18 by setting one byte at a time.
#include "core/run/sys_bpf.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/btf/btf.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_types.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/struct_ops_map.hpp"
#include "core/run/bpf_process.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

namespace e = kerrno;
namespace f = map_flag;

constexpr uint32_t kBpfFRdonly = 1u << 3, kBpfFWronly = 1u << 4; // BPF_F_RDONLY, BPF_F_WRONLY
constexpr uint32_t kBpfFTokenFd = 1u << 16;                      // BPF_F_TOKEN_FD
constexpr uint32_t kProgLoadFlags = 1 | 2 | 4 | 8 | 16 | 32 | 64 | 128 | kBpfFTokenFd;
constexpr uint32_t kBpfObjNameLen = 16;
constexpr uint32_t kComplexityLimitInsns = 1'000'000; // BPF_COMPLEXITY_LIMIT_INSNS
constexpr uint32_t kBtfMaxSize = 16 * 1024 * 1024;    // BTF_MAX_SIZE
constexpr uint32_t kLogMask = 1 | 2 | 4 | 8;          // BPF_LOG_LEVEL1 | LEVEL2 | STATS | FIXED
constexpr uint32_t kStructOpsAttach = 44;             // BPF_STRUCT_OPS
constexpr uint32_t kSha256Size = 32;


// The attr as __sys_bpf copied it.
struct Attr {
    const uint8_t* b;
    uint32_t u32(uint32_t off) const {
        uint32_t v;
        std::memcpy(&v, b + off, 4);
        return v;
    }
    uint64_t u64(uint32_t off) const {
        uint64_t v;
        std::memcpy(&v, b + off, 8);
        return v;
    }
    // CHECK_ATTR: every byte after the command's last field is zero.
    bool tail_zero(uint32_t end) const {
        return std::all_of(b + end, b + kBpfAttrSize, [](uint8_t x) { return x == 0; });
    }
};

// bpf_obj_name_cpy: a NUL within the 16 bytes, and only letters, digits, '_' and '.' before it.
// The name, or nullopt for -EINVAL (with `why`).
std::optional<std::string> obj_name(const uint8_t* src, std::string& why) {
    std::string name;
    for (uint32_t i = 0; i < kBpfObjNameLen; ++i) {
        const char c = char(src[i]);
        if (c == 0) return name;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '.';
        if (!ok) {
            why = std::string("the name has '") + c + "'; names may only use letters, digits, '_' and '.'";
            return std::nullopt;
        }
        name += c;
    }
    why = "the name fills all 16 bytes with no NUL; names have at most 15 characters";
    return std::nullopt;
}

// Map errors start with their errno ("-EINVAL: ..."), which the event log puts first itself.
std::string without_errno(const std::string& what) {
    if (what.rfind("-E", 0) != 0) return what;
    const size_t colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

class SysBpf {
  public:
    SysBpf(Vm& vm, HelperEnv& env, const uint8_t* attr, std::string& event)
        : vm_(vm), env_(env), proc_(*env.process), maps_(*env.maps), a_{attr}, event_(event) {}

    int64_t map_create();
    int64_t map_update_elem();
    int64_t map_delete_elem();
    int64_t map_freeze();
    int64_t map_get_fd_by_id();
    int64_t prog_load();
    int64_t btf_load();
    int64_t link_create();
    int64_t raw_tracepoint_open();

  private:
    // The return value `code` with its sentence for the event log.
    int64_t ret(int64_t code, std::string why) {
        event_ = code < 0 ? errno_name(code) + ": " + why : why;
        return code;
    }
    // What bpfplay cannot do: the run stops.
    int64_t unsupported(const std::string& cmd, std::string what, std::string hint) {
        vm_.helper_fail(make_error(ErrorKind::Helper, "bpf_sys_bpf(" + cmd + "): " + std::move(what),
                                   std::nullopt, std::move(hint)));
        return 0;
    }
    // Bytes the kernel copies with copy_from_kernel_nofault: nullptr when the program cannot
    // read them (the kernel's -EFAULT).
    const uint8_t* kernel_bytes(uint64_t addr, uint64_t len) const {
        return vm_.memory().helper_ptr(addr, len, /*write=*/false);
    }
    // strncpy_from_kernel_nofault(dst, addr, max): the string up to its NUL or max bytes, or
    // nullopt when a byte before that cannot be read.
    std::optional<std::string> kernel_string(uint64_t addr, uint32_t max) const {
        std::string out;
        for (uint32_t i = 0; i < max; ++i) {
            const uint8_t* p = kernel_bytes(addr + i, 1);
            if (!p) return std::nullopt;
            if (*p == 0) break;
            out += char(*p);
        }
        return out;
    }

    // The fd's object when it is a map (else the errno __bpf_map_get gives: -EBADF for no fd,
    // -EINVAL for another kind of file), with `why` set.
    const BpfFd* map_fd(int64_t fd, int64_t& err, std::string& why) const {
        const BpfFd* f = proc_.fds.get(fd);
        if (!f) {
            err = -e::kEBADF;
            why = "fd " + std::to_string(fd) + " is not open";
            return nullptr;
        }
        if (f->kind != BpfObjectKind::Map) {
            err = -e::kEINVAL;
            why = "fd " + std::to_string(fd) + " is a " + bpf_object_kind_name(f->kind) + ", not a map";
            return nullptr;
        }
        return f;
    }
    // bpf_prog_get: the program fd's object, or -EBADF / -EINVAL.
    const BpfFd* prog_fd(int64_t fd, int64_t& err, std::string& why) const {
        const BpfFd* f = proc_.fds.get(fd);
        if (!f) {
            err = -e::kEBADF;
            why = "fd " + std::to_string(fd) + " is not open";
            return nullptr;
        }
        if (f->kind != BpfObjectKind::Program || f->index >= proc_.programs.size()) {
            err = -e::kEINVAL;
            why = "fd " + std::to_string(fd) + " is a " + bpf_object_kind_name(f->kind) + ", not a program";
            return nullptr;
        }
        return f;
    }
    // A new fd for an object; -EMFILE when the process has no fd left.
    int64_t new_fd(const BpfFd& f) { return proc_.fds.open(f); }
    std::string map_label(const Map& m) const {
        return m.describe() + " (id " + std::to_string(kernel_map_id(m.id())) + ")";
    }
    // A map the kernel still has: the object's own (libbpf holds their fds), or a created one
    // that an fd or a map of maps still holds. Others were freed when their last reference
    // went away.
    bool map_alive(uint32_t id) const;
    // A prog array or map of maps update: the fd in the value turned into what the map stores
    // (a program index, a map id), or an errno.
    int64_t fd_map_value(const Map& map, uint32_t ufd, uint32_t& stored, std::string& why) const;

    Vm& vm_;
    HelperEnv& env_;
    BpfProcess& proc_;
    MapSet& maps_;
    Attr a_;
    std::string& event_;
};

bool SysBpf::map_alive(uint32_t id) const {
    return bpf_map_alive(proc_, maps_, id);
}

// ---- BPF_MAP_CREATE ----
// map_type 0, key_size 4, value_size 8, max_entries 12, map_flags 16, inner_map_fd 20,
// numa_node 24, map_name 28..44, map_ifindex 44, btf_fd 48, btf_key_type_id 52,
// btf_value_type_id 56, btf_vmlinux_value_type_id 60, map_extra 64 (u64),
// value_type_btf_obj_fd 72, map_token_fd 76, excl_prog_hash 80 (u64), excl_prog_hash_size 88;
// ends at 92.
int64_t SysBpf::map_create() {
    if (!a_.tail_zero(92))
        return ret(-e::kEINVAL, "bytes past excl_prog_hash_size (offset 92 on) must be zero");
    MapSpec spec;
    spec.type = MapType(a_.u32(0));
    spec.key_size = a_.u32(4);
    spec.value_size = a_.u32(8);
    spec.max_entries = a_.u32(12);
    const uint32_t flags = a_.u32(16);
    const bool token_flag = flags & kBpfFTokenFd;
    spec.map_flags = flags & ~kBpfFTokenFd;
    const uint32_t btf_key = a_.u32(52), btf_value = a_.u32(56), btf_vmlinux = a_.u32(60);
    spec.btf_vmlinux_value_type_id = btf_vmlinux;
    if (btf_vmlinux) {
        if (spec.type != MapType::StructOps || btf_key || btf_value)
            return ret(-e::kEINVAL, "btf_vmlinux_value_type_id is only for struct_ops maps, without key and "
                                    "value type ids");
    } else if (btf_key && !btf_value) {
        return ret(-e::kEINVAL, "btf_key_type_id is set but btf_value_type_id is not");
    }
    if (spec.type != MapType::BloomFilter && spec.type != MapType::Arena && a_.u64(64) != 0)
        return ret(-e::kEINVAL, "map_extra is only for bloom filter and arena maps");
    // bpf_get_file_flag, then the NUMA node: the emulated machine has one node (0).
    if ((spec.map_flags & kBpfFRdonly) && (spec.map_flags & kBpfFWronly))
        return ret(-e::kEINVAL, "map_flags has both BPF_F_RDONLY and BPF_F_WRONLY");
    if ((spec.map_flags & f::kNumaNode) && a_.u32(24) != 0)
        return ret(-e::kEINVAL, "numa_node " + std::to_string(a_.u32(24)) +
                                    " does not exist (the machine has "
                                    "node 0 only)");
    spec.ncpus = env_.host ? env_.host->ncpus : kDefaultCpus;

    // Maps of maps: the inner map's fd, which bpf_map_meta_alloc opens during the allocation.
    int64_t inner_err = 0;
    std::string inner_why;
    if (spec.type == MapType::ArrayOfMaps || spec.type == MapType::HashOfMaps) {
        if (const BpfFd* inner = map_fd(int32_t(a_.u32(20)), inner_err, inner_why))
            spec.inner = std::make_shared<const MapSpec>(maps_.get(inner->index)->spec());
        else
            inner_why = "inner_map_fd: " + inner_why;
    }
    // The name's characters are checked by check_map_spec (last, as the kernel checks them
    // after allocating); its 16-byte bound here.
    std::string name_why;
    auto name = obj_name(a_.b + 28, name_why);
    spec.name = name ? *name : std::string();
    if (auto problem = check_map_spec(spec)) {
        // A missing inner map is the fd's error: -EBADF, or -EINVAL for a file that is no map.
        if (!spec.inner && inner_err && problem->code == -e::kEBADF) return ret(inner_err, inner_why);
        return ret(problem->code, without_errno(problem->error.what));
    }
    // bpf_struct_ops_map_alloc: the value type must be a struct_ops value of the kernel BTF.
    if (spec.type == MapType::StructOps) {
        const Btf& kbtf = builtin_target_btf();
        const std::string_view vname = kbtf.name(btf_vmlinux);
        if (kbtf.kind(btf_vmlinux) != BtfKind::Struct || !vname.starts_with("bpf_struct_ops_") ||
            !kbtf.find_by_name(vname.substr(15), BtfKind::Struct))
            return ret(-e::kENOTSUPP, "btf_vmlinux_value_type_id " + std::to_string(btf_vmlinux) +
                                          " is not a struct_ops value type (struct bpf_struct_ops_<name>)");
        if (kbtf.type(btf_vmlinux)->size != spec.value_size)
            return ret(-e::kEINVAL, "value_size " + std::to_string(spec.value_size) + " is not the size of struct " +
                                        std::string(vname) + " (" + std::to_string(kbtf.type(btf_vmlinux)->size) + ")");
    }
    // Offload to a device (map_ifindex): no emulated device can hold a map.
    if (const uint32_t ifindex = a_.u32(44)) {
        if (spec.type != MapType::Array && spec.type != MapType::Hash)
            return ret(-e::kEINVAL, "map_ifindex: only array and hash maps can be offloaded to a device");
        const NetDevice* dev = env_.host ? env_.host->net.device(ifindex) : nullptr;
        if (!dev) return ret(-e::kEINVAL, "map_ifindex " + std::to_string(ifindex) + ": no such device");
        return ret(-e::kEOPNOTSUPP, "map_ifindex: " + dev->name + " cannot hold offloaded maps");
    }
    if (token_flag) {
        // bpf_token_get_from_fd: bpfplay's process holds no BPF token.
        const BpfFd* t = proc_.fds.get(int32_t(a_.u32(76)));
        return ret(t ? -e::kEINVAL : -e::kEBADF, "map_token_fd " + std::to_string(int32_t(a_.u32(76))) +
                                                     (t ? " is not a BPF token" : " is not open"));
    }
    if (!name) return ret(-e::kEINVAL, "map_name: " + name_why);

    // BTF for the key and value: a BTF fd, and the types' sizes must be key_size / value_size.
    std::shared_ptr<const Btf> btf;
    uint32_t btf_index = 0;
    if (btf_key || btf_value || btf_vmlinux) {
        const int32_t fd = int32_t(a_.u32(48));
        const BpfFd* b = proc_.fds.get(fd);
        if (!b) return ret(-e::kEBADF, "btf_fd " + std::to_string(fd) + " is not open");
        if (b->kind != BpfObjectKind::Btf || b->index >= proc_.btfs.size() || !proc_.btfs[b->index])
            return ret(-e::kEINVAL, "btf_fd " + std::to_string(fd) + " is a " +
                                        bpf_object_kind_name(b->kind) + ", not BTF");
        btf = proc_.btfs[b->index];
        btf_index = b->index;
        // map_check_btf: btf_type_id_size resolves each id to a sized type.
        auto sized = [&](uint32_t id, uint32_t want, const char* what) -> std::optional<int64_t> {
            auto size = btf->resolve_size(id);
            if (id >= btf->type_count() || !size.ok() || size.value() != want) {
                ret(-e::kEINVAL, std::string(what) + " type id " + std::to_string(id) + " is not a type of " +
                                     std::to_string(want) + " bytes in that BTF");
                return -e::kEINVAL;
            }
            return std::nullopt;
        };
        if (btf_key)
            if (auto err = sized(btf_key, spec.key_size, "btf_key_type_id")) return *err;
        if (auto err = sized(btf_value, spec.value_size, "btf_value_type_id")) return *err;
        // array_map_check_btf: an array's key is a 4-byte integer.
        if (btf_key && (spec.type == MapType::Array || spec.type == MapType::PercpuArray) &&
            btf->kind(btf->skip_modifiers(btf_key)) != BtfKind::Int)
            return ret(-e::kEINVAL, "btf_key_type_id: an array's key must be a 32-bit integer type");
    }
    if (const uint64_t hash = a_.u64(80)) {
        if (a_.u32(88) != kSha256Size)
            return ret(-e::kEINVAL, "excl_prog_hash_size must be 32 (a SHA-256 digest)");
        if (!kernel_bytes(hash, kSha256Size))
            return ret(-e::kEFAULT, "excl_prog_hash points to unreadable memory");
        return unsupported("BPF_MAP_CREATE",
                           "map \"" + spec.name +
                               "\" asks to be exclusive to one program (excl_prog_hash); "
                               "bpfplay does not model exclusive maps",
                           "Leave excl_prog_hash and excl_prog_hash_size zero.");
    } else if (a_.u32(88)) {
        return ret(-e::kEINVAL, "excl_prog_hash_size is set without excl_prog_hash");
    }

    // The map. The fd keeps BPF_F_RDONLY / BPF_F_WRONLY; the map itself does not
    // (bpf_map_flags_retain_permanent).
    const bool can_read = !(spec.map_flags & kBpfFWronly), can_write = !(spec.map_flags & kBpfFRdonly);
    spec.map_flags &= ~(kBpfFRdonly | kBpfFWronly);
    if (btf && btf_index == 0) { // the object's own BTF: its types can print the values
        spec.btf_key_type_id = btf_key;
        spec.btf_value_type_id = btf_value;
    }
    auto made = create_map(spec);
    if (!made.ok()) return ret(-e::kENOMEM, without_errno(made.error().what));
    auto id = maps_.add(std::move(made).value());
    if (!id.ok())
        return unsupported(
            "BPF_MAP_CREATE", id.error().what,
            "bpfplay gives every map with values its own address window, and a freed map keeps "
            "its window until the session ends: create fewer maps.");
    const int64_t fd = new_fd({BpfObjectKind::Map, id.value(), can_read, can_write});
    if (fd < 0) {
        maps_.remove_last();
        return ret(fd,
                   "the process has no free fd (RLIMIT_NOFILE " + std::to_string(BpfFdTable::kMaxFds) + ")");
    }
    maps_.map_into(vm_.memory());
    const Map& m = *maps_.get(id.value());
    return ret(fd, "created " + map_label(m) + " as fd " + std::to_string(fd) +
                       (can_write ? "" : " (read-only: BPF_F_RDONLY)") +
                       (can_read ? "" : " (write-only: BPF_F_WRONLY)"));
}

// ---- BPF_MAP_UPDATE_ELEM / DELETE_ELEM / FREEZE ----
// map_fd 0, key 8 (u64), value 16 (u64), flags 24 (u64). UPDATE ends at 32, DELETE at 16
// (its last field is key), FREEZE at 4 (map_fd).

int64_t SysBpf::fd_map_value(const Map& map, uint32_t ufd, uint32_t& stored, std::string& why) const {
    int64_t err = 0;
    const int32_t fd = int32_t(ufd);
    const MapTypeInfo* info = map_type_info(map.type());
    switch (info ? info->user_value_fd : UserValueFd::None) {
    case UserValueFd::Program:
        if (const BpfFd* p = prog_fd(fd, err, why)) {
            stored = p->index;
            return 0;
        }
        why = "the value: " + why;
        return err;
    case UserValueFd::Map:
        if (const BpfFd* m = map_fd(fd, err, why)) {
            stored = m->index;
            return 0;
        }
        why = "the value: " + why;
        return err;
    case UserValueFd::PerfEvent:
        // perf_event_get: the value must be a perf event fd, and the process has none.
        why = "the value fd " + std::to_string(fd) + " is not a perf event";
        return -e::kEBADF;
    // Plain values are stored as given (a sockmap's socket fd names a host socket).
    case UserValueFd::None: break;
    }
    stored = ufd;
    return 0;
}

int64_t SysBpf::map_update_elem() {
    if (!a_.tail_zero(32)) return ret(-e::kEINVAL, "bytes past flags (offset 32 on) must be zero");
    int64_t err = 0;
    std::string why;
    const int32_t fd = int32_t(a_.u32(0));
    const BpfFd* f = map_fd(fd, err, why);
    if (!f) return ret(err, why);
    Map& map = *maps_.get(f->index);
    if (!f->can_write || map.frozen())
        return ret(-e::kEPERM, map_label(map) + (map.frozen() ? " is frozen" : " was opened read-only") +
                                   ": user space may not change it");
    const uint64_t flags = a_.u64(24);
    if (flags & map_update::kLock) return ret(-e::kEINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value");
    const uint8_t* key = map.key_size() ? kernel_bytes(a_.u64(8), map.key_size()) : nullptr;
    if (map.key_size() && !key)
        return ret(-e::kEFAULT, "the key pointer " + hex(a_.u64(8)) + " is not readable");
    const uint32_t vsize = map.user_value_size();
    const uint8_t* value = kernel_bytes(a_.u64(16), vsize);
    if (!value) return ret(-e::kEFAULT, "the value pointer " + hex(a_.u64(16)) + " is not readable");
    std::vector<uint8_t> v(value, value + vsize);
    const std::span<const uint8_t> k(key, map.key_size());
    const bool fd_array = map.type() == MapType::ProgArray || map.type() == MapType::ArrayOfMaps ||
                          map.type() == MapType::PerfEventArray;
    if (fd_array) {
        // bpf_fd_array_map_update_elem: flags, then the index, then the fd.
        uint32_t index = 0;
        std::memcpy(&index, key, 4);
        if (flags != map_update::kAny) return ret(-e::kEINVAL, "an fd array takes BPF_ANY only");
        if (index >= map.max_entries())
            return ret(-e::kE2BIG, "index " + std::to_string(index) + " is past max_entries " +
                                       std::to_string(map.max_entries()));
    }
    if (fd_array || map.type() == MapType::HashOfMaps) {
        uint32_t ufd = 0, stored = 0;
        std::memcpy(&ufd, value, 4);
        if (int64_t rc = fd_map_value(map, ufd, stored, why); rc < 0) return ret(rc, why);
        std::memcpy(v.data(), &stored, 4);
    }
    const int64_t rc = map.update_user(k, v, flags);
    if (rc < 0) return ret(rc, "updating " + map_label(map) + " failed");
    return ret(0, "updated key " + hex_bytes(k) + " of " + map_label(map));
}

int64_t SysBpf::map_delete_elem() {
    if (!a_.tail_zero(16)) return ret(-e::kEINVAL, "bytes past key (offset 16 on) must be zero");
    int64_t err = 0;
    std::string why;
    const BpfFd* f = map_fd(int32_t(a_.u32(0)), err, why);
    if (!f) return ret(err, why);
    Map& map = *maps_.get(f->index);
    if (!f->can_write || map.frozen())
        return ret(-e::kEPERM, map_label(map) + (map.frozen() ? " is frozen" : " was opened read-only") +
                                   ": user space may not change it");
    const uint8_t* key = map.key_size() ? kernel_bytes(a_.u64(8), map.key_size()) : nullptr;
    if (map.key_size() && !key)
        return ret(-e::kEFAULT, "the key pointer " + hex(a_.u64(8)) + " is not readable");
    const std::span<const uint8_t> k(key, map.key_size());
    const int64_t rc = map.delete_user(k);
    if (rc < 0) return ret(rc, "deleting key " + hex_bytes(k) + " of " + map_label(map) + " failed");
    return ret(0, "deleted key " + hex_bytes(k) + " of " + map_label(map));
}

int64_t SysBpf::map_freeze() {
    if (!a_.tail_zero(4)) return ret(-e::kEINVAL, "bytes past map_fd (offset 4 on) must be zero");
    int64_t err = 0;
    std::string why;
    const BpfFd* f = map_fd(int32_t(a_.u32(0)), err, why);
    if (!f) return ret(err, why);
    Map& map = *maps_.get(f->index);
    if (!f->can_write || map.frozen())
        return ret(-e::kEPERM, map_label(map) +
                                   (map.frozen() ? " is already frozen" : " was opened read-only") +
                                   ": freezing needs write access");
    const int64_t rc = map.freeze();
    if (rc < 0) return ret(rc, "freezing " + map_label(map) + " failed");
    return ret(0, "froze " + map_label(map) + ": user space may no longer change it");
}

// ---- BPF_MAP_GET_FD_BY_ID ----
// map_id 0, next_id 4, open_flags 8; ends at 12.
int64_t SysBpf::map_get_fd_by_id() {
    const uint32_t open_flags = a_.u32(8);
    if (!a_.tail_zero(12) || (open_flags & ~(kBpfFRdonly | kBpfFWronly)))
        return ret(-e::kEINVAL,
                   "open_flags may hold only BPF_F_RDONLY or BPF_F_WRONLY, and bytes from offset 12 "
                   "on must be zero");
    if ((open_flags & kBpfFRdonly) && (open_flags & kBpfFWronly))
        return ret(-e::kEINVAL, "open_flags has both BPF_F_RDONLY and BPF_F_WRONLY");
    const uint32_t kid = a_.u32(0);
    if (kid == 0 || kid - 1 >= maps_.size() || !map_alive(kid - 1))
        return ret(-e::kENOENT, "no map has id " + std::to_string(kid));
    const uint32_t id = kid - 1;
    const int64_t fd =
        new_fd({BpfObjectKind::Map, id, !(open_flags & kBpfFWronly), !(open_flags & kBpfFRdonly)});
    if (fd < 0) return ret(fd, "the process has no free fd");
    return ret(fd, "opened " + map_label(*maps_.get(id)) + " as fd " + std::to_string(fd));
}

// ---- BPF_PROG_LOAD ----
// prog_type 0, insn_cnt 4, insns 8, license 16, log_level 24, log_size 28, log_buf 32,
// kern_version 40, prog_flags 44, prog_name 48..64, prog_ifindex 64, expected_attach_type 68,
// ..., attach_btf_id 108, attach_prog_fd / attach_btf_obj_fd 112, ..., prog_token_fd 144,
// ... keyring_id 164: every byte is a field (it ends at 168).
int64_t SysBpf::prog_load() {
    const uint32_t type = a_.u32(0), insn_cnt = a_.u32(4), flags = a_.u32(44);
    if (flags & ~kProgLoadFlags)
        return ret(-e::kEINVAL, "prog_flags has unknown bits " + hex(flags & ~kProgLoadFlags));
    if (flags & kBpfFTokenFd) {
        const BpfFd* t = proc_.fds.get(int32_t(a_.u32(144)));
        return ret(t ? -e::kEINVAL : -e::kEBADF, "prog_token_fd " + std::to_string(int32_t(a_.u32(144))) +
                                                     (t ? " is not a BPF token" : " is not open"));
    }
    if (insn_cnt == 0 || insn_cnt > kComplexityLimitInsns)
        return ret(-e::kE2BIG, "insn_cnt " + std::to_string(insn_cnt) + " is not 1 to 1000000");
    if (const uint32_t attach_fd = a_.u32(112)) {
        // A program to extend or trace, else a kernel BTF object; bpfplay's BTF objects never
        // are the kernel's.
        const BpfFd* t = proc_.fds.get(int32_t(attach_fd));
        if (!t || t->kind != BpfObjectKind::Program) {
            if (t && t->kind == BpfObjectKind::Btf)
                return ret(-e::kENOTSUPP, "attach_btf_obj_fd names a program's BTF, not a kernel BTF object");
            return ret(-e::kEINVAL,
                       "attach_prog_fd " + std::to_string(attach_fd) + " is neither a program nor BTF");
        }
    }
    if (type == uint32_t(ProgType::Syscall) && a_.u32(68) != 0)
        return ret(-e::kEINVAL, "a syscall program takes no expected_attach_type");
    if (!kernel_bytes(a_.u64(8), uint64_t(insn_cnt) * 8))
        return ret(-e::kEFAULT, "insns " + hex(a_.u64(8)) + " does not point to " + std::to_string(insn_cnt) +
                                    " readable instructions");
    auto license = kernel_string(a_.u64(16), 127);
    if (!license) return ret(-e::kEFAULT, "license " + hex(a_.u64(16)) + " is not a readable string");
    if (type == 0 || type >= kProgTypeCount)
        return ret(-e::kEINVAL, "prog_type " + std::to_string(type) + " is not a program type");
    std::string why;
    auto name = obj_name(a_.b + 48, why);
    if (!name) return ret(-e::kEINVAL, "prog_name: " + why);
    return unsupported(
        "BPF_PROG_LOAD",
        "program \"" + *name + "\" (" + prog_type_name(ProgType(type)) + ", " + std::to_string(insn_cnt) +
            " instructions) is well formed, but bpfplay does not load "
            "programs at run time (it has no verifier to give the kernel's verdict)",
        "Put the program in the object instead and let the loader load it; bpfplay returns the "
        "kernel's errors for malformed BPF_PROG_LOAD attrs only.");
}

// ---- BPF_BTF_LOAD ----
// btf 0 (u64), btf_log_buf 8 (u64), btf_size 16, btf_log_size 20, btf_log_level 24,
// btf_log_true_size 28, btf_flags 32, btf_token_fd 36; ends at 40.
int64_t SysBpf::btf_load() {
    if (!a_.tail_zero(40)) return ret(-e::kEINVAL, "bytes past btf_token_fd (offset 40 on) must be zero");
    const uint32_t btf_flags = a_.u32(32);
    if (btf_flags & ~kBpfFTokenFd) return ret(-e::kEINVAL, "btf_flags may only hold BPF_F_TOKEN_FD");
    if (btf_flags & kBpfFTokenFd) {
        const BpfFd* t = proc_.fds.get(int32_t(a_.u32(36)));
        return ret(t ? -e::kEINVAL : -e::kEBADF, "btf_token_fd " + std::to_string(int32_t(a_.u32(36))) +
                                                     (t ? " is not a BPF token" : " is not open"));
    }
    const uint32_t size = a_.u32(16);
    if (size > kBtfMaxSize) return ret(-e::kE2BIG, "btf_size " + std::to_string(size) + " is over 16 MiB");
    // bpf_vlog_init: log_buf and log_size together, a level for a buffer, known level bits.
    const uint64_t log_buf = a_.u64(8);
    const uint32_t log_size = a_.u32(20), log_level = a_.u32(24);
    if ((log_buf != 0) != (log_size != 0) || (log_buf && log_level == 0) || (log_level & ~kLogMask) ||
        log_size > (UINT32_MAX >> 2))
        return ret(-e::kEINVAL,
                   "the log attributes (btf_log_buf, btf_log_size, btf_log_level) do not fit together");
    // copy_from_kernel_nofault refuses NULL even for 0 bytes.
    const uint64_t data = a_.u64(0);
    const uint8_t* bytes = data ? kernel_bytes(data, size) : nullptr;
    if (!bytes)
        return ret(-e::kEFAULT,
                   "btf " + hex(data) + " does not point to " + std::to_string(size) + " readable bytes");
    auto parsed = parse_btf({bytes, size});
    if (!parsed.ok()) return ret(-e::kEINVAL, "the BTF is malformed: " + parsed.error().what);
    proc_.btfs.push_back(std::make_shared<const Btf>(std::move(parsed).value()));
    const uint32_t index = uint32_t(proc_.btfs.size() - 1);
    const int64_t fd = new_fd({BpfObjectKind::Btf, index, true, false});
    if (fd < 0) {
        proc_.btfs.pop_back();
        return ret(fd, "the process has no free fd");
    }
    return ret(fd, "loaded " + std::to_string(proc_.btfs.back()->type_count() - 1) + " BTF types as fd " +
                       std::to_string(fd));
}

// ---- BPF_LINK_CREATE ----
// prog_fd / map_fd 0, target_fd 4, attach_type 8, flags 12, then per-type fields; ends at 60.
int64_t SysBpf::link_create() {
    if (!a_.tail_zero(60)) return ret(-e::kEINVAL, "bytes from offset 60 on must be zero");
    int64_t err = 0;
    std::string why;
    const int32_t fd = int32_t(a_.u32(0));
    if (a_.u32(8) == kStructOpsAttach) {
        // bpf_struct_ops_link_create: the fd must be a struct_ops map created with BPF_F_LINK;
        // bpfplay's syscall programs do not attach one (the loader registers struct_ops maps).
        const BpfFd* m = map_fd(fd, err, why);
        if (!m) return ret(err, why);
        const Map& map = *maps_.get(m->index);
        if (map.type() != MapType::StructOps)
            return ret(-e::kEINVAL, "map fd " + std::to_string(fd) + " is not a struct_ops map");
        if (!(map.map_flags() & kBpfFLink))
            return ret(-e::kEINVAL, "struct_ops map fd " + std::to_string(fd) + " was not created with BPF_F_LINK");
        return ret(-e::kEOPNOTSUPP, "bpfplay does not attach struct_ops links from programs");
    }
    const BpfFd* p = prog_fd(fd, err, why);
    if (!p) return ret(err, why);
    const BpfProgramInfo& prog = proc_.programs[p->index];
    switch (prog.type) {
    case ProgType::Unspec:
    case ProgType::SocketFilter:
    case ProgType::SchedAct:
    case ProgType::LwtIn:
    case ProgType::LwtOut:
    case ProgType::LwtXmit:
    case ProgType::LwtSeg6local:
    case ProgType::Syscall:
        return ret(-e::kEINVAL, std::string(prog_type_name(prog.type)) + " programs cannot be linked");
    // link_create's attach paths (cgroup, netns, tracing, xdp, tcx, perf, netfilter, kprobe_multi...).
    case ProgType::Kprobe:
    case ProgType::SchedCls:
    case ProgType::Tracepoint:
    case ProgType::Xdp:
    case ProgType::PerfEvent:
    case ProgType::CgroupSkb:
    case ProgType::CgroupSock:
    case ProgType::SockOps:
    case ProgType::SkSkb:
    case ProgType::CgroupDevice:
    case ProgType::SkMsg:
    case ProgType::RawTracepoint:
    case ProgType::CgroupSockAddr:
    case ProgType::LircMode2:
    case ProgType::SkReuseport:
    case ProgType::FlowDissector:
    case ProgType::CgroupSysctl:
    case ProgType::RawTracepointWritable:
    case ProgType::CgroupSockopt:
    case ProgType::Tracing:
    case ProgType::StructOps:
    case ProgType::Ext:
    case ProgType::Lsm:
    case ProgType::SkLookup:
    case ProgType::Netfilter: break;
    }
    return unsupported("BPF_LINK_CREATE",
                       "program \"" + prog.name + "\" (" + prog_type_name(prog.type) +
                           ") would be attached, but bpfplay has no attach points",
                       "Run the program itself: each run of bpfplay is one BPF_PROG_TEST_RUN.");
}

// ---- BPF_RAW_TRACEPOINT_OPEN ----
// name 0 (u64), prog_fd 8, cookie 16 (u64); ends at 24.
int64_t SysBpf::raw_tracepoint_open() {
    if (!a_.tail_zero(24)) return ret(-e::kEINVAL, "bytes past cookie (offset 24 on) must be zero");
    int64_t err = 0;
    std::string why;
    const BpfFd* p = prog_fd(int32_t(a_.u32(8)), err, why);
    if (!p) return ret(err, why);
    const BpfProgramInfo& prog = proc_.programs[p->index];
    // Only trampoline programs (their attach point came with their load) and raw tracepoint
    // programs (named here) attach through this command.
    const bool trampoline = prog.type == ProgType::Tracing || prog.type == ProgType::Ext || prog.type == ProgType::Lsm;
    const bool raw_tp = prog.type == ProgType::RawTracepoint || prog.type == ProgType::RawTracepointWritable;
    if (!trampoline && !raw_tp)
        return ret(-e::kEINVAL, std::string(prog_type_name(prog.type)) + " programs do not attach to raw tracepoints");
    if (raw_tp)
        // The name is read with strncpy_from_user, which a kernel caller's pointer fails.
        return ret(-e::kEFAULT, "the tracepoint name is read as a user pointer, which a syscall program's is not");
    if (a_.u64(0)) return ret(-e::kEINVAL, "a tracing program's attach point comes from its load, not a name");
    return unsupported("BPF_RAW_TRACEPOINT_OPEN",
                       "program \"" + prog.name + "\" would be attached, but bpfplay has no attach points",
                       "Run the program itself: each run of bpfplay is one BPF_PROG_TEST_RUN.");
}

} // namespace

bool bpf_map_alive(const BpfProcess& proc, const MapSet& maps, uint32_t id) {
    if (id < proc.object_maps) return true;
    if (proc.fds.holds_map(id)) return true;
    for (uint32_t m = 0; m < maps.size(); ++m) {
        const Map& outer = *maps.get(m);
        if (outer.type() != MapType::ArrayOfMaps && outer.type() != MapType::HashOfMaps) continue;
        bool held = false;
        outer.for_each_entry([&](std::span<const uint8_t>, uint32_t slot) {
            uint32_t inner = 0;
            auto v = outer.slot_value(slot);
            if (v.size() >= 4) std::memcpy(&inner, v.data(), 4);
            held = inner == id;
            return !held;
        });
        if (held) return true;
    }
    return false;
}

namespace {

// enum bpf_cmd, one row per command in its order: its name, and how bpf_sys_bpf runs it
// (nullptr: not a command the helper passes on to __sys_bpf, so it answers -EINVAL).
struct SysBpfCommand {
    const char* name;
    int64_t (SysBpf::*run)();
};
constexpr SysBpfCommand kSysBpfCommands[] = {
    {"BPF_MAP_CREATE", &SysBpf::map_create},
    {"BPF_MAP_LOOKUP_ELEM", nullptr},
    {"BPF_MAP_UPDATE_ELEM", &SysBpf::map_update_elem},
    {"BPF_MAP_DELETE_ELEM", &SysBpf::map_delete_elem},
    {"BPF_MAP_GET_NEXT_KEY", nullptr},
    {"BPF_PROG_LOAD", &SysBpf::prog_load},
    {"BPF_OBJ_PIN", nullptr},
    {"BPF_OBJ_GET", nullptr},
    {"BPF_PROG_ATTACH", nullptr},
    {"BPF_PROG_DETACH", nullptr},
    {"BPF_PROG_TEST_RUN", nullptr},
    {"BPF_PROG_GET_NEXT_ID", nullptr},
    {"BPF_MAP_GET_NEXT_ID", nullptr},
    {"BPF_PROG_GET_FD_BY_ID", nullptr},
    {"BPF_MAP_GET_FD_BY_ID", &SysBpf::map_get_fd_by_id},
    {"BPF_OBJ_GET_INFO_BY_FD", nullptr},
    {"BPF_PROG_QUERY", nullptr},
    {"BPF_RAW_TRACEPOINT_OPEN", &SysBpf::raw_tracepoint_open},
    {"BPF_BTF_LOAD", &SysBpf::btf_load},
    {"BPF_BTF_GET_FD_BY_ID", nullptr},
    {"BPF_TASK_FD_QUERY", nullptr},
    {"BPF_MAP_LOOKUP_AND_DELETE_ELEM", nullptr},
    {"BPF_MAP_FREEZE", &SysBpf::map_freeze},
    {"BPF_BTF_GET_NEXT_ID", nullptr},
    {"BPF_MAP_LOOKUP_BATCH", nullptr},
    {"BPF_MAP_LOOKUP_AND_DELETE_BATCH", nullptr},
    {"BPF_MAP_UPDATE_BATCH", nullptr},
    {"BPF_MAP_DELETE_BATCH", nullptr},
    {"BPF_LINK_CREATE", &SysBpf::link_create},
    {"BPF_LINK_UPDATE", nullptr},
    {"BPF_LINK_GET_FD_BY_ID", nullptr},
    {"BPF_LINK_GET_NEXT_ID", nullptr},
    {"BPF_ENABLE_STATS", nullptr},
    {"BPF_ITER_CREATE", nullptr},
    {"BPF_LINK_DETACH", nullptr},
    {"BPF_PROG_BIND_MAP", nullptr},
    {"BPF_TOKEN_CREATE", nullptr},
    {"BPF_PROG_STREAM_READ_BY_FD", nullptr},
};
// __MAX_BPF_CMD of Linux 6.18: a command the kernel adds needs its row.
static_assert(std::size(kSysBpfCommands) == kBpfCmdCount);
// The rows sit where the named constants say.
static_assert(kSysBpfCommands[bpf_cmd::kMapCreate].run == &SysBpf::map_create);
static_assert(kSysBpfCommands[bpf_cmd::kMapUpdateElem].run == &SysBpf::map_update_elem);
static_assert(kSysBpfCommands[bpf_cmd::kMapDeleteElem].run == &SysBpf::map_delete_elem);
static_assert(kSysBpfCommands[bpf_cmd::kProgLoad].run == &SysBpf::prog_load);
static_assert(kSysBpfCommands[bpf_cmd::kMapGetFdById].run == &SysBpf::map_get_fd_by_id);
static_assert(kSysBpfCommands[bpf_cmd::kRawTracepointOpen].run == &SysBpf::raw_tracepoint_open);
static_assert(kSysBpfCommands[bpf_cmd::kBtfLoad].run == &SysBpf::btf_load);
static_assert(kSysBpfCommands[bpf_cmd::kMapFreeze].run == &SysBpf::map_freeze);
static_assert(kSysBpfCommands[bpf_cmd::kLinkCreate].run == &SysBpf::link_create);

}  // namespace

std::string bpf_cmd_name(uint64_t cmd) {
    if (cmd < std::size(kSysBpfCommands)) return kSysBpfCommands[cmd].name;
    return "command " + std::to_string(cmd);
}

bool sys_bpf_allows(uint64_t cmd) {
    return cmd < std::size(kSysBpfCommands) && kSysBpfCommands[cmd].run != nullptr;
}

int64_t run_sys_bpf(Vm& vm, HelperEnv& env, uint32_t cmd, const uint8_t* attr, std::string& event) {
    if (!sys_bpf_allows(cmd)) {
        event = "-EINVAL: not a command bpf_sys_bpf allows";
        return -e::kEINVAL;
    }
    SysBpf s(vm, env, attr, event);
    return (s.*kSysBpfCommands[cmd].run)();
}

std::vector<Map*> maps_sys_bpf_may_change(const Vm& vm, const HelperEnv& env, const uint64_t args[5]) {
    std::vector<Map*> out;
    const uint64_t cmd = args[0];
    if (!env.process || !env.maps ||
        (cmd != bpf_cmd::kMapUpdateElem && cmd != bpf_cmd::kMapDeleteElem && cmd != bpf_cmd::kMapFreeze))
        return out;
    const uint8_t* p = args[2] >= 4 ? vm.memory().helper_ptr(args[1], 4, false) : nullptr;
    if (!p) return out;
    uint32_t fd = 0;
    std::memcpy(&fd, p, 4);
    const BpfFd* f = env.process->fds.get(int32_t(fd));
    if (f && f->kind == BpfObjectKind::Map) out.push_back(env.maps->get(f->index));
    return out;
}

} // namespace bpfplay
