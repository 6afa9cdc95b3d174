#include "core/memory.hpp"

#include "core/hex.hpp"

#include "core/journal.hpp"

#include <cstdio>

namespace bpfplay {

const char* region_kind_name(RegionKind k) {
    switch (k) {
    case RegionKind::None: return "unmapped";
    case RegionKind::Stack: return "stack";
    case RegionKind::Context: return "context";
    case RegionKind::Packet: return "packet";
    case RegionKind::MapValue: return "map value";
    case RegionKind::ReadOnly: return "read-only data";
    case RegionKind::Data: return "data";
    }
    return "unknown";
}

Memory::Memory() = default;

void Memory::map(uint32_t w, RegionKind kind, uint8_t perm, uint8_t* host, uint32_t size, std::string name) {
    if (w >= window::kCount) return;
    ++layout_version_;
    contexts_[w] = nullptr;
    regions_[w] = Region{kind, perm, host, size, nullptr, std::move(name), {}};
    read_[w] = (perm & kRead) ? View{host, size, nullptr} : View{};
    write_[w] = (perm & kWrite) ? View{host, size, nullptr} : View{};
}

void Memory::map_chunked(uint32_t w, RegionKind kind, uint8_t perm, const ChunkedBytes* chunks, uint32_t size,
                         std::string name) {
    if (w >= window::kCount) return;
    ++layout_version_;
    contexts_[w] = nullptr;
    regions_[w] = Region{kind, perm, nullptr, size, chunks, std::move(name), {}};
    read_[w] = (perm & kRead) ? View{nullptr, 0, chunks} : View{};
    write_[w] = (perm & kWrite) ? View{nullptr, 0, chunks} : View{};
}

void Memory::map_context(uint32_t w, uint32_t size, std::string name, ContextAccess* access) {
    if (w >= window::kCount) return;
    ++layout_version_;
    regions_[w] = Region{RegionKind::Context, kReadWrite, nullptr, size, nullptr, std::move(name), {}};
    read_[w] = View{};  // every access takes the slow path to `access`
    write_[w] = View{};
    contexts_[w] = access;
}

void Memory::unmap(uint32_t w) {
    if (w >= window::kCount) return;
    ++layout_version_;
    contexts_[w] = nullptr;
    regions_[w] = Region{};
    read_[w] = View{};
    write_[w] = View{};
}

namespace {

const char* access_verb(Access a) {
    switch (a) {
    case Access::Load: return "load";
    case Access::Store: return "store";
    case Access::Atomic: return "atomic operation";
    case Access::HelperRead: return "helper read";
    case Access::HelperWrite: return "helper write";
    }
    return "access";
}

}  // namespace

Error Memory::describe_fault(uint64_t vaddr, uint32_t size, Access access, uint32_t pc) const {
    Error e;
    e.kind = ErrorKind::Memory;
    e.where.pc = pc;
    e.where.address = vaddr;
    const std::string head = std::to_string(size) + "-byte " + access_verb(access) + " at " + hex(vaddr);
    const uint64_t w = vaddr >> 32;
    const uint64_t off = vaddr & 0xffffffffull;
    if (w < window::kCount && regions_[w].kind != RegionKind::None) {
        const Region& g = regions_[w];
        const std::string where = "the " + std::to_string(g.size) + "-byte " + g.name + " at " + hex(window_base(uint32_t(w)));
        const bool writing = access == Access::Store || access == Access::Atomic || access == Access::HelperWrite;
        if (off + size <= g.size && writing && !(g.perm & kWrite)) {
            e.what = head + " writes to " + where + ", which is read-only";
            return e;
        }
        if (w == window::kHeap && off + size <= g.size) {
            e.hint = g.hint;
            // One object per chunk: a live one the access runs past, or a freed or unused slot.
            const uint64_t slot = g.chunks ? off / g.chunks->chunk_bytes : 0;
            if (g.chunks && slot < g.chunks->chunks.size() && g.chunks->chunks[slot] && slot < g.chunks->used.size()) {
                const uint64_t start = window_base(uint32_t(w)) + slot * g.chunks->chunk_bytes;
                e.what = head + " runs past the end of the " + std::to_string(g.chunks->used[slot]) +
                         "-byte object at " + hex(start) + " (" + where + ")";
                return e;
            }
            e.what = head + " is inside " + where + " but in no live object: the object there was freed " +
                     "(bpf_obj_drop, or dropped with the list or tree that owned it), or none was ever allocated there";
            return e;
        }
        if (g.chunks && off + size <= g.size) {
            e.what = head + " is inside " + where + " but in slots that were never handed out: the map " +
                     "allocates its values as entries arrive, and no entry has lived there";
            return e;
        }
        if (g.kind == RegionKind::Stack) {
            // Stack offsets are easier to read relative to the frame pointer, as the kernel does.
            int64_t fp_off = int64_t(off) - int64_t(g.size);
            e.what = head + " (fp" + (fp_off < 0 ? "" : "+") + std::to_string(fp_off) + ") is outside " + where +
                     ": valid stack offsets are fp-" + std::to_string(g.size) + " to fp-1";
            e.hint = "Stack slots are below r10: use negative offsets such as r10 - 8.";
            return e;
        }
        e.what = head + " is outside " + where + ": it covers bytes " + std::to_string(off) + " to " +
                 std::to_string(off + size - 1) + " of " + std::to_string(g.size);
        if (g.kind == RegionKind::Packet)
            e.hint = "Check the packet length first: compare the pointer plus the access size with data_end.";
        if (!g.hint.empty()) e.hint = g.hint;
        return e;
    }
    if (vaddr < kNullPageEnd) {
        // Where the NULL came from is the interpreter's to say (null_origin.hpp): a map lookup's
        // hint is right only when the pointer came from one.
        e.what = head + " dereferences a NULL pointer";
        return e;
    }
    // Name the nearest region so the learner can see what the pointer was probably meant to be.
    const Region* nearest = nullptr;
    uint64_t best = UINT64_MAX, best_base = 0;
    for (uint32_t k = 0; k < window::kCount; ++k) {
        const Region& g = regions_[k];
        if (g.kind == RegionKind::None) continue;
        uint64_t lo = window_base(k), hi = lo + g.size;
        uint64_t dist = vaddr < lo ? lo - vaddr : vaddr >= hi ? vaddr - hi + 1 : 0;
        if (dist < best) {
            best = dist;
            nearest = &g;
            best_base = lo;
        }
    }
    e.what = head;
    if (nearest && nearest->kind == RegionKind::Stack) {
        const int64_t fp_off = int64_t(vaddr - (best_base + nearest->size));
        e.what += " (fp" + std::string(fp_off < 0 ? "" : "+") + std::to_string(fp_off) + ")";
        e.hint = "Each frame has 512 bytes of stack, from r10 - 512 to r10 - 1.";
    }
    e.what += " is not inside any memory the program may use";
    if (nearest)
        e.what += "; the nearest is the " + std::to_string(nearest->size) + "-byte " + nearest->name + " at " +
                  hex(best_base);
    return e;
}

namespace {
Error context_error(const Region& g, uint64_t vaddr, uint32_t size, const char* verb, const std::string& why,
                    uint32_t pc) {
    Error e;
    e.kind = ErrorKind::Memory;
    e.where.pc = pc;
    e.where.address = vaddr;
    e.what = std::to_string(size) + "-byte " + verb + " at offset " + std::to_string(vaddr & 0xffffffffull) +
             " of the " + g.name + " is not allowed: " + why;
    return e;
}
}  // namespace

std::optional<Error> Memory::context_load(uint64_t vaddr, uint32_t size, uint64_t& value, uint32_t pc) const {
    const uint64_t w = vaddr >> 32;
    if (!is_context(vaddr)) return describe_fault(vaddr, size, Access::Load, pc);
    std::string why;
    if (contexts_[w]->load(uint32_t(vaddr), size, value, why)) return std::nullopt;
    return context_error(regions_[w], vaddr, size, "load", why, pc);
}

std::optional<Error> Memory::context_store(uint64_t vaddr, uint32_t size, uint64_t value, uint32_t pc) const {
    const uint64_t w = vaddr >> 32;
    if (!is_context(vaddr)) return describe_fault(vaddr, size, Access::Store, pc);
    std::string why;
    if (contexts_[w]->store(uint32_t(vaddr), size, value, why)) return std::nullopt;
    return context_error(regions_[w], vaddr, size, "store", why, pc);
}

uint8_t* Memory::helper_ptr(uint64_t vaddr, uint64_t len, bool write) const {
    const uint64_t w = vaddr >> 32;
    if (w >= window::kCount) return nullptr;
    const View& v = write ? write_[w] : read_[w];
    const uint64_t off = vaddr & 0xffffffffull;
    uint8_t* p = nullptr;
    if (len <= v.size && off <= v.size - len) p = v.host + off;
    else if (v.chunks) p = write ? v.chunks->at_write(off, len) : v.chunks->at(off, len);
    if (!p) return nullptr;
    if (write && journal_) journal_->mem(p, vaddr, len);
    return p;
}

uint8_t* Memory::kernel_write_ptr(uint64_t vaddr, uint64_t len) const {
    const uint64_t w = vaddr >> 32;
    if (w >= window::kCount) return nullptr;
    const Region& r = regions_[w];
    const uint64_t off = vaddr & 0xffffffffull;
    if (!r.host || len > r.size || off > r.size - len) return nullptr;
    uint8_t* p = r.host + off;
    if (journal_) journal_->mem(p, vaddr, len);
    return p;
}

std::optional<std::string> Memory::read_cstr(uint64_t vaddr, uint32_t max_len) const {
    const uint64_t w = vaddr >> 32;
    if (w >= window::kCount) return std::nullopt;
    const View& v = read_[w];
    const uint64_t off = vaddr & 0xffffffffull;
    const uint8_t* p = nullptr;
    uint64_t avail = 0;
    if (off < v.size) {
        p = v.host + off;
        avail = std::min<uint64_t>(v.size - off, max_len);
    } else if (v.chunks && (p = v.chunks->at(off, 1))) {
        // A string in chunked memory ends inside its chunk (a map value never spans two).
        avail = std::min<uint64_t>(v.chunks->chunk_end(off) - off, max_len);
    } else {
        return std::nullopt;
    }
    for (uint64_t k = 0; k < avail; ++k)
        if (p[k] == 0) return std::string(reinterpret_cast<const char*>(p), k);
    return std::nullopt;
}

}  // namespace bpfplay
