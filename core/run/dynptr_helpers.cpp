// The dynptr helpers, as kernel/bpf/helpers.c and kernel/bpf/ringbuf.c (Linux 6.18) run them,
// with the verifier's refusals checked when the call happens (dynptr_helpers.hpp).
#include "core/run/dynptr_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/helper_fail.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

constexpr int64_t kE2BIG = kerrno::kE2BIG;

// struct bpf_dynptr_kern, read from or written to the 16 stack bytes.
struct DynptrKern {
    uint64_t data = 0;
    uint32_t size = 0; // the size word: size, type and read-only bit
    uint32_t offset = 0;
};

DynptrKern unpack(const uint8_t* p) {
    return {load_le<uint64_t>(p), load_le<uint32_t>(p + 8), load_le<uint32_t>(p + 12)};
}

std::array<uint8_t, kDynptrBytes> pack(const DynptrKern& d) {
    std::array<uint8_t, kDynptrBytes> out{};
    store_le(out.data(), d.data);
    store_le(out.data() + 8, d.size);
    store_le(out.data() + 12, d.offset);
    return out;
}

// bpf_dynptr_init: the type goes in the top bits of the size word.
DynptrKern make_dynptr(uint64_t data, DynptrType type, uint32_t offset, uint32_t size) {
    return {data, size | (uint32_t(type) << kDynptrTypeShift), offset};
}

uint32_t dynptr_size(const DynptrKern& d) {
    return d.size & kDynptrSizeMask;
}
bool dynptr_rdonly(const DynptrKern& d) {
    return d.size & kDynptrRdonlyBit;
}
uint32_t dynptr_type_bits(const DynptrKern& d) {
    return (d.size & ~kDynptrRdonlyBit) >> kDynptrTypeShift;
}

// bpf_dynptr_check_off_len: -E2BIG for a range outside [0, size).
int64_t check_off_len(const DynptrKern& d, uint32_t offset, uint32_t len) {
    const uint32_t size = dynptr_size(d);
    if (len > size || offset > size - len) return -kE2BIG;
    return 0;
}

// How the helpers reach a dynptr's bytes, by the type bits of its size word: local and ring
// buffer dynptrs point at plain memory; skb and xdp ones (made by kfuncs) go through the packet
// helpers; anything else is what the kernel's WARN_ONCE default cases see.
enum class Reach : uint8_t { Memory, Packet, Unknown };
Reach reach_of(uint32_t type_bits) {
    if (type_bits > uint32_t(DynptrType::SkbMeta)) return Reach::Unknown;
    switch (DynptrType(type_bits)) {
    case DynptrType::Local:
    case DynptrType::Ringbuf: return Reach::Memory;
    case DynptrType::Skb:
    case DynptrType::Xdp:
    case DynptrType::SkbMeta: return Reach::Packet;
    case DynptrType::Invalid: return Reach::Unknown;
    }
    return Reach::Unknown;
}

const char* type_name(DynptrType t) {
    switch (t) {
    case DynptrType::Invalid: return "invalid";
    case DynptrType::Local: return "local";
    case DynptrType::Ringbuf: return "ring buffer";
    case DynptrType::Skb: return "skb";
    case DynptrType::Xdp: return "xdp";
    case DynptrType::SkbMeta: return "skb_meta";
    }
    return "?";
}

// "the kernel's verifier refuses the call (\"...\")"
std::string refused(const std::string& verifier_says) {
    return "the kernel's verifier refuses the call (\"" + verifier_says + "\")";
}

bool on_stack(uint64_t addr) {
    const uint64_t w = addr >> 32;
    return w >= window::kStack0 && w < window::kStack0 + uint64_t(kMaxCallFrames);
}

uint32_t frame_of(uint64_t addr) {
    return uint32_t((addr >> 32) - window::kStack0);
}

// Where a stack address is, as the verifier counts: the offset from its frame's r10.
int64_t fp_offset(uint64_t addr) {
    return int64_t(addr - Vm::frame_pointer(frame_of(addr)));
}

