// The dynptr helpers, as kernel/bpf/helpers.c and kernel/bpf/ringbuf.c (Linux 6.18) run them,
// with the verifier's refusals checked when the call happens (dynptr_helpers.hpp). What they
// share with the dynptr kfuncs is in dynptr_core.cpp.
#include "core/run/dynptr_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/kernel_refs.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/dynptr_core.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace dynptr;

constexpr int64_t kE2BIG = kerrno::kE2BIG;

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
    if (!make_room(vm, *t, kName, 4, ptr)) return 0;
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
    if (!rb || !dynptr_place_ok(vm, kName, 4, ptr) || !make_room(vm, *t, kName, 4, ptr)) return 0;
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
    // bpf_dynptr_set_null; the reference is released even for an invalid dynptr, and with it
    // every clone of the dynptr (bpf_dynptr_clone), which holds the same reservation.
    std::memset(vm.memory().helper_ptr(ptr, kDynptrBytes, true), 0, kDynptrBytes);
    const DynptrSlot released = *s;
    std::erase_if(t->slots, [&](const DynptrSlot& c) {
        return c.addr == ptr || (c.referenced && c.made_pc == released.made_pc && c.made_by == released.made_by &&
                                 unpack(c.bytes.data()).data == d.data);
    });
    return 0;
}

uint64_t ringbuf_submit_dynptr(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    return ringbuf_commit_dynptr(vm, "bpf_ringbuf_submit_dynptr", ptr, false);
}

uint64_t ringbuf_discard_dynptr(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    return ringbuf_commit_dynptr(vm, "bpf_ringbuf_discard_dynptr", ptr, true);
}

// ---- bpf_dynptr_read (201), bpf_dynptr_write (202), bpf_dynptr_data (203) ----

uint64_t dynptr_read(Vm& vm, uint64_t dst, uint64_t len_reg, uint64_t src, uint64_t offset_reg,
                     uint64_t flags) {
    constexpr const char* kName = "bpf_dynptr_read";
    DynptrTable* t = table_of(vm, kName);
    if (!t) return 0;
    uint8_t* out = mem_arg(vm, kName, 1, dst, len_reg, true);
    if (!out) return 0;
    const DynptrSlot* s = initialized_dynptr(vm, *t, kName, 3, src);
    if (!s) return 0;
    return uint64_t(
        dynptr_read_at(vm, kName, unpack(s->bytes.data()), uint32_t(offset_reg), out, uint32_t(len_reg), flags));
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
    return uint64_t(
        dynptr_write_at(vm, kName, unpack(s->bytes.data()), uint32_t(offset_reg), in, uint32_t(len_reg), flags));
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
    switch (type_of(d)) {
    case DynptrType::Local:
    case DynptrType::Ringbuf: return d.data + d.offset + offset;
    // skb, xdp and skb metadata dynptrs take bpf_dynptr_slice / bpf_dynptr_slice_rdwr instead.
    case DynptrType::Skb:
    case DynptrType::Xdp:
    case DynptrType::SkbMeta:
    case DynptrType::Invalid: return 0;
    }
    return 0;
}

constexpr HelperImpl kImpls[] = {
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
    return kImpls;
}

std::optional<Error> dynptr_exit_check(Vm& vm) {
    const DynptrSlot* s = held_reference(vm);
    if (!s) return held_object_error(vm, /*tail_call=*/false);
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
    if (!s) return held_object_error(vm, /*tail_call=*/true);
    return make_error(ErrorKind::Helper,
                      "bpf_tail_call: the program still holds the ring buffer dynptr at " +
                          stack_name(s->addr) + " that " + made_by(*s) +
                          " reserved: the kernel's verifier refuses the call (" + unreleased(*s) +
                          ", \"tail_call would lead to reference leak\")",
                      vm.current_pc(), "Submit or discard it before the tail call.");
}

} // namespace bpfplay
