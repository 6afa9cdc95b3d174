// The input options `run` and `debug` share for ELF objects, and loading the object with them.
#include "cli/object_inputs.hpp"

#include <algorithm>
#include <cstdio>

#include "cli/input_formats.hpp"
#include "cli/map_init.hpp"
#include "cli/object_file.hpp"
#include "cli/packet_input.hpp"
#include "cli/report.hpp"
#include "core/loader/traced_program.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/host/host_json.hpp"

namespace bpfplay::cli {
namespace {

const char* source_option(PacketSource s) {
    switch (s) {
    case PacketSource::HexFile: return "--packet";
    case PacketSource::Hex: return "--packet-hex";
    case PacketSource::Pcap: return "--pcap";
    case PacketSource::None: break;
    }
    return "";
}

std::optional<int> set_packet_source(std::string_view command, ObjectInputOptions& out, PacketSource source,
                                     std::string_view value) {
    if (out.packet_source != PacketSource::None)
        return usage_error(std::string(command) + ": give one packet: " + source_option(out.packet_source) +
                           " and " + source_option(source) + " both given");
    out.packet_source = source;
    out.packet_arg = value;
    return std::nullopt;
}

} // namespace

bool add_map_size(std::string_view arg, std::map<std::string, uint32_t>& sizes) {
    const size_t eq = arg.find('=');
    if (eq == 0 || eq == std::string_view::npos) return false;
    const auto n = parse_u64(arg.substr(eq + 1));
    if (!n || *n == 0 || *n > UINT32_MAX) return false;
    sizes[std::string(arg.substr(0, eq))] = uint32_t(*n);
    return true;
}

bool add_prog_type(std::string_view arg, std::map<std::string, ProgType>& types) {
    const size_t eq = arg.find('=');
    if (eq == 0 || eq == std::string_view::npos) return false;
    const auto type = prog_type_from_name(arg.substr(eq + 1));
    if (!type || *type == ProgType::Unspec) return false;
    types[std::string(arg.substr(0, eq))] = *type;
    return true;
}

std::string prog_type_usage(std::string_view command, std::string_view arg) {
    return std::string(command) + ": --prog-type takes PROGRAM=TYPE with one of the kernel's type names (xdp, "
                                  "sched_cls, sched_act, socket_filter, kprobe, ...), not '" + std::string(arg) + "'";
}

OptionParse parse_input_option(std::string_view command, Args args, size_t& i, ObjectInputOptions& out,
                               std::optional<int>& stop) {
    const uint32_t ncpus = Host{}.ncpus;
    bool missing = false;
    const std::string cmd(command);
    if (auto v = option_value(args, i, "--program", &missing)) {
        out.program = *v;
    } else if (auto packet = option_value(args, i, "--packet", &missing)) {
        stop = set_packet_source(command, out, PacketSource::HexFile, *packet);
    } else if (auto hex = option_value(args, i, "--packet-hex", &missing)) {
        stop = set_packet_source(command, out, PacketSource::Hex, *hex);
    } else if (auto pcap = option_value(args, i, "--pcap", &missing)) {
        stop = set_packet_source(command, out, PacketSource::Pcap, *pcap);
    } else if (auto ctx = option_value(args, i, "--ctx", &missing)) {
        out.ctx_hex = std::string(*ctx);
    } else if (auto arg = option_value(args, i, "--arg", &missing)) {
        const size_t eq = arg->find('=');
        const std::string_view text = eq == std::string_view::npos ? std::string_view() : arg->substr(eq + 1);
        // A record's string in double quotes: filename="/usr/bin/curl".
        const bool quoted = text.size() >= 2 && text.front() == '"' && text.back() == '"';
        const auto value = eq == std::string_view::npos || quoted ? std::nullopt : parse_btf_arg_value(text);
        if (eq == 0 || (!value && !quoted))
            stop = usage_error(cmd + ": --arg takes NAME=VALUE (a decimal, negative or 0x number, or NULL; a "
                                     "tracepoint record's string in double quotes), not '" + std::string(*arg) + "'");
        else if (quoted)
            out.text_args.emplace_back(std::string(arg->substr(0, eq)), std::string(text.substr(1, text.size() - 2)));
        else
            out.args.emplace_back(std::string(arg->substr(0, eq)), *value);
    } else if (auto traced = option_value(args, i, "--traced", &missing)) {
        out.traced = std::string(*traced);
    } else if (auto cpu = option_value(args, i, "--cpu", &missing)) {
        auto n = parse_u64(*cpu);
        if (!n || *n >= ncpus)
            stop = usage_error(cmd + ": --cpu takes a CPU number from 0 to " + std::to_string(ncpus - 1) +
                               " (the emulated host has " + std::to_string(ncpus) + " CPUs), not '" +
                               std::string(*cpu) + "'");
        else
            out.cpu = uint32_t(*n);
    } else if (auto init = option_value(args, i, "--map-init", &missing)) {
        out.map_init = *init;
    } else if (auto size = option_value(args, i, "--map-size", &missing)) {
        if (!add_map_size(*size, out.map_sizes))
            stop = usage_error(cmd + ": --map-size takes NAME=N with N from 1 to 4294967295 (the map's "
                                     "max_entries), not '" + std::string(*size) + "'");
    } else if (auto type = option_value(args, i, "--prog-type", &missing)) {
        if (!add_prog_type(*type, out.prog_types)) stop = usage_error(prog_type_usage(cmd, *type));
    } else if (auto host = option_value(args, i, "--host", &missing)) {
        out.host_json = *host;
    } else if (auto budget = option_value(args, i, "--budget", &missing)) {
        auto n = parse_budget(*budget);
        if (!n)
            stop = budget_usage_error(*budget);
        else
            out.budget = *n;
    } else {
        return missing ? OptionParse::Missing : OptionParse::NotMine;
    }
    return stop ? OptionParse::Stop : OptionParse::Taken;
}

Result<ObjectInputs> read_object_inputs(const ObjectInputOptions& options) {
    ObjectInputs in;
    switch (options.packet_source) {
    case PacketSource::None: in.packets.emplace_back(); break;
    case PacketSource::Hex: {
        auto bytes = parse_packet_hex(options.packet_arg, "--packet-hex");
        if (!bytes) return bytes.error();
        in.packets.push_back(std::move(*bytes));
        break;
    }
    case PacketSource::HexFile: {
        auto bytes = read_packet_hex_file(options.packet_arg);
        if (!bytes) return bytes.error();
        in.packets.push_back(std::move(*bytes));
        break;
    }
    case PacketSource::Pcap: {
        // All of them, to say how many are left out when only the first is used (debug).
        auto packets = read_pcap_packets(options.packet_arg, true);
        if (!packets) return packets.error();
        in.pcap_packets = packets->size();
        in.packets = std::move(*packets);
        if (!options.all_packets) in.packets.resize(1);
        break;
    }
    }
    if (options.ctx_hex) {
        auto ctx = parse_packet_hex(*options.ctx_hex, "--ctx");
        if (!ctx) return ctx.error();
        in.ctx = std::move(*ctx);
    }
    return in;
}

Result<std::unique_ptr<ObjectSession>> open_object_session(const ObjectInputOptions& options,
                                                           std::vector<uint8_t> bytes) {
    const std::string name = object_base_name(options.file);
    Host host;
    if (!options.host_json.empty()) {
        auto text = read_file(options.host_json);
        if (!text) return text.error();
        if (auto applied = apply_host_json(host, *text); !applied) {
            Error e = applied.error();
            e.what = options.host_json + ": " + e.what;
            return e;
        }
    }
    for (const auto& [map, n] : options.map_sizes) host.map_sizes[map] = n;
    for (const auto& [program, type] : options.prog_types) host.prog_types[program] = type;
    auto session = ObjectSession::open(bytes, name, host);
    if (!session) return object_error(options.file, session.error());
    if (options.map_init.empty()) return session;

    auto text = read_file(options.map_init);
    if (!text) return text.error();
    auto init = parse_map_init(*text, options.map_init);
    if (!init) return init.error();
    auto patched = patch_frozen_maps(bytes, (*session)->object(), *init);
    if (!patched) return patched.error();
    if (!patched->empty()) {
        session = ObjectSession::open(bytes, name, host);
        if (!session) return object_error(options.file, session.error());
    }
    if (auto applied = apply_map_init(**session, *init, *patched); !applied) return applied.error();
    return session;
}

namespace {

// "program "x" (section "socket") cannot run: insn 2 (prog.c:36): <what>", with the error's hint.
Error cannot_run(const LoadedProgram& p) {
    Error where = *p.load_error;
    where.where.section.clear(); // said with the program's name
    where.hint.clear();
    return make_error(p.load_error->kind,
                      "program \"" + p.name + "\" (section \"" + p.section +
                          "\") cannot run: " + where.to_string(),
                      std::nullopt, p.load_error->hint);
}

} // namespace

Result<std::string> pick_program(const LoadedObject& object, const ObjectInputOptions& options) {
    std::string names;
    for (const LoadedProgram& p : object.programs)
        names += (names.empty() ? "" : ", ") + p.name;
    if (object.programs.empty())
        return make_error(ErrorKind::Load,
                          options.file + " holds no programs (no functions in executable sections)");
    if (!options.program.empty()) {
        const LoadedProgram* p = object.find_program(options.program);
        if (!p)
            return make_error(ErrorKind::Load, "no program \"" + options.program + "\" in " + options.file +
                                                   "; its programs: " + names);
        if (p->load_error) return cannot_run(*p);
        return options.program;
    }
    if (object.programs.size() == 1) {
        const LoadedProgram& only = object.programs.front();
        if (only.load_error) return cannot_run(only);
        return only.name;
    }
    const EntryChoice choice = choose_entry_program(object);
    // Say what runs, then which programs were passed over and why.
    if (choice.program)
        std::fprintf(
            stderr, "bpfvm: note: %s has %zu programs (%s); running %s%s (choose with --program NAME)\n",
            options.file.c_str(), object.programs.size(), names.c_str(), choice.program->name.c_str(),
            choice.passed_tail_call_targets ? ", the first one no prog_array holds" : "");
    for (const LoadedProgram* p : choice.refused) {
        Error e = *p->load_error;
        e.where.section.clear();
        std::fprintf(stderr, "bpfvm: note: skipped %s (section \"%s\"), which cannot run: %s\n",
                     p->name.c_str(), p->section.c_str(), e.to_string().c_str());
    }
    if (!choice.program)
        return make_error(ErrorKind::Load, "none of the " + std::to_string(object.programs.size()) +
                                               " programs of " + options.file + " can run (" + names + ")");
    const std::string& name = choice.program->name;
    return name;
}

Result<Unit> choose_traced(ObjectSession& session, const std::string& program, const ObjectInputOptions& options) {
    if (options.traced.empty()) return Unit{};
    if (auto r = session.set_traced(program, options.traced); !r.ok())
        return make_error(ErrorKind::Parse, "--traced: " + r.error().what);
    return Unit{};
}

Result<Unit> note_inputs(const LoadedProgram& program, const ObjectInputOptions& options,
                         const ObjectInputs& inputs) {
    if ((!options.args.empty() || !options.text_args.empty()) && !has_btf_args(program))
        return make_error(ErrorKind::Parse, "--arg: " + program.name + " (section \"" + program.section +
                                                "\") takes no arguments by name; only fentry, fexit, fmod_ret, lsm, "
                                                "tp_btf, raw_tp, kprobe, kretprobe and tracepoint programs do (give "
                                                "other contexts with --ctx HEX)");
    if (!options.args.empty() || !options.text_args.empty()) {
        auto layout = btf_args_layout(program);
        if (!layout) return layout.error();
        const std::string what = layout->tracepoint ? "field" : "argument";
        auto known = [&](const std::string& name, bool text) {
            return text ? layout->find(name) != nullptr : btf_arg_settable(*layout, name);
        };
        for (const auto& [name, text] : options.text_args)
            if (!known(name, true))
                return make_error(ErrorKind::Parse, "--arg: no " + what + " \"" + name + "\" in the context of " +
                                                        layout->attach + "; its " + what + "s: " + layout->names());
        for (const auto& [name, value] : options.args)
            if (!known(name, false))
                return make_error(ErrorKind::Parse, "--arg: no " + what + " \"" + name + "\" in the context of " +
                                                        layout->attach + "; its " + what + "s: " + layout->names());
    }
    const bool traces_packet = traces_bpf_program(program) && !traced_ctx_struct(program.traced_type).empty();
    const bool reads_packet = program.context == ContextKind::Xdp || program.context == ContextKind::SkBuff ||
                              program.context == ContextKind::SkMsg || program.context == ContextKind::SkReuseport ||
                              program.context == ContextKind::Netfilter ||
                              traces_packet;
    std::fflush(stdout);  // notes come in order with what was printed before
    if (traces_bpf_program(program)) {
        const std::string type = prog_type_name(program.traced_type);
        const std::string what = program.traced_program.empty() ? "a program of type " + type
                                 : options.traced.empty()
                                     ? program.traced_program + ", the object's only program of type " + type
                                     : "program " + program.traced_program;
        if (!traces_packet)
            std::fprintf(stderr, "bpfvm: note: %s attaches to \"%s\", no kernel function: it traces a BPF program "
                                 "(choose it with --traced PROGRAM or --traced TYPE)\n",
                         program.name.c_str(), program.attach_target.c_str());
        else if (options.traced.empty())
            std::fprintf(stderr, "bpfvm: note: %s attaches to \"%s\", no kernel function: it traces %s, whose "
                                 "kernel context is a struct %s (choose another with --traced PROGRAM or --traced TYPE)\n",
                         program.name.c_str(), program.attach_target.c_str(), what.c_str(),
                         std::string(traced_ctx_struct(program.traced_type)).c_str());
        else
            std::fprintf(stderr, "bpfvm: note: %s traces %s (--traced)\n", program.name.c_str(), what.c_str());
        // No program of the object runs first: fexit's ret is what the user says.
        const bool ret_given = std::any_of(options.args.begin(), options.args.end(),
                                           [](const auto& a) { return a.first == "ret"; });
        if (traces_packet && program.traced_program.empty() && program.attach != AttachType::TraceFentry && !ret_given)
            std::fprintf(stderr, "bpfvm: note: no program of the object runs first, so %s's ret is 0 (set it with "
                                 "--arg ret=N)\n", program.name.c_str());
    }
    // A section of no known type: the program runs on raw memory, so a packet given would be
    // silently left out; say so before the run (and how to give the type).
    if (!program.type_known && options.packet_source != PacketSource::None)
        std::fprintf(stderr,
                     "bpfvm: note: section \"%s\" names no program type, so %s runs on raw memory (r1 = the --ctx "
                     "bytes, r2 = their length) and the packet is not used; give its type with --prog-type %s=TYPE "
                     "(xdp, sched_cls, socket_filter, ...)\n",
                     program.section.c_str(), program.name.c_str(), program.name.c_str());
    if (options.packet_source == PacketSource::None && reads_packet)
        std::fprintf(stderr,
                     "bpfvm: note: no packet given (--packet HEXFILE, --packet-hex HEX or --pcap FILE); %s "
                     "runs on a 0-byte packet\n",
                     program.name.c_str());
    if (inputs.pcap_packets > 1 && !options.all_packets)  // debug: one run, on the first packet
        std::fprintf(stderr, "bpfvm: note: %s has %zu packets; debugging the first (bpfvm run runs each)\n",
                     options.packet_arg.c_str(), inputs.pcap_packets);
    return Unit{};
}

} // namespace bpfplay::cli
