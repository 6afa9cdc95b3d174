// The dynptr kfuncs of Linux 6.18: dynptrs to the packet (bpf_dynptr_from_skb, _from_xdp,
// _from_skb_meta in net/core/filter.c) and the kfuncs of kernel/bpf/helpers.c that work on any
// dynptr (slices, adjust, clone, copy, memset, size, is_null, is_rdonly), and the probe-read
// kfuncs of kernel/trace/bpf_trace.c that copy into a dynptr. They share the
// dynptr helpers' code (dynptr_core.hpp): a dynptr is the 16 stack bytes of struct
// bpf_dynptr_kern, and the verifier's checks of its arguments stop the run here.
//
// An skb or xdp dynptr's data word holds the context's address (the kernel's: the sk_buff or
// xdp_buff); its bytes are reached through the run's packet at each call, as the kernel reaches
// them through the skb or xdp_buff, so a packet changed since the dynptr was made is seen as it
// is now, while the dynptr's size stays what it was.
//
// One difference: an XDP fragment is not in the program's memory here, so where the kernel's
// slice points into a fragment (the bytes lie inside one), bpfplay copies them into the buffer
// and returns it (writes through a writable slice then need bpf_dynptr_write, as the kernel
// documents for slices that cross fragments); without a buffer the run stops and says so.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/maps/map_abi.hpp"
#include "core/program.hpp"
#include "core/run/dynptr_core.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/netfilter_context.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/run/packet_helpers.hpp"
#include "core/run/probe_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace dynptr;


// The kfunc's binding id (kKfuncBindingBase + its catalog index), which the dynptr table keeps
// as the maker of a dynptr.
int32_t binding_of(const char* kfunc) {
    const KfuncProto* p = kfunc_proto(kfunc);
    return kKfuncBindingBase + int32_t(p - kfunc_protos().data());
}

// ---- bpf_dynptr_from_skb, bpf_dynptr_from_xdp, bpf_dynptr_from_skb_meta ----

// may_access_direct_pkt_data(env, NULL, BPF_WRITE): the program types that may write packet
// data. For the others the verifier calls bpf_dynptr_from_skb_rdonly instead, whose dynptr is
// read-only.
bool writes_packet(ProgType t) {
    switch (t) {
    case ProgType::SchedCls:
    case ProgType::SchedAct:
    case ProgType::Xdp:
    case ProgType::LwtXmit:
    case ProgType::SkSkb:
    case ProgType::SkMsg:
    case ProgType::CgroupSockopt:
    case ProgType::Unspec: return true; // bpfplay's raw programs may do anything
    case ProgType::SocketFilter: case ProgType::Kprobe: case ProgType::Tracepoint: case ProgType::PerfEvent:
    case ProgType::CgroupSkb: case ProgType::CgroupSock: case ProgType::LwtIn: case ProgType::LwtOut:
    case ProgType::SockOps: case ProgType::CgroupDevice: case ProgType::RawTracepoint:
    case ProgType::CgroupSockAddr: case ProgType::LwtSeg6local: case ProgType::LircMode2:
    case ProgType::SkReuseport: case ProgType::FlowDissector: case ProgType::CgroupSysctl:
    case ProgType::RawTracepointWritable: case ProgType::Tracing: case ProgType::StructOps:
    case ProgType::Ext: case ProgType::Lsm: case ProgType::SkLookup: case ProgType::Syscall:
    case ProgType::Netfilter: break;
    }
    return false;
}

// The context argument: KF_TRUSTED_ARGS, a struct __sk_buff * or struct xdp_md * the verifier
// requires to be the program's context, with a packet behind it. False after failing the run.
bool ctx_arg(Vm& vm, const char* kfunc, uint64_t ctx) {
    // A netfilter program passes its context's skb (a trusted struct sk_buff pointer).
    const uint64_t nf_skb = netfilter_skb(vm);
    if (nf_skb && ctx != nf_skb) {
        fail(vm, kfunc,
             "r1 = " + hex(ctx) + " is not the packet's struct sk_buff (ctx->skb, " + hex(nf_skb) + "): " +
                 refused("R1 must be referenced or trusted"),
             "A netfilter program passes ctx->skb, cast to struct __sk_buff *.");
        return false;
    }
    if (!nf_skb && ctx != window_base(window::kContext)) {
        const std::string type = reg_type(vm, ctx);
        fail(vm, kfunc,
             "r1 = " + hex(ctx) + " is " + pointee(type) + ", not the program's context: " +
                 refused("arg#0 expected pointer to ctx, but got " + type),
             "Pass the context pointer the program got in r1.");
        return false;
    }
    if (!packet_of(vm)) {
        fail(vm, kfunc, "this run has no packet for the dynptr to point to",
             "Run the program with a packet (--packet).");
        return false;
    }
    return true;
}

