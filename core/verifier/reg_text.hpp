#pragma once
// A register's abstract state in the kernel verifier log's notation (kernel/bpf/log.c,
// print_reg_state as of Linux 6.18): "ctx()", "pkt(off=14,r=0)", "fp-8", "42",
// "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
// "map_value_or_null(id=1,map=counts,ks=4,vs=8)". What the checker does not track is not
// printed: precision marks ("P"), a dynptr's type, BPF_ADD_CONST links.
#include <cstdint>
#include <string>

#include "core/verifier/env.hpp"
#include "core/verifier/state.hpp"

namespace bpfplay::verifier {

// `r` of call frame `frameno` (a stack pointer into another frame shows it: "fp[0]-8");
// `env` names the maps and kernel structs the register points at.
std::string reg_state_text(const Reg& r, uint32_t frameno, const Env& env);

// A number as the kernel's log writes it (verbose_snum / verbose_unum): decimal within
// [-32768, 32767] (unsigned: up to 65535), else hex of its 64 bits.
std::string log_snum(int64_t v);
std::string log_unum(uint64_t v);

}  // namespace bpfplay::verifier
