#pragma once
// What a helper sees besides its registers: the emulated host, the run's maps, the object's
// programs (for tail calls) and what kind of program is calling. The runner (ObjectSession)
// fills one per run and points Vm::env at it; helpers reach it through Vm::env, typed.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Btf;
struct BpfProcess;
struct Host;
struct LoadedProgram;
class MapSet;
class PacketBuffer;
struct Program;
struct SeqFile;

struct HelperEnv {
    Host* host = nullptr;   // null: helpers that need the host stop the run with an error
    MapSet* maps = nullptr; // the loaded object's maps
    // The object's programs by index (prog_array values are these indexes); null where a
    // program could not be loaded.
    std::span<const Program* const> programs;
    ProgType prog_type = ProgType::Unspec;
    AttachType attach = AttachType(0);
    // The user process running the test (its bpf fds): what bpf_sys_bpf and bpf_sys_close work
    // on. Null: those helpers stop the run with an error.
    BpfProcess* process = nullptr;
    // The run's packet (XDP and __sk_buff programs); null without one.
    PacketBuffer* packet = nullptr;
    // LD_ABS/LD_IND with a negative offset (SKF_NET_OFF/SKF_LL_OFF: from the network or the MAC
    // header, which for a socket filter lies before the packet window the interpreter sees):
    // the bytes, or null (the program then ends with r0 = 0). Set with `packet`.
    const uint8_t* (*ld_abs_negative)(PacketBuffer& packet, int32_t offset, uint32_t size) = nullptr;
    // The running program as loaded (its name, section, attach target, whether sleepable):
    // what the tracing helpers ask about it. Null for runs without an object.
    const LoadedProgram* program = nullptr;
    // An iterator run's seq_file (core/run/seq_file.hpp): where bpf_seq_printf / bpf_seq_write
    // write. Null outside an iterator, where the kernel offers neither helper.
    SeqFile* seq = nullptr;
    // Multi-word bpf_iter_bits copies (bits_kfuncs.cpp), keyed by the instruction count of the
    // bpf_iter_bits_new call that made each: a run stepped back and forward again makes the
    // same call at the same count, so it finds (and remakes) the same copy.
    std::map<uint64_t, std::vector<uint64_t>> bits_iter_copies{};
    // The object's BTF (null without one): bpf_obj_new's local_type_id names a type of it.
    const Btf* btf = nullptr;
};

} // namespace bpfplay