// Makes the packet dynptr of `type` at `ptr` (ptr__uninit, r3): size bytes from offset 0, or a
// null one for flags other than 0 (-EINVAL), as the kernel's bpf_dynptr_from_* do.
uint64_t from_packet(Vm& vm, const char* kfunc, uint64_t ctx, uint64_t flags, uint64_t ptr, DynptrType type) {
    DynptrTable* t = table_of(vm, kfunc);
    if (!t || !ctx_arg(vm, kfunc, ctx) || !dynptr_place_ok(vm, kfunc, 3, ptr) || !make_room(vm, *t, kfunc, 3, ptr))
        return 0;
    const PacketBuffer& p = *packet_of(vm);
    DynptrKern d;
    if (!flags) {
        const uint32_t size = type == DynptrType::Skb     ? p.len()        // skb->len
                              : type == DynptrType::Xdp ? p.total_len() // xdp_get_buff_len
                                                          : uint32_t(p.meta().size()); // skb_metadata_len
        d = make_dynptr(ctx, type, 0, size);
        if (type == DynptrType::Skb && !writes_packet(vm.env ? vm.env->prog_type : ProgType::Unspec))
            d.size |= kDynptrRdonlyBit;
    }
    // The verifier counts even a failed call's dynptr as made (a null dynptr of that type).
    make_dynptr(vm, *t, binding_of(kfunc), ptr, d, type);
    return flags ? helper_errno(kerrno::kEINVAL) : 0;
}

// int bpf_dynptr_from_skb(struct __sk_buff *s, u64 flags, struct bpf_dynptr *ptr__uninit)
uint64_t from_skb(Vm& vm, uint64_t ctx, uint64_t flags, uint64_t ptr, uint64_t, uint64_t) {
    return from_packet(vm, "bpf_dynptr_from_skb", ctx, flags, ptr, DynptrType::Skb);
}

// int bpf_dynptr_from_xdp(struct xdp_md *x, u64 flags, struct bpf_dynptr *ptr__uninit)
uint64_t from_xdp(Vm& vm, uint64_t ctx, uint64_t flags, uint64_t ptr, uint64_t, uint64_t) {
    return from_packet(vm, "bpf_dynptr_from_xdp", ctx, flags, ptr, DynptrType::Xdp);
}

// int bpf_dynptr_from_skb_meta(struct __sk_buff *skb_, u64 flags, struct bpf_dynptr *ptr__uninit):
// the metadata before the packet's data. Read-only only for a cloned skb, which a run never has.
uint64_t from_skb_meta(Vm& vm, uint64_t ctx, uint64_t flags, uint64_t ptr, uint64_t, uint64_t) {
    return from_packet(vm, "bpf_dynptr_from_skb_meta", ctx, flags, ptr, DynptrType::SkbMeta);
}

// ---- bpf_dynptr_slice, bpf_dynptr_slice_rdwr ----

// The kernel's pointer to the bytes [at, at + len) of an xdp dynptr (bpf_xdp_pointer): into the
// linear part or one fragment when they lie there. Fragments are not in the program's memory
// here, so one inside a fragment is `in_frag` (no address).
struct XdpPointer {
    int64_t err = 0;      // ERR_PTR: -EFAULT (past 16 bits), -EINVAL (past the packet)
    uint64_t addr = 0;    // the linear part
    bool in_frag = false; // inside one fragment
};

XdpPointer xdp_pointer(const PacketBuffer& p, uint32_t at, uint32_t len) {
    if (int64_t err = xdp_range_error(p, at, len)) return {err, 0, false};
    const uint32_t linear = p.len();
    if (at < linear) return {0, at + len <= linear ? p.vaddr(p.geometry().data + at) : 0, false};
    uint32_t off = at - linear;
    for (const auto& f : p.frags()) {
        if (off < f.size()) return {0, 0, off + len <= f.size()};
        off -= uint32_t(f.size());
    }
    return {};
}

