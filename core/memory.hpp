#pragma once
// The one checked path between a BPF program and bytes. The 64-bit virtual address space is
// split into 4 GiB windows (address >> 32); each window holds at most one region. Addresses
// are deterministic: the same run shows the same addresses, natively and in the browser.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/insn.hpp"

namespace bpfplay {

enum class RegionKind : uint8_t { None, Stack, Context, Packet, MapValue, ReadOnly, Data };
const char* region_kind_name(RegionKind k);

enum Perm : uint8_t { kRead = 1, kWrite = 2, kReadWrite = 3 };

// Window numbers. Window 0 stays unmapped so a NULL (or small-integer) pointer faults.
namespace window {
constexpr uint32_t kContext = 1;
constexpr uint32_t kPacket = 2;
// Window 3 holds map handles (core/maps/map_set.hpp).
constexpr uint32_t kKernel = 4;   // emulated kernel objects (task_struct for bpf_get_current_task)
// Window 5 holds per-CPU kernel variables (core/host/kernel_percpu.hpp).
constexpr uint32_t kSockets = 6;  // the host's sockets as struct bpf_sock (bpf_sk_lookup_tcp), read-only
constexpr uint32_t kCallbackKeys = 7;  // keys bpf_for_each_map_elem hands its callback, read-only
constexpr uint32_t kStack0 = 8;   // frame k < 8 (0 = the program's own) is window kStack0 + k
constexpr uint32_t kFirstFree = 16;  // map values, global data, ... are mapped from here
constexpr uint32_t kMapsEnd = 64;    // ... up to here
// Frames 8 and deeper exist only after tail calls made from subprograms (kMaxRunFrames):
// frame k is window kDeepStack0 + k - 8, above everything else.
constexpr uint32_t kDeepStack0 = 64;
constexpr uint32_t kDeepStackEnd = kDeepStack0 + uint32_t(kMaxRunFrames - kMaxCallFrames);
// The emulated kernel's conntrack entries as struct nf_conn (core/host/conntrack_objects.hpp),
// read-only: past the deep stacks, as the windows below 16 are all taken. Like the deep
// stacks, the fast run leaves its accesses to the interpreter.
constexpr uint32_t kConntrack = kDeepStackEnd;
// Objects the program allocated with bpf_obj_new (core/host/obj_heap.hpp): one chunk each, so
// a freed object's chunk is gone and an access to it faults.
constexpr uint32_t kHeap = kConntrack + 1;
constexpr uint32_t kCount = kHeap + 1;

// The window of frame `depth`'s stack, and the frame whose stack a window holds.
constexpr uint32_t stack_of_frame(uint32_t depth) {
    return depth < uint32_t(kMaxCallFrames) ? kStack0 + depth
                                            : kDeepStack0 + depth - uint32_t(kMaxCallFrames);
}
constexpr std::optional<uint32_t> frame_of_stack(uint64_t w) {
    if (w >= kStack0 && w < kStack0 + uint32_t(kMaxCallFrames)) return uint32_t(w - kStack0);
    if (w >= kDeepStack0 && w < kDeepStackEnd) return uint32_t(w - kDeepStack0) + uint32_t(kMaxCallFrames);
    return std::nullopt;
}
}  // namespace window

constexpr uint64_t window_base(uint32_t w) { return uint64_t(w) << 32; }

// An access below this address is taken for a NULL pointer (plus a field offset).
constexpr uint64_t kNullPageEnd = 0x10000;

// Host bytes of a window that are allocated in equal chunks as they are needed (a large hash
// map's values, which grow with its entries): chunk k holds window offsets [k * chunk_bytes,
// (k + 1) * chunk_bytes), and offsets from `limit` on are not allocated. The owner (the map)
// updates it in place as it grows; Memory reads it on every access that misses its contiguous
// view, so new chunks need no re-mapping. Chunks never move while mapped.
//
// A large array's chunks read as zeros until first written: `zero` is then set, chunks not yet
// written point at it (never written through), and a write asks `materialize` for the chunk's
// own zeroed bytes (nullptr: no memory left, the write fails).
struct ChunkedBytes {
    uint64_t chunk_bytes = 0;
    uint64_t limit = 0;
    std::vector<uint8_t*> chunks;
    // Bytes of chunk k that exist when the owner's chunks are not all full (one object of its
    // own size in each: bpf_obj_new's heap); empty: every chunk holds chunk_bytes.
    std::vector<uint32_t> used;
    const uint8_t* zero = nullptr;
    std::function<uint8_t*(uint64_t chunk)> materialize;

