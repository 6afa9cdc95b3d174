// lirc_mode2: an infrared decoder. The kernel runs it for every raw sample an IR receiver
// reports (a pulse or a space and its length); the program decodes a remote's protocol and
// reports keys to the input layer. Here: the NEC protocol (most cheap remotes).
//
// What it teaches:
// - the context is one u32 (read whole, never written): the sample's kind in the top byte
//   (LIRC_MODE2_PULSE, _SPACE, _TIMEOUT, ...) and its length in microseconds in the low 24 bits;
// - a decoder keeps its state between samples in a map (each run sees one sample);
// - bpf_rc_keydown (protocol, scancode, toggle) and bpf_rc_repeat report to the rc device, which
//   turns the scancode into a key through its keymap.
//
// NEC: a 9 ms pulse, then a 4.5 ms space, then 32 bits (each a 562 us pulse and a space of
// 562 us for 0 or 1687 us for 1), least significant bit first: address, ~address, command,
// ~command. A held key sends a 9 ms pulse, a 2.25 ms space (repeat).
#include <linux/bpf.h>
#include <linux/lirc.h>
#include <bpf/bpf_helpers.h>

#define RC_PROTO_NEC 9

struct nec_state {
    __u32 stage;  // 0 idle, 1 after the leader pulse, 2 reading bits
    __u32 bits;   // bits read
    __u32 value;  // the bits, least significant first
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nec_state);
} state SEC(".maps");

static int near(__u32 us, __u32 want) { return us > want - want / 4 && us < want + want / 4; }

SEC("lirc_mode2")
int nec_decode(unsigned int *sample) {
    __u32 zero = 0;
    struct nec_state *s = bpf_map_lookup_elem(&state, &zero);
    if (!s) return 0;
    __u32 v = *sample, us = LIRC_VALUE(v);
    if (LIRC_IS_PULSE(v)) {
        if (near(us, 9000)) s->stage = 1, s->bits = 0, s->value = 0;  // a leader
        return 0;
    }
    if (!LIRC_IS_SPACE(v)) {  // a timeout or overflow ends any message
        s->stage = 0;
        return 0;
    }
    if (s->stage == 1) {
        if (near(us, 4500)) s->stage = 2;
        else if (near(us, 2250)) bpf_rc_repeat(sample), s->stage = 0;
        else s->stage = 0;
        return 0;
    }
    if (s->stage != 2) return 0;
    if (us > 1200) s->value |= 1u << (s->bits & 31);
    if (++s->bits < 32) return 0;
    s->stage = 0;
    __u32 addr = s->value & 0xff, cmd = (s->value >> 16) & 0xff;
    // The inverted copies must match: else the message was garbled.
    if (((s->value >> 24) & 0xff) != (~cmd & 0xff)) return 0;
    if (((s->value >> 8) & 0xff) == (~addr & 0xff)) bpf_rc_keydown(sample, RC_PROTO_NEC, addr << 8 | cmd, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