// "fp-16" (frame 0) or "fp-16 of frame 2".
std::string stack_name(uint64_t addr) {
    const int64_t off = fp_offset(addr);
    std::string s = (off < 0 ? "fp" : "fp+") + std::to_string(off);
    if (frame_of(addr) != 0) s += " of frame " + std::to_string(frame_of(addr));
    return s;
}

// How the verifier names what a register points to (reg_type_str), for a bpfplay address.
std::string reg_type(Vm& vm, uint64_t addr) {
    const uint64_t w = addr >> 32;
    if (on_stack(addr)) return "fp";
    if (w == window::kPacket) return "pkt";
    if (w == window::kContext && vm.memory().region(window::kContext).kind != RegionKind::None) return "ctx";
    if (w == window::kSockets) return "sock";
    if (MapSet* maps = vm.env ? vm.env->maps : nullptr) {
        if (maps->from_handle(addr)) return "map_ptr";
        if (auto loc = maps->from_value_address(addr))
            return loc->map->type() == MapType::Ringbuf ? "ringbuf_mem" : "map_value";
    }
    return "scalar";
}

// What a register holding a pointer of that kind points to, in words.
std::string pointee(const std::string& type) {
    if (type == "fp") return "a stack pointer";
    if (type == "pkt") return "a packet pointer";
    if (type == "ctx") return "the context pointer";
    if (type == "map_value") return "a map value pointer";
    if (type == "ringbuf_mem") return "a ring buffer record pointer";
    if (type == "map_ptr") return "a map";
    if (type == "sock") return "a socket pointer";
    return "not a pointer";
}

DynptrTable* table_of(Vm& vm, const char* helper) {
    Host* h = host_for(vm, helper);
    return h ? &h->dynptrs : nullptr;
}

// A memory argument (ARG_PTR_TO_MEM / ARG_PTR_TO_UNINIT_MEM) of `len` bytes, checked as the
// verifier's check_helper_mem_access does for the cases a program here can reach; nullptr after
// failing the run.
uint8_t* mem_arg(Vm& vm, const char* helper, int reg, uint64_t addr, uint64_t len, bool write) {
    const std::string r = "r" + std::to_string(reg) + " = " + hex(addr);
    if ((addr >> 32) == window::kPacket) {
        // may_access_direct_pkt_data: none of these helpers has pkt_access.
        fail(vm, helper,
             r + " points into the packet: " + refused("helper access to the packet is not allowed"),
             "Copy the packet bytes to the stack or a map value first.");
        return nullptr;
    }
    if (MapSet* maps = vm.env ? vm.env->maps : nullptr) {
        if (auto loc = maps->from_value_address(addr); loc && loc->map->type() != MapType::Ringbuf) {
            const std::string sizes = "value_size=" + std::to_string(loc->map->value_size()) +
                                      " off=" + std::to_string(loc->offset) + " size=" + std::to_string(len);
            if (write && (loc->map->map_flags() & map_flag::kRdonlyProg)) {
                fail(vm, helper,
                     r + " points into " + loc->map->describe() +
                         ", which programs may only read: " + refused("write into map forbidden, " + sizes),
                     "Pass memory the program may write: a map value of a writable map.");
                return nullptr;
            }
            if (uint64_t(loc->offset) + len > loc->map->value_size()) {
                fail(vm, helper,
                     r + " and " + std::to_string(len) + " bytes reach past the end of a value of " +
                         loc->map->describe() + ": " + refused("invalid access to map value, " + sizes),
                     "Keep offset + size within the map's value_size.");
                return nullptr;
            }
        }
    }
    uint8_t* p = vm.memory().helper_ptr(addr, len, write);
    if (!p) fail_helper_access(vm, helper, addr, len, write ? Access::HelperWrite : Access::HelperRead);
    return p;
}