// void *bpf_dynptr_slice(const struct bpf_dynptr *p, u32 offset, void *buffer__opt, u32 buffer__szk)
uint64_t slice(Vm& vm, const char* kfunc, const DynptrKern& d, uint32_t offset, uint64_t buffer, uint32_t len) {
    if (!d.data || check_off_len(d, offset, len)) return 0;
    const uint32_t at = d.offset + offset;
    PacketBuffer* p = packet_of(vm);
    switch (type_of(d)) {
    case DynptrType::Local:
    case DynptrType::Ringbuf: return d.data + at;
    case DynptrType::Skb:
        if (!p) return 0;
        // The whole packet is linear here (skb_headlen == skb->len): with a buffer,
        // skb_header_pointer points into it when the bytes are there and fails otherwise; without,
        // skb_pointer_if_linear compares unsigned (headlen - offset >= len), as the kernel does.
        if (buffer) return int64_t(at) + len <= p->len() ? p->vaddr(p->geometry().data + at) : 0;
        return uint32_t(p->len() - at) >= len ? p->vaddr(p->geometry().data + at) : 0;
    case DynptrType::Xdp: {
        if (!p) return 0;
        const XdpPointer x = xdp_pointer(*p, at, len);
        if (!x.err && x.addr) return x.addr;
        if (!buffer) {
            if (x.in_frag)
                fail(vm, kfunc,
                     "the " + std::to_string(len) + " bytes at offset " + std::to_string(at) +
                         " lie in one fragment of the multi-buffer XDP packet, where the kernel returns a "
                         "pointer into the fragment; bpfplay does not map fragments into the program's memory",
                     "Pass a buffer (buffer__opt): bpfplay then copies the bytes there and returns it.");
            return 0;
        }
        // bpf_xdp_copy_buf: the bytes that are there (a packet shrunk since the dynptr was made
        // leaves the rest of the buffer as it was).
        uint8_t* out = vm.memory().helper_ptr(buffer, len, true);
        if (out) p->copy_out(at, out, std::min(len, at < p->total_len() ? p->total_len() - at : 0u));
        return buffer;
    }
    case DynptrType::SkbMeta: return p ? p->vaddr(p->geometry().meta + at) : 0; // bpf_skb_meta_pointer
    case DynptrType::Invalid: break;
    }
    return 0; // WARN_ONCE: unknown dynptr type
}

// The dynptr (r1) and the buffer (r3, r4 bytes, may be NULL) of a slice call; false after failing.
const DynptrSlot* slice_args(Vm& vm, const char* kfunc, uint64_t ptr, uint64_t buffer, uint64_t len) {
    DynptrTable* t = table_of(vm, kfunc);
    if (!t) return nullptr;
    const DynptrSlot* s = initialized_dynptr(vm, *t, kfunc, 1, ptr);
    if (!s) return nullptr;
    if (buffer && !vm.memory().helper_ptr(buffer, len, true)) {
        fail_helper_access(vm, kfunc, buffer, len, Access::HelperWrite);
        return nullptr;
    }
    return s;
}

uint64_t dynptr_slice(Vm& vm, uint64_t ptr, uint64_t offset, uint64_t buffer, uint64_t len, uint64_t) {
    constexpr const char* kName = "bpf_dynptr_slice";
    const DynptrSlot* s = slice_args(vm, kName, ptr, buffer, len);
    return s ? slice(vm, kName, unpack(s->bytes.data()), uint32_t(offset), buffer, uint32_t(len)) : 0;
}

// The same, NULL for a read-only dynptr. The verifier refuses the call, whatever the dynptr,
// in a program whose type may not write packets.
uint64_t dynptr_slice_rdwr(Vm& vm, uint64_t ptr, uint64_t offset, uint64_t buffer, uint64_t len, uint64_t) {
    constexpr const char* kName = "bpf_dynptr_slice_rdwr";
    if (const ProgType type = vm.env ? vm.env->prog_type : ProgType::Unspec; !writes_packet(type)) {
        fail(vm, kName,
             std::string(prog_type_name(type)) + " programs may not write packet data: " +
                 refused("the prog does not allow writes to packet data"),
             "Read with bpf_dynptr_slice, or copy the bytes out with bpf_dynptr_read.");
        return 0;
    }
    const DynptrSlot* s = slice_args(vm, kName, ptr, buffer, len);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    return dynptr_rdonly(d) ? 0 : slice(vm, kName, d, uint32_t(offset), buffer, uint32_t(len));
}