    // `len` bytes at `off`, inside one allocated chunk, to read; nullptr otherwise.
    uint8_t* at(uint64_t off, uint64_t len) const {
        if (chunk_bytes == 0 || len > limit || off > limit - len) return nullptr;
        const uint64_t c = off / chunk_bytes, within = off % chunk_bytes;
        if (c >= chunks.size() || !chunks[c]) return nullptr;  // null: freed
        if (within + len > (used.empty() ? chunk_bytes : used[c])) return nullptr;
        return chunks[c] + within;
    }
    // Where the bytes of the chunk holding `off` end (a window offset).
    uint64_t chunk_end(uint64_t off) const {
        const uint64_t c = off / chunk_bytes;
        return std::min(c * chunk_bytes + (used.empty() || c >= used.size() ? chunk_bytes : used[c]), limit);
    }
    // The same, to write.
    uint8_t* at_write(uint64_t off, uint64_t len) const {
        uint8_t* p = at(off, len);
        if (!p || !zero) return p;
        const uint64_t c = off / chunk_bytes;
        if (chunks[c] != zero) return p;
        uint8_t* own = materialize ? materialize(c) : nullptr;
        return own ? own + off % chunk_bytes : nullptr;
    }
};

struct Region {
    RegionKind kind = RegionKind::None;
    uint8_t perm = 0;
    uint8_t* host = nullptr;
    uint32_t size = 0;  // for chunked regions: the whole window's size, allocated or not
    const ChunkedBytes* chunks = nullptr;  // set when the bytes are chunked (host is then null)
    std::string name;  // "stack of frame 0", "packet", map name, ...
    std::string hint;  // what to try after an access outside it (set_hint); may be empty
};

enum class Access : uint8_t { Load, Store, Atomic, HelperRead, HelperWrite };

// A context the kernel rewrites accesses to (struct xdp_md, struct __sk_buff): loads of
// `data`/`data_end` give packet pointers, some fields are read-only, some don't exist. Such a
// region has no host bytes; the interpreter's slow path asks this object instead.
class ContextAccess {
public:
    virtual ~ContextAccess() = default;
    // On refusal return false and say why in `why` (e.g. "offset 2 is inside field data").
    virtual bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) = 0;
    virtual bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) = 0;
    // The bytes behind the fields, which a store may change (the journal saves them first).
    virtual std::span<uint8_t> state_bytes() { return {}; }
};

class Journal;

class Memory {
public:
    Memory();
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;

    // Maps host bytes (owned by the caller, who keeps them alive) at window w. Replaces what
    // was there.
    void map(uint32_t w, RegionKind kind, uint8_t perm, uint8_t* host, uint32_t size, std::string name);
    // Maps chunked bytes (owned by the caller, who keeps them alive and grows them in place) at
    // window w: `size` is the window's whole extent, of which chunks->limit bytes exist.
    void map_chunked(uint32_t w, RegionKind kind, uint8_t perm, const ChunkedBytes* chunks, uint32_t size,
                     std::string name);
    // Maps a context served by `access` (owned by the caller) at window w.
    void map_context(uint32_t w, uint32_t size, std::string name, ContextAccess* access);
    void unmap(uint32_t w);
    // Sends the stores the fast path refuses at window w (a read-only region) to `access`, whose
    // store() decides which bytes may change (a struct_ops program's writable tcp_sock fields);
    // loads keep the fast path. The next map() or unmap() of w ends it.
    void set_store_filter(uint32_t w, ContextAccess* access) {
        if (w < window::kCount) contexts_[w] = access;
    }
    // The hint describe_fault gives for an access that misses the region mapped at w.
    void set_hint(uint32_t w, std::string hint) {
        if (w < window::kCount) regions_[w].hint = std::move(hint);
    }
    const Region& region(uint32_t w) const { return regions_[w]; }
    // Changes each time a window is mapped or unmapped: whoever keeps a copy of the regions'
    // bytes, sizes and permissions (the fast run's region table) knows when to copy again.
    uint64_t layout_version() const { return layout_version_; }