// The slot the table has for a dynptr at exactly `addr`.
DynptrSlot* find_slot(DynptrTable& t, uint64_t addr) {
    for (DynptrSlot& s : t.slots)
        if (s.addr == addr) return &s;
    return nullptr;
}

// A `struct bpf_dynptr *` argument in register `reg`, checked as the verifier's check_func_arg
// and dynptr_get_spi check ARG_PTR_TO_DYNPTR: on a stack, at a constant offset that is a
// multiple of 8, all 16 bytes inside the frame. False after failing the run.
bool dynptr_place_ok(Vm& vm, const char* helper, int reg, uint64_t addr) {
    const std::string r = "r" + std::to_string(reg) + " = " + hex(addr);
    const std::string hint = "Declare the dynptr as a local variable (struct bpf_dynptr d;) and pass &d.";
    if ((addr >> 32) == window::kPacket) {
        fail(vm, helper,
             r + " points into the packet: " + refused("helper access to the packet is not allowed"), hint);
        return false;
    }
    // The dynptr bpf_user_ringbuf_drain hands its callback (the verifier's CONST_PTR_TO_DYNPTR)
    // lives in the callback window, where the table records it.
    if ((addr >> 32) == window::kCallbackKeys && vm.env && vm.env->host && find_slot(vm.env->host->dynptrs, addr))
        return true;
    if (!on_stack(addr)) {
        const std::string type = reg_type(vm, addr);
        fail(vm, helper,
             r + " is not on the stack (" + pointee(type) + "), and a struct bpf_dynptr must be: " +
                 refused("R" + std::to_string(reg) + " type=" + type + " expected=fp, dynptr_ptr"),
             hint);
        return false;
    }
    const int64_t off = fp_offset(addr);
    if (off % 8 != 0 || off > -int64_t(kDynptrBytes)) {
        fail(vm, helper,
             r + " is " + stack_name(addr) + ", " +
                 (off % 8 != 0 ? "not a multiple of 8 below r10"
                               : "too close to r10 for the dynptr's 16 bytes") +
                 ": " + refused("cannot pass in dynptr at an offset=" + std::to_string(off)),
             hint);
        return false;
    }
    return true;
}

bool stack_bytes_match(Vm& vm, const DynptrSlot& s) {
    const uint8_t* p = vm.memory().helper_ptr(s.addr, kDynptrBytes, false);
    return p && std::memcmp(p, s.bytes.data(), kDynptrBytes) == 0;
}

std::string made_by(const DynptrSlot& s) {
    return std::string(kernel_helper_name(s.made_by)) + " at insn " + std::to_string(s.made_pc);
}

void fail_overwritten(Vm& vm, const char* helper, const DynptrSlot& s) {
    fail(vm, helper,
         "the program wrote over the ring buffer dynptr at " + stack_name(s.addr) + " that " + made_by(s) +
             " made, while it still holds the reservation: the kernel's verifier refuses the store (\"cannot "
             "overwrite referenced dynptr\")",
         "Leave the 16 bytes of a struct bpf_dynptr to the helpers until it is submitted or discarded.");
}

// A dynptr argument the verifier requires to be initialized (arg #argno, 0-based, as its
// message counts): the slot and its 16 bytes, or nullptr after failing the run.
const DynptrSlot* initialized_dynptr(Vm& vm, DynptrTable& t, const char* helper, int reg, uint64_t addr) {
    if (!dynptr_place_ok(vm, helper, reg, addr)) return nullptr;
    const std::string expected = "Expected an initialized dynptr as arg #" + std::to_string(reg - 1);
    const DynptrSlot* s = find_slot(t, addr);
    if (!s) {
        fail(vm, helper,
             "r" + std::to_string(reg) + " points to " + stack_name(addr) +
                 ", which holds no dynptr (none was made there, or it was submitted, discarded or written "
                 "over): " +
                 refused(expected),
             "Make the dynptr first with bpf_dynptr_from_mem or bpf_ringbuf_reserve_dynptr.");
        return nullptr;
    }
    if (!stack_bytes_match(vm, *s)) {
        if (s->referenced) {
            fail_overwritten(vm, helper, *s);
        } else {
            fail(vm, helper,
                 "the program wrote over the dynptr at " + stack_name(addr) + " that " + made_by(*s) +
                     " made, which destroys it: " + refused(expected),
                 "Leave the 16 bytes of a struct bpf_dynptr to the helpers.");
        }
        return nullptr;
    }
    return s;
}

