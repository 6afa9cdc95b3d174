// The dynptr code the helpers and the kfuncs share (dynptr_core.hpp), as kernel/bpf/helpers.c
// (Linux 6.18) does it, with the verifier's refusals checked when the call happens.
#include "core/run/dynptr_core.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/program.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/run/packet_helpers.hpp"
#include "core/run/skb_change_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay::dynptr {

namespace {

constexpr int64_t kE2BIG = kerrno::kE2BIG;
constexpr int64_t kEFAULT = kerrno::kEFAULT;
constexpr int64_t kEINVAL = kerrno::kEINVAL;

} // namespace

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

int64_t check_off_len(const DynptrKern& d, uint32_t offset, uint32_t len) {
    const uint32_t size = dynptr_size(d);
    if (len > size || offset > size - len) return -kE2BIG;
    return 0;
}

DynptrType type_of(const DynptrKern& d) {
    const uint32_t bits = dynptr_type_bits(d);
    return bits > uint32_t(DynptrType::SkbMeta) ? DynptrType::Invalid : DynptrType(bits);
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

void fail(Vm& vm, const char* helper, std::string what, std::string hint) {
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": " + std::move(what),
                              vm.current_pc(), std::move(hint)));
}

std::string refused(const std::string& verifier_says) {
    return "the kernel's verifier refuses the call (\"" + verifier_says + "\")";
}

