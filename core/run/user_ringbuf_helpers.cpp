// bpf_user_ringbuf_drain: checks its arguments as the kernel does, skips the discarded records
// at the consumer, and asks the Vm for a callback frame whose `next` hands each record over as a
// dynptr. The dynptr's 16 bytes go in the callback frame's slot of the read-only callback window
// (the kernel keeps it on its own stack and the verifier types r1 a const dynptr pointer).
#include "core/run/user_ringbuf_helpers.hpp"

#include <array>
#include <cstring>
#include <string>

#include "core/callback.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/journal.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/user_ringbuf_map.hpp"
#include "core/run/callback_helpers.hpp"
#include "core/run/dynptr_helpers.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr const char* kUserRingbufDrainName = "bpf_user_ringbuf_drain";
using uapi::kWakeupFlags;
constexpr uint16_t kDrainArgs = 0x6;      // r1 = dynptr, r2 = ctx

// Puts back what handing one record over changed outside the journal's memory records: the
// consumer position and the run's dynptr table.
class RestoreDrain final : public UndoAction {
  public:
    RestoreDrain(UserRingbufMap& map, Host& host)
        : map_(map), host_(host), consumer_(map.consumer_pos()), dynptrs_(host.dynptrs) {}
    void undo() override {
        map_.set_consumer_pos(consumer_);
        host_.dynptrs = dynptrs_;
    }
    size_t bytes() const override { return sizeof *this + dynptrs_.slots.size() * sizeof(DynptrSlot); }

  private:
    UserRingbufMap& map_;
    Host& host_;
    uint64_t consumer_;
    DynptrTable dynptrs_;
};

UserRingbufMap* map_of(Vm& vm, uint64_t handle) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* m = maps ? maps->from_handle(handle) : nullptr;
    return m && m->type() == MapType::UserRingbuf ? static_cast<UserRingbufMap*>(m) : nullptr;
}

// Skips discarded records; true when a sample is next. `looked` counts every record looked at.
bool skip_discarded(UserRingbufMap& map, uint64_t& looked) {
    while (looked < kMaxUserRingbufSamples) {
        const UserRingbufMap::PeekResult p = map.peek();
        if (p.kind == UserRingbufMap::Peek::Empty) return false;
        if (p.kind == UserRingbufMap::Peek::Sample) return true;
        ++looked;
    }
    return false;
}

// The next record for the callback frame at `depth`: consumed now (the kernel releases it after
// the callback returns; nothing can tell the difference), handed over as a dynptr.
bool drain_next(Vm& vm, uint32_t depth, CallbackState& s, uint64_t args[5]) {
    UserRingbufMap* map = map_of(vm, s.map);
    Host* host = vm.env ? vm.env->host : nullptr;
    if (!map || !host) return false;
    if (Journal* j = vm.journal()) j->external(std::make_unique<RestoreDrain>(*map, *host));
    if (!skip_discarded(*map, s.position)) return false;
    const UserRingbufMap::PeekResult p = map->peek();
    ++s.position;
    map->release(p.size);
    // bpf_dynptr_init(&dynptr, sample, BPF_DYNPTR_TYPE_LOCAL, 0, size).
    std::array<uint8_t, kDynptrBytes> bytes{};
    store_le<uint64_t>(bytes.data(), p.data_addr);
    store_le<uint32_t>(bytes.data() + 8, p.size | (uint32_t(DynptrType::Local) << kDynptrTypeShift));
    uint8_t* slot = vm.callback_key_slot(depth);
    const uint64_t addr = Vm::callback_key_address(depth);
    if (Journal* j = vm.journal()) j->mem(slot, addr, kDynptrBytes);
    std::memcpy(slot, bytes.data(), kDynptrBytes);
    std::erase_if(host->dynptrs.slots, [&](const DynptrSlot& d) { return d.addr == addr; });
    DynptrSlot d;
    d.addr = addr;
    d.type = DynptrType::Local;
    d.made_pc = s.entry;  // the callback it was made for (current_pc() depends on who called next)
    d.made_by = helper_id::kUserRingbufDrain;
    d.bytes = bytes;
    host->dynptrs.slots.push_back(d);
    args[0] = addr;
    args[1] = s.ctx;
    return true;
}

uint64_t user_ringbuf_drain(Vm& vm, uint64_t map_handle, uint64_t callback_fn, uint64_t callback_ctx, uint64_t flags,
                            uint64_t) {
    UserRingbufMap* map = map_of(vm, map_handle);
    if (!map) {
        MapSet* maps = vm.env ? vm.env->maps : nullptr;
        const Map* other = maps ? maps->from_handle(map_handle) : nullptr;
        vm.helper_fail(make_error(
            ErrorKind::Helper,
            std::string(kUserRingbufDrainName) + ": r1 = " + hex(map_handle) + (other ? " is " + other->describe() : " is not a map") +
                ", not a user_ringbuf map: the kernel's verifier refuses the call",
            vm.current_pc(), "Pass a map declared with __uint(type, BPF_MAP_TYPE_USER_RINGBUF)."));
        return 0;
    }
    const std::optional<uint32_t> entry = callback_entry(vm, kUserRingbufDrainName, callback_fn);
    if (!entry) return 0;
    if (flags & ~kWakeupFlags) return uint64_t(-kerrno::kEINVAL);
    if (!host_for(vm, kUserRingbufDrainName)) return 0;
    uint64_t looked = 0;
    if (!skip_discarded(*map, looked)) return 0;  // nothing to drain (discarded records consumed)
    if (vm.depth() + 1 >= uint32_t(kMaxRunFrames)) return 0;  // the interpreter refuses the frame
    CallbackState s;
    s.kind = CallbackKind::UserRingbufDrain;
    s.entry = *entry;
    s.ctx = callback_ctx;
    s.map = map_handle;
    s.position = looked;
    s.limit = kMaxUserRingbufSamples;
    s.next = &drain_next;
    s.arg_mask = kDrainArgs;
    vm.helper_call_back(s);
    return 0;
}

constexpr HelperImpl kUserRingbufHelperImpls[] = {
    {helper_id::kUserRingbufDrain, user_ringbuf_drain},
};

} // namespace

std::span<const HelperImpl> user_ringbuf_helper_impls() {
    return kUserRingbufHelperImpls;
}

} // namespace bpfplay