// Before a helper makes a dynptr at `addr` (MEM_UNINIT): the verifier refuses to make one over a
// ring buffer dynptr still reserved, and destroys local ones there. False after failing the run.
bool make_room(Vm& vm, DynptrTable& t, const char* helper, uint64_t addr) {
    for (const DynptrSlot& s : t.slots)
        if (s.addr < addr + kDynptrBytes && addr < s.addr + kDynptrBytes && s.referenced) {
            fail(vm, helper,
                 "r4 = " + stack_name(addr) + " would overwrite the ring buffer dynptr at " +
                     stack_name(s.addr) + " that " + made_by(s) +
                     " made, which is still reserved: " + refused("cannot overwrite referenced dynptr"),
                 "Submit or discard it first, or make the new dynptr in another stack slot.");
            return false;
        }
    std::erase_if(t.slots, [&](const DynptrSlot& s) {
        return s.addr < addr + kDynptrBytes && addr < s.addr + kDynptrBytes;
    });
    return true;
}

// Writes the dynptr's bytes to the stack and records it.
void make_dynptr(Vm& vm, DynptrTable& t, int32_t helper, uint64_t addr, const DynptrKern& d,
                 DynptrType type) {
    DynptrSlot s;
    s.addr = addr;
    s.type = type;
    s.referenced = type == DynptrType::Ringbuf;
    s.made_pc = vm.current_pc();
    s.made_by = helper;
    s.bytes = pack(d);
    std::memcpy(vm.memory().helper_ptr(addr, kDynptrBytes, true), s.bytes.data(), kDynptrBytes);
    t.slots.push_back(s);
}

// ---- bpf_dynptr_from_mem (197) ----

constexpr const char* kFromMemExpected =
    "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

uint64_t dynptr_from_mem(Vm& vm, uint64_t data, uint64_t size_reg, uint64_t flags, uint64_t ptr, uint64_t) {
    constexpr const char* kName = "bpf_dynptr_from_mem";
    DynptrTable* t = table_of(vm, kName);
    if (!t) return 0;
    // The verifier, argument by argument, then the helper's own rule (check_helper_call):
    // the memory must be a map value.
    const std::string type = reg_type(vm, data);
    if (type != "fp" && type != "pkt" && type != "map_value" && type != "ringbuf_mem") {
        fail(vm, kName,
             "r1 = " + hex(data) + " is " + pointee(type) + ": " +
                 refused("R1 type=" + type + " expected=" + kFromMemExpected),
             "Pass a pointer to a map value (a global variable or a map lookup's result).");
        return 0;
    }
    if (!mem_arg(vm, kName, 1, data, size_reg, true)) return 0;
    if (!dynptr_place_ok(vm, kName, 4, ptr)) return 0;
    if (type != "map_value") {
        fail(vm, kName,
             "r1 = " + hex(data) + " is " + pointee(type) +
                 ", but the memory of a local dynptr must be a map value: " +
                 refused("Unsupported reg type " + type + " for bpf_dynptr_from_mem data"),
             "Put the buffer in a global variable or a map value and pass a pointer to it.");
        return 0;
    }
    if (!make_room(vm, *t, kName, ptr)) return 0;
    const uint32_t size = uint32_t(size_reg); // the helper's `u32 size`
    int64_t err = 0;
    if (size > kDynptrMaxSize)
        err = -kE2BIG; // bpf_dynptr_check_size
    else if (flags)
        err = -kEINVAL; // flags is currently unsupported
    // The verifier counts even a failed call's dynptr as made (an invalid local dynptr).
    make_dynptr(vm, *t, helper_id::kDynptrFromMem, ptr,
                err ? DynptrKern{} : make_dynptr(data, DynptrType::Local, 0, size), DynptrType::Local);
    return uint64_t(err);
}

