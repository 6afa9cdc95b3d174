#include "core/run/lirc_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/context/contexts.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/run/object_session.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// enum rc_proto (include/uapi/linux/lirc.h), by value.
constexpr const char* kRcProtoNames[] = {
    "RC_PROTO_UNKNOWN",   "RC_PROTO_OTHER",     "RC_PROTO_RC5",       "RC_PROTO_RC5X_20",  "RC_PROTO_RC5_SZ",
    "RC_PROTO_JVC",       "RC_PROTO_SONY12",    "RC_PROTO_SONY15",    "RC_PROTO_SONY20",   "RC_PROTO_NEC",
    "RC_PROTO_NECX",      "RC_PROTO_NEC32",     "RC_PROTO_SANYO",     "RC_PROTO_MCIR2_KBD", "RC_PROTO_MCIR2_MSE",
    "RC_PROTO_RC6_0",     "RC_PROTO_RC6_6A_20", "RC_PROTO_RC6_6A_24", "RC_PROTO_RC6_6A_32", "RC_PROTO_RC6_MCE",
    "RC_PROTO_SHARP",     "RC_PROTO_XMP",       "RC_PROTO_CEC",       "RC_PROTO_IMON",     "RC_PROTO_RCMM12",
    "RC_PROTO_RCMM24",    "RC_PROTO_RCMM32",    "RC_PROTO_XBOX_DVD",
};

std::string proto_text(uint32_t protocol) {
    if (protocol < std::size(kRcProtoNames)) return std::string(kRcProtoNames[protocol]) + " (" + std::to_string(protocol) + ")";
    return "protocol " + std::to_string(protocol) + " (no enum rc_proto value)";
}

// ARG_PTR_TO_CTX: r1 must be the sample's address as the program received it. The Host, or
// nullptr after stopping the run as the verifier would refuse the call.
Host* rc_call(Vm& vm, const char* name, uint64_t ctx) {
    Host* h = host_for(vm, name);
    if (!h) return nullptr;
    if (ctx != window_base(window::kContext) || !vm.memory().context_at(ctx)) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(name) + ": r1 = " + hex(ctx) +
                                      " is not the lirc sample the program was given (the kernel's verifier wants "
                                      "the context pointer: \"expected=ctx\")",
                                  vm.current_pc(), "Pass the program's r1 (the sample) as the first argument."));
        return nullptr;
    }
    return h;
}

uint64_t rc_repeat(Vm& vm, uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
    Host* h = rc_call(vm, "bpf_rc_repeat", ctx);
    if (!h) return 0;
    log_host_event(vm, *h, "bpf_rc_repeat", "repeat: the last key stays down (its key up is put off); returns 0");
    return 0;
}

uint64_t rc_keydown(Vm& vm, uint64_t ctx, uint64_t protocol, uint64_t scancode, uint64_t toggle, uint64_t) {
    Host* h = rc_call(vm, "bpf_rc_keydown", ctx);
    if (!h) return 0;
    log_host_event(vm, *h, "bpf_rc_keydown",
                   "key down: " + proto_text(uint32_t(protocol)) + ", scancode " + hex(scancode) + ", toggle " +
                       std::to_string(uint32_t(toggle) != 0 ? 1 : 0) +
                       " (the keymap turns the scancode into a key; a key up follows unless repeated); returns 0");
    return 0;
}

uint64_t rc_pointer_rel(Vm& vm, uint64_t ctx, uint64_t rel_x, uint64_t rel_y, uint64_t, uint64_t) {
    Host* h = rc_call(vm, "bpf_rc_pointer_rel", ctx);
    if (!h) return 0;
    log_host_event(vm, *h, "bpf_rc_pointer_rel",
                   "pointer moves by x " + std::to_string(int32_t(rel_x)) + ", y " + std::to_string(int32_t(rel_y)) +
                       " (REL_X, REL_Y, then a sync); returns 0");
    return 0;
}

constexpr HelperImpl kLircHelperImpls[] = {
    {77, rc_repeat},       // bpf_rc_repeat
    {78, rc_keydown},      // bpf_rc_keydown
    {92, rc_pointer_rel},  // bpf_rc_pointer_rel
};

}  // namespace

Result<Unit> setup_lirc_context(const RunInput& in, RunState& mem, Vm& vm) {
    // lirc_mode2_is_valid_access: one u32, read whole.
    auto ctx = make_lirc_mode2_sample();
    if (!in.ctx.empty()) std::memcpy(ctx->bytes().data(), in.ctx.data(), std::min<size_t>(in.ctx.size(), 4));
    mem.ctx = std::move(ctx);
    vm.memory().map_context(window::kContext, 4, "lirc_mode2 sample", mem.ctx.get());
    return Unit{};
}

std::span<const HelperImpl> lirc_helper_impls() { return kLircHelperImpls; }

}  // namespace bpfplay