namespace {

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

} // namespace

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
    const char* name = is_kfunc_binding(s.made_by) ? kfunc_protos()[size_t(s.made_by - kKfuncBindingBase)].name
                                                   : kernel_helper_name(s.made_by);
    return std::string(name) + " at insn " + std::to_string(s.made_pc);
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
DynptrSlot* initialized_dynptr(Vm& vm, DynptrTable& t, const char* helper, int reg, uint64_t addr) {
    if (!dynptr_place_ok(vm, helper, reg, addr)) return nullptr;
    const std::string expected = "Expected an initialized dynptr as arg #" + std::to_string(reg - 1);
    DynptrSlot* s = find_slot(t, addr);
    if (!s) {
        fail(vm, helper,
             "r" + std::to_string(reg) + " points to " + stack_name(addr) +
                 ", which holds no dynptr (none was made there, or it was submitted, discarded or written "
                 "over): " +
                 refused(expected),
             "Make the dynptr first (bpf_dynptr_from_mem, bpf_ringbuf_reserve_dynptr, bpf_dynptr_from_skb, "
             "bpf_dynptr_from_xdp...).");
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
bool make_room(Vm& vm, DynptrTable& t, const char* helper, int reg, uint64_t addr) {
    for (const DynptrSlot& s : t.slots)
        if (s.addr < addr + kDynptrBytes && addr < s.addr + kDynptrBytes && s.referenced) {
            fail(vm, helper,
                 "r" + std::to_string(reg) + " = " + stack_name(addr) + " would overwrite the ring buffer dynptr at " +
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
void make_dynptr(Vm& vm, DynptrTable& t, int32_t maker, uint64_t addr, const DynptrKern& d, DynptrType type) {
    DynptrSlot s;
    s.addr = addr;
    s.type = type;
    s.referenced = type == DynptrType::Ringbuf;
    s.made_pc = vm.current_pc();
    s.made_by = maker;
    s.bytes = pack(d);
    std::memcpy(vm.memory().helper_ptr(addr, kDynptrBytes, true), s.bytes.data(), kDynptrBytes);
    t.slots.push_back(s);
}
void update_dynptr(Vm& vm, DynptrSlot& s, const DynptrKern& d) {
    s.bytes = pack(d);
    std::memcpy(vm.memory().helper_ptr(s.addr, kDynptrBytes, true), s.bytes.data(), kDynptrBytes);
}

void clone_dynptr(Vm& vm, DynptrTable& t, const DynptrSlot& parent, uint64_t addr, const DynptrKern& d) {
    DynptrSlot s = parent; // the same type, and the same reference (alloc_insn) if it holds one
    s.addr = addr;
    s.bytes = pack(d);
    std::memcpy(vm.memory().helper_ptr(addr, kDynptrBytes, true), s.bytes.data(), kDynptrBytes);
    t.slots.push_back(s);
}

namespace {

// The bytes [at, at + len) of a dynptr's memory. They were valid when the dynptr was made and
// stay so until it is released; nullptr (after failing the run) only if something else changed.
uint8_t* dynptr_memory(Vm& vm, const char* fn, uint64_t at, uint32_t len, bool write) {
    uint8_t* p = vm.memory().helper_ptr(at, len, write);
    if (!p) fail_helper_access(vm, fn, at, len, write ? Access::HelperWrite : Access::HelperRead);
    return p;
}

// The run's packet, which an skb or xdp dynptr points to; nullptr after failing the run.
PacketBuffer* packet_for(Vm& vm, const char* fn) {
    PacketBuffer* p = packet_of(vm);
    if (!p) fail(vm, fn, "the dynptr points to a packet, but this run has none", "Run the program with a packet.");
    return p;
}

// bpf_skb_meta_pointer: the metadata area ends where the packet's data starts, and the dynptr's
// offsets count from its current start. nullptr (after failing the run) past the frame, where
// the kernel would touch memory that is not the packet's.
uint8_t* skb_meta_bytes(Vm& vm, const char* fn, PacketBuffer& p, uint32_t at, uint32_t len) {
    const uint64_t off = uint64_t(p.geometry().meta) + at;
    if (off + len > p.geometry().data) {
        fail(vm, fn,
             "the skb metadata dynptr reaches past the metadata, which shrank since the dynptr was made",
             "Make the dynptr again after changing the metadata.");
        return nullptr;
    }
    return p.frame() + off;
}

} // namespace

int64_t dynptr_read_at(Vm& vm, const char* fn, const DynptrKern& src, uint32_t offset, uint8_t* dst, uint32_t len,
                       uint64_t flags) {
    if (!src.data || flags) return -kEINVAL;
    if (int64_t err = check_off_len(src, offset, len)) return err;
    const uint32_t at = src.offset + offset; // u32, as the kernel adds them
    switch (type_of(src)) {
    case DynptrType::Local:
    case DynptrType::Ringbuf: {
        // memmove: a dynptr's memory and the destination may overlap.
        const uint8_t* in = dynptr_memory(vm, fn, src.data + at, len, false);
        if (in) std::memmove(dst, in, len);
        return 0;
    }
    case DynptrType::Skb: {
        const PacketBuffer* p = packet_for(vm, fn);
        return p ? skb_load_bytes_at(*p, at, dst, len) : 0;
    }
    case DynptrType::Xdp: {
        const PacketBuffer* p = packet_for(vm, fn);
        return p ? xdp_load_bytes_at(*p, at, dst, len) : 0;
    }
    case DynptrType::SkbMeta: {
        PacketBuffer* p = packet_for(vm, fn);
        const uint8_t* in = p ? skb_meta_bytes(vm, fn, *p, at, len) : nullptr;
        if (in) std::memmove(dst, in, len);
        return 0;
    }
    case DynptrType::Invalid: break;
    }
    return -kEFAULT; // WARN_ONCE: unknown dynptr type
}

int64_t dynptr_write_at(Vm& vm, const char* fn, const DynptrKern& dst, uint32_t offset, const uint8_t* src,
                        uint32_t len, uint64_t flags) {
    if (!dst.data || dynptr_rdonly(dst)) return -kEINVAL;
    if (int64_t err = check_off_len(dst, offset, len)) return err;
    const uint32_t at = dst.offset + offset;
    switch (type_of(dst)) {
    case DynptrType::Local:
    case DynptrType::Ringbuf: {
        if (flags) return -kEINVAL;
        uint8_t* out = dynptr_memory(vm, fn, dst.data + at, len, true);
        if (out) std::memmove(out, src, len); // the source may overlap the dynptr's memory
        return 0;
    }
    case DynptrType::Skb: {
        // BPF_F_RECOMPUTE_CSUM and BPF_F_INVALIDATE_HASH as bpf_skb_store_bytes takes them.
        PacketBuffer* p = packet_for(vm, fn);
        return p ? skb_store_bytes_at(vm, *p, at, src, len, flags) : 0;
    }
    case DynptrType::Xdp: {
        if (flags) return -kEINVAL;
        PacketBuffer* p = packet_for(vm, fn);
        return p ? xdp_store_bytes_at(vm, *p, at, src, len) : 0;
    }
    case DynptrType::SkbMeta: {
        if (flags) return -kEINVAL;
        PacketBuffer* p = packet_for(vm, fn);
        uint8_t* out = p ? skb_meta_bytes(vm, fn, *p, at, len) : nullptr;
        if (out) {
            p->save_bytes(vm, uint32_t(out - p->frame()), len);
            std::memmove(out, src, len);
        }
        return 0;
    }
    case DynptrType::Invalid: break;
    }
    return -kEFAULT; // WARN_ONCE: unknown dynptr type
}

} // namespace bpfplay::dynptr