// ---- bpf_ringbuf_reserve_dynptr (198), submit (199), discard (200) ----

RingbufMap* ringbuf_arg(Vm& vm, const char* helper, int32_t id, uint64_t handle) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* m = maps ? maps->from_handle(handle) : nullptr;
    if (!m) {
        fail(vm, helper, "r1 = " + hex(handle) + " is not a map",
             "Pass the map declared with BPF_MAP_TYPE_RINGBUF.");
        return nullptr;
    }
    if (m->type() != MapType::Ringbuf) {
        fail(vm, helper,
             "r1 is " + m->describe() + ", not a ring buffer: " +
                 refused("cannot pass map_type " + std::to_string(uint32_t(m->type())) + " into func " +
                         helper + "#" + std::to_string(id)),
             "Pass the map declared with BPF_MAP_TYPE_RINGBUF.");
        return nullptr;
    }
    return static_cast<RingbufMap*>(m);
}

uint64_t ringbuf_reserve_dynptr(Vm& vm, uint64_t map, uint64_t size_reg, uint64_t flags, uint64_t ptr,
                                uint64_t) {
    constexpr const char* kName = "bpf_ringbuf_reserve_dynptr";
    DynptrTable* t = table_of(vm, kName);
    if (!t) return 0;
    RingbufMap* rb = ringbuf_arg(vm, kName, helper_id::kRingbufReserveDynptr, map);
    if (!rb || !dynptr_place_ok(vm, kName, 4, ptr) || !make_room(vm, *t, kName, ptr)) return 0;
    const uint32_t size = uint32_t(size_reg); // the helper's `u32 size`
    int64_t err = 0;
    uint64_t sample = 0;
    if (flags)
        err = -kEINVAL;
    else if (size > kDynptrMaxSize)
        err = -kE2BIG;
    else if (!(sample = rb->reserve(size)))
        err = -kEINVAL; // no room: -EINVAL, not -ENOSPC
    // Failed or not, the verifier now counts a ring buffer dynptr holding a reference, which
    // the program must submit or discard.
    make_dynptr(vm, *t, helper_id::kRingbufReserveDynptr, ptr,
                err ? DynptrKern{} : make_dynptr(sample, DynptrType::Ringbuf, 0, size), DynptrType::Ringbuf);
    return uint64_t(err);
}

uint64_t ringbuf_commit_dynptr(Vm& vm, const char* helper, uint64_t ptr, bool discard) {
    DynptrTable* t = table_of(vm, helper);
    if (!t || !dynptr_place_ok(vm, helper, 1, ptr)) return 0;
    DynptrSlot* s = find_slot(*t, ptr);
    if (!s || !s->referenced) {
        // Checked before the dynptr's type: the argument is OBJ_RELEASE.
        const std::string what = !s ? "r1 points to " + stack_name(ptr) +
                                          ", which holds no reserved ring buffer dynptr (none was made "
                                          "there, or it was already submitted "
                                          "or discarded)"
                                    : "r1 points to the " + std::string(type_name(s->type)) +
                                          " dynptr that " + made_by(*s) +
                                          " made, which holds no ring buffer reservation";
        fail(vm, helper, what + ": " + refused("arg 1 is an unacquired reference"),
             "Submit or discard each dynptr from bpf_ringbuf_reserve_dynptr exactly once.");
        return 0;
    }
    if (!stack_bytes_match(vm, *s)) {
        fail_overwritten(vm, helper, *s);
        return 0;
    }
    const DynptrKern d = unpack(s->bytes.data());
    if (d.data) {
        // The record the dynptr points to; its flags only pick a wakeup, which nobody waits for here.
        MapSet* maps = vm.env ? vm.env->maps : nullptr;
        auto where = maps ? maps->from_value_address(d.data) : std::nullopt;
        auto* rb =
            where && where->map->type() == MapType::Ringbuf ? static_cast<RingbufMap*>(where->map) : nullptr;
        if (!rb || !rb->commit(d.data, discard)) {
            fail(vm, helper,
                 "the dynptr's record at " + hex(d.data) + " is no longer reserved in its ring buffer",
                 "Was the ring buffer cleared while the program held the reservation?");
            return 0;
        }
    }
    // bpf_dynptr_set_null; the reference is released even for an invalid dynptr.
    std::memset(vm.memory().helper_ptr(ptr, kDynptrBytes, true), 0, kDynptrBytes);
    t->slots.erase(t->slots.begin() + (s - t->slots.data()));
    return 0;
}