// ---- bpf_dynptr_adjust, _is_null, _is_rdonly, _size, _clone ----

// The initialized dynptr in r1 and its bytes, or nullptr after failing the run.
DynptrSlot* dynptr_arg(Vm& vm, const char* kfunc, int reg, uint64_t ptr) {
    DynptrTable* t = table_of(vm, kfunc);
    return t ? initialized_dynptr(vm, *t, kfunc, reg, ptr) : nullptr;
}

// int bpf_dynptr_adjust(const struct bpf_dynptr *p, u32 start, u32 end): the view becomes
// [start, end) of what it was.
uint64_t dynptr_adjust(Vm& vm, uint64_t ptr, uint64_t start64, uint64_t end64, uint64_t, uint64_t) {
    DynptrSlot* s = dynptr_arg(vm, "bpf_dynptr_adjust", 1, ptr);
    if (!s) return 0;
    DynptrKern d = unpack(s->bytes.data());
    const uint32_t start = uint32_t(start64), end = uint32_t(end64);
    if (!d.data || start > end) return helper_errno(kerrno::kEINVAL);
    const uint32_t size = dynptr_size(d);
    if (start > size || end > size) return helper_errno(kerrno::kERANGE);
    d.offset += start;
    d.size = (end - start) | (d.size & ~kDynptrSizeMask); // bpf_dynptr_set_size
    update_dynptr(vm, *s, d);
    return 0;
}

// bool bpf_dynptr_is_null(const struct bpf_dynptr *p)
uint64_t dynptr_is_null(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    const DynptrSlot* s = dynptr_arg(vm, "bpf_dynptr_is_null", 1, ptr);
    return s && !unpack(s->bytes.data()).data;
}

// bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p): false for a null dynptr.
uint64_t dynptr_is_rdonly(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    const DynptrSlot* s = dynptr_arg(vm, "bpf_dynptr_is_rdonly", 1, ptr);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    return d.data && dynptr_rdonly(d);
}

// __u32 bpf_dynptr_size(const struct bpf_dynptr *p): -EINVAL as a __u32 for a null dynptr.
uint64_t dynptr_size_kfunc(Vm& vm, uint64_t ptr, uint64_t, uint64_t, uint64_t, uint64_t) {
    const DynptrSlot* s = dynptr_arg(vm, "bpf_dynptr_size", 1, ptr);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    return d.data ? dynptr_size(d) : uint32_t(-kerrno::kEINVAL);
}

// int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit)
uint64_t dynptr_clone(Vm& vm, uint64_t ptr, uint64_t clone, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_dynptr_clone";
    DynptrTable* t = table_of(vm, kName);
    const DynptrSlot* s = t ? initialized_dynptr(vm, *t, kName, 1, ptr) : nullptr;
    if (!s || !dynptr_place_ok(vm, kName, 2, clone)) return 0;
    const DynptrSlot parent = *s;
    if (clone != ptr && !make_room(vm, *t, kName, 2, clone)) return 0;
    const DynptrKern d = unpack(parent.bytes.data());
    std::erase_if(t->slots, [&](const DynptrSlot& c) { return c.addr == clone; });
    clone_dynptr(vm, *t, parent, clone, d.data ? d : DynptrKern{}); // bpf_dynptr_set_null
    return d.data ? 0 : helper_errno(kerrno::kEINVAL);
}

// ---- bpf_dynptr_copy, bpf_dynptr_memset ----

// The kernel's bpf_dynptr_slice(p, off, NULL, len) as copy and memset use it: the address of
// the bytes when they are in one piece of the program's memory, else 0 (they then go through
// __bpf_dynptr_read / _write, chunk by chunk, with the same result).
uint64_t direct_bytes(Vm& vm, const char* kfunc, const DynptrKern& d, uint32_t offset, uint32_t len, bool rdwr) {
    if (rdwr && dynptr_rdonly(d)) return 0;
    if (type_of(d) == DynptrType::Xdp) {
        // A range inside one fragment has a kernel pointer but no address here.
        const PacketBuffer* p = packet_of(vm);
        if (!d.data || check_off_len(d, offset, len) || !p) return 0;
        const XdpPointer x = xdp_pointer(*p, d.offset + offset, len);
        return x.err ? 0 : x.addr;
    }
    return slice(vm, kfunc, d, offset, 0, len);
}

