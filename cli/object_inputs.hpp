#pragma once
// What `bpfvm run prog.o` and `bpfvm debug prog.o` share: the options that say which program
// runs on what (--program, --packet/--packet-hex/--pcap, --ctx, --cpu, --map-init, --map-size, --host,
// --budget),
// reading those inputs, loading the object with --map-init applied, and picking the program.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/args.hpp"
#include "core/error.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::cli {

enum class PacketSource { None, HexFile, Hex, Pcap };

struct ObjectInputOptions {
    std::string file;
    std::string program;
    PacketSource packet_source = PacketSource::None;
    std::string packet_arg; // the file or the hex text
    bool all_packets = false; // every packet of a --pcap capture (run), else only its first (debug)
    std::optional<std::string> ctx_hex;
    // --arg NAME=VALUE (repeatable): a fentry/fexit/fmod_ret/lsm/tp_btf/raw_tp argument by name.
    std::vector<std::pair<std::string, uint64_t>> args;
    std::vector<std::pair<std::string, std::string>> text_args;  // a record's strings: NAME="text"
    std::optional<uint32_t> cpu;
    std::string map_init;
    std::string host_json; // --host: a file apply_host_json reads (core/host/host_json.hpp)
    // --map-size NAME=N (repeatable): max_entries set before load, over the host JSON's map_sizes.
    std::map<std::string, uint32_t> map_sizes;
    // --prog-type PROGRAM=TYPE (repeatable): the program's type, over its section name's.
    std::map<std::string, ProgType> prog_types;
    // --traced PROGRAM|TYPE: what an fentry/fexit on a BPF program traces (set_traced_program).
    std::string traced;
    uint64_t budget = kDefaultBudget;
};

enum class OptionParse {
    NotMine, // args[i] is none of the shared options
    Taken,   // parsed (i is on the last argument consumed)
    Missing, // a shared option without its value
    Stop,    // a bad value: the usage error is reported, return *stop
};

// --map-size's NAME=N (N from 1) into `sizes`; false when the text is not that.
bool add_map_size(std::string_view arg, std::map<std::string, uint32_t>& sizes);

// --prog-type's PROGRAM=TYPE (a prog_type_name) into `types`; false when the text is not that.
bool add_prog_type(std::string_view arg, std::map<std::string, ProgType>& types);
// The usage error for a bad --prog-type value.
std::string prog_type_usage(std::string_view command, std::string_view arg);

// Reads args[i] if it is one of the shared options. `command` prefixes messages ("run").
OptionParse parse_input_option(std::string_view command, Args args, size_t& i, ObjectInputOptions& out,
                               std::optional<int>& stop);

struct ObjectInputs {
    std::vector<std::vector<uint8_t>> packets; // at least one (empty when no packet was given)
    std::vector<uint8_t> ctx;
    size_t pcap_packets = 0; // packets in the --pcap file (without all_packets only the first is in `packets`)
};

Result<ObjectInputs> read_object_inputs(const ObjectInputOptions& options);

// Loads the object and writes --map-init. Frozen global data (.rodata) is written into the
// object's bytes and the object loaded again, as libbpf sets .rodata before load.
Result<std::unique_ptr<ObjectSession>> open_object_session(const ObjectInputOptions& options,
                                                           std::vector<uint8_t> bytes);

// Notes on stderr about what the program will run on, so nothing is silently assumed: no
// packet given to a program that reads one (it gets a 0-byte packet), or a --pcap file whose
// packets after the first are not run (debug runs one packet; run runs each).
// An error when --arg names are given to a program whose context has no named arguments, or
// to one whose names are not those (the error lists them).
Result<Unit> note_inputs(const LoadedProgram& program, const ObjectInputOptions& options,
                         const ObjectInputs& inputs);

// Applies --traced to `program` (an error when it traces no BPF program or the name is unknown).
Result<Unit> choose_traced(ObjectSession& session, const std::string& program, const ObjectInputOptions& options);

// The program --program names, or the only/first one (with a note on stderr when there are others).
Result<std::string> pick_program(const LoadedObject& object, const ObjectInputOptions& options);

} // namespace bpfplay::cli