uint64_t ringbuf_submit_dynptr(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    return ringbuf_commit_dynptr(vm, "bpf_ringbuf_submit_dynptr", ptr, false);
}

uint64_t ringbuf_discard_dynptr(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    return ringbuf_commit_dynptr(vm, "bpf_ringbuf_discard_dynptr", ptr, true);
}

// ---- bpf_dynptr_read (201), bpf_dynptr_write (202), bpf_dynptr_data (203) ----

// The bytes [at, at + len) of a dynptr's memory. They were valid when the dynptr was made and
// stay so until it is released; nullptr (after failing the run) only if something else changed.
uint8_t* dynptr_memory(Vm& vm, const char* helper, uint64_t at, uint32_t len, bool write) {
    uint8_t* p = vm.memory().helper_ptr(at, len, write);
    if (!p) fail_helper_access(vm, helper, at, len, write ? Access::HelperWrite : Access::HelperRead);
    return p;
}

uint64_t dynptr_read(Vm& vm, uint64_t dst, uint64_t len_reg, uint64_t src, uint64_t offset_reg,
                     uint64_t flags) {
    constexpr const char* kName = "bpf_dynptr_read";
    DynptrTable* t = table_of(vm, kName);
    if (!t) return 0;
    uint8_t* out = mem_arg(vm, kName, 1, dst, len_reg, true);
    if (!out) return 0;
    const DynptrSlot* s = initialized_dynptr(vm, *t, kName, 3, src);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    const uint32_t len = uint32_t(len_reg), offset = uint32_t(offset_reg);
    if (!d.data || flags) return uint64_t(-kEINVAL);
    if (int64_t err = check_off_len(d, offset, len)) return uint64_t(err);
    switch (reach_of(dynptr_type_bits(d))) {
    case Reach::Memory: {
        // memmove: a dynptr's memory and the destination may overlap.
        const uint8_t* in = dynptr_memory(vm, kName, d.data + d.offset + offset, len, false);
        if (!in) return 0;
        std::memmove(out, in, len);
        return 0;
    }
    case Reach::Packet: // skb and xdp dynptrs come only from kfuncs, which bpfplay lacks
    case Reach::Unknown: return uint64_t(-kerrno::kEFAULT);
    }
    return uint64_t(-kerrno::kEFAULT);
}

uint64_t dynptr_write(Vm& vm, uint64_t dst, uint64_t offset_reg, uint64_t src, uint64_t len_reg,
                      uint64_t flags) {
    constexpr const char* kName = "bpf_dynptr_write";
    DynptrTable* t = table_of(vm, kName);
    if (!t) return 0;
    const DynptrSlot* s = initialized_dynptr(vm, *t, kName, 1, dst);
    if (!s) return 0;
    const uint8_t* in = mem_arg(vm, kName, 3, src, len_reg, false);
    if (!in) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    const uint32_t len = uint32_t(len_reg), offset = uint32_t(offset_reg);
    if (!d.data || dynptr_rdonly(d)) return uint64_t(-kEINVAL);
    if (int64_t err = check_off_len(d, offset, len)) return uint64_t(err);
    switch (reach_of(dynptr_type_bits(d))) {
    case Reach::Memory: {
        if (flags) return uint64_t(-kEINVAL);
        uint8_t* out = dynptr_memory(vm, kName, d.data + d.offset + offset, len, true);
        if (!out) return 0;
        std::memmove(out, in, len); // the source may overlap the dynptr's memory
        return 0;
    }
    case Reach::Packet:
    case Reach::Unknown: return uint64_t(-kerrno::kEFAULT);
    }
    return uint64_t(-kerrno::kEFAULT);
}