bool stopped(const Vm& vm) { return vm.status() == RunStatus::Faulted; }

// int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, u32 dst_off, struct bpf_dynptr *src_ptr,
//                     u32 src_off, u32 size)
uint64_t dynptr_copy(Vm& vm, uint64_t dst_ptr, uint64_t dst_off64, uint64_t src_ptr, uint64_t src_off64,
                     uint64_t size64) {
    constexpr const char* kName = "bpf_dynptr_copy";
    const DynptrSlot* ds = dynptr_arg(vm, kName, 1, dst_ptr);
    const DynptrSlot* ss = ds ? dynptr_arg(vm, kName, 3, src_ptr) : nullptr;
    if (!ss) return 0;
    const DynptrKern dst = unpack(ds->bytes.data()), src = unpack(ss->bytes.data());
    const uint32_t dst_off = uint32_t(dst_off64), src_off = uint32_t(src_off64), size = uint32_t(size64);
    const uint64_t src_at = direct_bytes(vm, kName, src, src_off, size, false);
    const uint64_t dst_at = direct_bytes(vm, kName, dst, dst_off, size, true);
    if (stopped(vm)) return 0;
    uint8_t* src_slice = src_at ? vm.memory().helper_ptr(src_at, size, false) : nullptr;
    uint8_t* dst_slice = dst_at ? vm.memory().helper_ptr(dst_at, size, true) : nullptr;
    if (src_slice && dst_slice) {
        std::memmove(dst_slice, src_slice, size);
        return 0;
    }
    if (src_slice) return uint64_t(dynptr_write_at(vm, kName, dst, dst_off, src_slice, size, 0));
    if (dst_slice) return uint64_t(dynptr_read_at(vm, kName, src, src_off, dst_slice, size, 0));
    if (check_off_len(dst, dst_off, size) || check_off_len(src, src_off, size)) return helper_errno(kerrno::kE2BIG);
    uint8_t buf[256];
    for (uint32_t off = 0; off < size;) {
        const uint32_t chunk = std::min<uint32_t>(sizeof buf, size - off);
        if (int64_t err = dynptr_read_at(vm, kName, src, src_off + off, buf, chunk, 0)) return uint64_t(err);
        if (int64_t err = dynptr_write_at(vm, kName, dst, dst_off + off, buf, chunk, 0)) return uint64_t(err);
        if (stopped(vm)) return 0;
        off += chunk;
    }
    return 0;
}

// int bpf_dynptr_memset(struct bpf_dynptr *p, u32 offset, u32 size, u8 val)
uint64_t dynptr_memset(Vm& vm, uint64_t ptr, uint64_t offset64, uint64_t size64, uint64_t val, uint64_t) {
    constexpr const char* kName = "bpf_dynptr_memset";
    const DynptrSlot* s = dynptr_arg(vm, kName, 1, ptr);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    const uint32_t offset = uint32_t(offset64), size = uint32_t(size64);
    const uint64_t at = d.data ? direct_bytes(vm, kName, d, offset, size, true) : 0;
    if (stopped(vm)) return 0;
    if (uint8_t* slice_bytes = at ? vm.memory().helper_ptr(at, size, true) : nullptr) {
        std::memset(slice_bytes, int(uint8_t(val)), size);
        return 0;
    }
    if (dynptr_rdonly(d)) return helper_errno(kerrno::kEINVAL);
    if (int64_t err = check_off_len(d, offset, size)) return uint64_t(err);
    // Non-linear data under the dynptr: written from a buffer of the byte, 256 at a time.
    uint8_t buf[256];
    std::memset(buf, int(uint8_t(val)), sizeof buf);
    for (uint32_t off = 0; off < size;) {
        const uint32_t chunk = std::min<uint32_t>(sizeof buf, size - off);
        if (int64_t err = dynptr_write_at(vm, kName, d, offset + off, buf, chunk, 0)) return uint64_t(err);
        if (stopped(vm)) return 0;
        off += chunk;
    }
    return 0;
}

