#pragma once
// lirc_mode2 programs: IR decoders the kernel runs for each raw sample an infrared receiver
// reports (drivers/media/rc/bpf-lirc.c, lirc_bpf_run). The context is that one u32 sample, as
// <linux/lirc.h> encodes it: the mode in the top byte (LIRC_MODE2_SPACE 0, PULSE 1, FREQUENCY 2,
// TIMEOUT 3, OVERFLOW 4) and the value (microseconds, or Hz) in the low 24 bits. The program
// may read it as 4 bytes at offset 0 and nothing else (lirc_mode2_is_valid_access). The run's
// context input gives the sample (little-endian, missing bytes 0).
//
// The decoder reports what it decoded to the rc device, each call recorded in the run's events
// and returning 0 as the kernel's do:
//   77 bpf_rc_repeat(ctx): the last key is repeated (rc_repeat: its key up is put off);
//   78 bpf_rc_keydown(ctx, protocol, scancode, toggle): a key press of enum rc_proto `protocol`
//      (rc_keydown: translated through the device's keymap; toggle counts as set when non-zero);
//   92 bpf_rc_pointer_rel(ctx, rel_x, rel_y): a relative pointer movement (REL_X, REL_Y, then a
//      sync), the two as signed 32-bit values.
#include <span>

#include "core/error.hpp"
#include "core/helpers/registry.hpp"

namespace bpfplay {

class Vm;
struct RunInput;
struct RunState;

// Maps the sample as the read-only context.
Result<Unit> setup_lirc_context(const RunInput& in, RunState& mem, Vm& vm);

std::span<const HelperImpl> lirc_helper_impls();

}  // namespace bpfplay