    // Fast paths: a host pointer to `size` bytes at vaddr, or nullptr when the access is not
    // allowed (the caller then asks describe_fault for the error).
    uint8_t* read_ptr(uint64_t vaddr, uint32_t size) const { return lookup<false>(read_, vaddr, size); }
    uint8_t* write_ptr(uint64_t vaddr, uint32_t size) const { return lookup<true>(write_, vaddr, size); }

    // Slow paths for the interpreter: a load or store the fast path refused may still be a
    // context field access (is_context). nullopt: done; an Error: the context refused it.
    std::optional<Error> context_load(uint64_t vaddr, uint32_t size, uint64_t& value, uint32_t pc) const;
    std::optional<Error> context_store(uint64_t vaddr, uint32_t size, uint64_t value, uint32_t pc) const;
    bool is_context(uint64_t vaddr) const {
        const uint64_t w = vaddr >> 32;
        return w < window::kCount && contexts_[w] != nullptr;
    }

    // The context served at vaddr's window (nullptr when none).
    ContextAccess* context_at(uint64_t vaddr) const {
        const uint64_t w = vaddr >> 32;
        return w < window::kCount ? contexts_[w] : nullptr;
    }
    // While set, helper_ptr(..., write=true) saves the bytes it hands out to the journal first,
    // so reverse execution can restore what a helper writes.
    void set_journal(Journal* journal) { journal_ = journal; }

    // The learner-facing error for an access that failed the fast path.
    Error describe_fault(uint64_t vaddr, uint32_t size, Access access, uint32_t pc) const;

    // The emulated kernel writing its own objects (a kfunc changing a struct nf_conn mapped
    // read-only): `len` bytes at vaddr inside one plain region whatever its permissions, saved
    // to the journal first as helper_ptr's writes are; nullptr when they are not mapped.
    uint8_t* kernel_write_ptr(uint64_t vaddr, uint64_t len) const;

    // Checked byte ranges for helpers (length up to 4 GiB). nullptr when not fully inside one
    // region with the permission.
    uint8_t* helper_ptr(uint64_t vaddr, uint64_t len, bool write) const;
    // Reads a NUL-terminated string of at most max_len bytes (terminator included).
    std::optional<std::string> read_cstr(uint64_t vaddr, uint32_t max_len) const;

private:
    struct View {
        uint8_t* host = nullptr;
        uint64_t size = 0;  // 0: nothing may be accessed here on the fast path
        const ChunkedBytes* chunks = nullptr;  // asked when the contiguous part misses
    };
    template <bool kWriting>
    static uint8_t* lookup(const std::array<View, window::kCount>& t, uint64_t vaddr, uint32_t size) {
        uint64_t w = vaddr >> 32;
        if (w >= window::kCount) [[unlikely]] return nullptr;
        const View& v = t[w];
        uint64_t off = vaddr & 0xffffffffull;
        // off < 2^32 and size <= 8, so the sum cannot wrap.
        if (off + size <= v.size) [[likely]] return v.host + off;
        if (v.chunks) [[unlikely]] return kWriting ? v.chunks->at_write(off, size) : v.chunks->at(off, size);
        return nullptr;
    }

    std::array<Region, window::kCount> regions_;
    uint64_t layout_version_ = 0;
    std::array<ContextAccess*, window::kCount> contexts_{};
    std::array<View, window::kCount> read_{}, write_{};
    Journal* journal_ = nullptr;
};

template <class T>
inline T load_le(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);  // unaligned-safe, no aliasing UB; hosts are little-endian
    return v;
}
template <class T>
inline void store_le(uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof v);
}

}  // namespace bpfplay