// ---- bpf_probe_read_{user,kernel}{,_str}_dynptr (kernel/trace/bpf_trace.c) ----

// __bpf_dynptr_copy / __bpf_dynptr_copy_str: `size` bytes of the task's or the kernel's memory
// at `src` (unsafe_ptr__ign, not checked by the verifier) to `off` of the dynptr: straight into
// its memory when that is one piece, else through __bpf_dynptr_write 256 bytes at a time (a
// string's chunks overlap by one byte, over the NUL of the one before). 0 or the string's length
// with its NUL, or a negative errno; the dynptr keeps what was copied before a fault.
uint64_t probe_read_dynptr(Vm& vm, const char* kfunc, uint64_t ptr, uint32_t off, uint32_t size, uint64_t src,
                           bool user, bool str) {
    const DynptrSlot* s = dynptr_arg(vm, kfunc, 1, ptr);
    if (!s) return 0;
    const DynptrKern d = unpack(s->bytes.data());
    auto copy = [&](uint8_t* out, uint64_t from, uint32_t n) {
        return str ? probe_copy_str(vm, out, n, from, user) : probe_copy(vm, out, n, from, user);
    };
    const uint64_t at = direct_bytes(vm, kfunc, d, off, size, true);
    if (stopped(vm)) return 0;
    if (uint8_t* slice_bytes = at ? vm.memory().helper_ptr(at, size, true) : nullptr)
        return uint64_t(copy(slice_bytes, src, size));
    if (check_off_len(d, off, size)) return helper_errno(kerrno::kE2BIG);
    uint8_t buf[256];
    uint32_t done = 0;
    for (uint32_t chunk = 0; done < size; done += str ? chunk - 1 : chunk) {
        chunk = std::min<uint32_t>(sizeof buf, size - done);
        const int64_t n = copy(buf, src + done, chunk);
        if (n < 0) return uint64_t(n);
        const uint32_t len = str ? uint32_t(n) : chunk;
        if (int64_t err = dynptr_write_at(vm, kfunc, d, off + done, buf, len, 0)) return uint64_t(err);
        if (stopped(vm)) return 0;
        if (str && (len < chunk || chunk == 1)) return done + len;
    }
    return str ? done : 0;
}

// The four kfuncs: from the task's (User) or the kernel's memory, bytes or a string (Str).
template <bool User, bool Str>
uint64_t probe_dynptr(Vm& vm, uint64_t ptr, uint64_t off, uint64_t size, uint64_t src, uint64_t) {
    constexpr const char* kNames[2][2] = {
        {"bpf_probe_read_kernel_dynptr", "bpf_probe_read_kernel_str_dynptr"},
        {"bpf_probe_read_user_dynptr", "bpf_probe_read_user_str_dynptr"},
    };
    return probe_read_dynptr(vm, kNames[User][Str], ptr, uint32_t(off), uint32_t(size), src, User, Str);
}

constexpr KfuncImpl kDynptrKfuncImpls[] = {
    {"bpf_dynptr_adjust", dynptr_adjust},
    {"bpf_dynptr_clone", dynptr_clone},
    {"bpf_dynptr_copy", dynptr_copy},
    {"bpf_dynptr_from_skb", from_skb},
    {"bpf_dynptr_from_skb_meta", from_skb_meta},
    {"bpf_dynptr_from_xdp", from_xdp},
    {"bpf_dynptr_is_null", dynptr_is_null},
    {"bpf_dynptr_is_rdonly", dynptr_is_rdonly},
    {"bpf_dynptr_memset", dynptr_memset},
    {"bpf_dynptr_size", dynptr_size_kfunc},
    {"bpf_dynptr_slice", dynptr_slice},
    {"bpf_dynptr_slice_rdwr", dynptr_slice_rdwr},
    {"bpf_probe_read_kernel_dynptr", probe_dynptr<false, false>},
    {"bpf_probe_read_kernel_str_dynptr", probe_dynptr<false, true>},
    {"bpf_probe_read_user_dynptr", probe_dynptr<true, false>},
    {"bpf_probe_read_user_str_dynptr", probe_dynptr<true, true>},
};

} // namespace

std::span<const KfuncImpl> dynptr_kfunc_impls() { return kDynptrKfuncImpls; }

} // namespace bpfplay