uint64_t dynptr_data(Vm& vm, uint64_t ptr, uint64_t offset_reg, uint64_t len_reg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_dynptr_data";
    DynptrTable* t = table_of(vm, kName);
    if (!t) return 0;
    const DynptrSlot* s = initialized_dynptr(vm, *t, kName, 1, ptr);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    const uint32_t len = uint32_t(len_reg), offset = uint32_t(offset_reg);
    if (!d.data || check_off_len(d, offset, len) || dynptr_rdonly(d)) return 0;
    switch (reach_of(dynptr_type_bits(d))) {
    case Reach::Memory: return d.data + d.offset + offset;
    case Reach::Packet: // skb and xdp dynptrs take the bpf_dynptr_slice kfunc instead
    case Reach::Unknown: return 0;
    }
    return 0;
}

constexpr HelperImpl kDynptrHelperImpls[] = {
    {197, dynptr_from_mem},        // bpf_dynptr_from_mem
    {198, ringbuf_reserve_dynptr}, // bpf_ringbuf_reserve_dynptr
    {199, ringbuf_submit_dynptr},  // bpf_ringbuf_submit_dynptr
    {200, ringbuf_discard_dynptr}, // bpf_ringbuf_discard_dynptr
    {201, dynptr_read},            // bpf_dynptr_read
    {202, dynptr_write},           // bpf_dynptr_write
    {203, dynptr_data},            // bpf_dynptr_data
};

// The first ring buffer dynptr still reserved, or nullptr.
const DynptrSlot* held_reference(Vm& vm) {
    Host* h = vm.env ? vm.env->host : nullptr;
    if (!h) return nullptr;
    for (const DynptrSlot& s : h->dynptrs.slots)
        if (s.referenced) return &s;
    return nullptr;
}

// The verifier's first line for a leaked reference; its id counts the verifier's own objects,
// which bpfplay does not number.
std::string unreleased(const DynptrSlot& s) {
    return "\"Unreleased reference ... alloc_insn=" + std::to_string(s.made_pc) + "\"";
}

} // namespace

std::span<const HelperImpl> dynptr_helper_impls() {
    return kDynptrHelperImpls;
}

std::optional<Error> dynptr_exit_check(Vm& vm) {
    const DynptrSlot* s = held_reference(vm);
    if (!s) return std::nullopt;
    return make_error(
        ErrorKind::Verify,
        "the program exits still holding the ring buffer dynptr at " + stack_name(s->addr) + " that " +
            made_by(*s) + " reserved: the kernel's verifier refuses this program (" + unreleased(*s) +
            ", \"BPF_EXIT instruction in main prog would lead to reference leak\")",
        vm.current_pc(),
        "Call bpf_ringbuf_submit_dynptr or bpf_ringbuf_discard_dynptr on it on every path, even when "
        "the reservation failed.");
}

std::optional<Error> dynptr_tail_call_check(Vm& vm) {
    const DynptrSlot* s = held_reference(vm);
    if (!s) return std::nullopt;
    return make_error(ErrorKind::Helper,
                      "bpf_tail_call: the program still holds the ring buffer dynptr at " +
                          stack_name(s->addr) + " that " + made_by(*s) +
                          " reserved: the kernel's verifier refuses the call (" + unreleased(*s) +
                          ", \"tail_call would lead to reference leak\")",
                      vm.current_pc(), "Submit or discard it before the tail call.");
}

} // namespace bpfplay
