// bpfvm info prog.o [--map-size NAME=N] [--prog-type PROGRAM=TYPE] [--json]
//
// What the object holds, as bpftool and readelf would show it: programs, maps, sections,
// license. Each program is runnable or says why it cannot run (the kernel's verifier would
// refuse it, or it calls a helper bpfplay lacks). An object that does not load as a whole (a
// map the kernel refuses) is still described: its sections, the maps it defines and the errors.
// With --json the answer is always one JSON object (object_info_json), even then.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_file.hpp"
#include "cli/object_inputs.hpp"
#include "cli/report.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/json/json.hpp"
#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::cli {

namespace {

// For objects with a syscall program: the fd of each object in the process that loaded it
// (libbpf's numbering, which bpfplay's sessions follow), since such a program only knows the
// fds it is handed in its context.
std::string syscall_fds(const LoadedObject& object, std::span<const uint8_t> bytes, const std::string& name) {
    bool syscall = false;
    for (const LoadedProgram& p : object.programs) syscall |= p.type == ProgType::Syscall;
    if (!syscall) return "";
    auto session = ObjectSession::open(bytes, name);
    if (!session) return "";
    const ObjectSession& s = *session.value();
    std::string out = "\nfds (as libbpf's load numbers them; a syscall program is handed them in its context):\n";
    for (const auto& [fd, f] : s.process().fds.open_fds()) {
        std::string what;
        switch (f.kind) {
        case BpfObjectKind::File: continue;  // stdin, stdout, stderr
        case BpfObjectKind::Btf: what = "the object's BTF"; break;
        case BpfObjectKind::Map: what = "map " + s.object().maps->get(f.index)->name(); break;
        case BpfObjectKind::Program: what = "program " + s.object().programs[f.index].name; break;
        }
        out += "  " + std::to_string(fd) + ": " + what + "\n";
    }
    return out;
}

}  // namespace

int cmd_info(Args args) {
    std::string file;
    bool json = false;
    std::map<std::string, uint32_t> map_sizes;
    std::map<std::string, ProgType> prog_types;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--json")
            json = true;
        else if (arg == "--map-size") {
            if (i + 1 == args.size()) return usage_error("info: --map-size needs NAME=N");
            if (!add_map_size(args[++i], map_sizes))
                return usage_error("info: --map-size takes NAME=N with N from 1 to 4294967295 (the map's "
                                   "max_entries), not '" + std::string(args[i]) + "'");
        }
        else if (arg == "--prog-type") {
            if (i + 1 == args.size()) return usage_error("info: --prog-type needs PROGRAM=TYPE");
            if (!add_prog_type(args[++i], prog_types)) return usage_error(prog_type_usage("info", args[i]));
        }
        else if (arg.starts_with("-") && arg != "-")
            return usage_error("info: unknown option '" + std::string(arg) + "'");
        else if (!file.empty())
            return usage_error("info: more than one FILE");
        else
            file = arg;
    }
    if (file.empty()) return usage_error("info: missing FILE");

    // Load as `run` does, but keep going as far as the object allows: describe_object says what
    // it could read and why the object does not load, if it does not.
    ObjectDescription d;
    auto content = read_file(file);
    if (!content) {
        d.error = content.error();
    } else if (!is_elf_object(*content)) {
        d.error = make_error(ErrorKind::Load, "info: " + file + " is not an ELF object", std::nullopt,
                             "(info describes compiled BPF objects: clang -O2 -g -target bpf -c prog.c)");
    } else {
        LoadOptions options;
        options.object_name = object_base_name(file);
        options.helpers = &kernel_helper_registry();
        options.kfuncs = &kernel_kfunc_registry();
        options.map_sizes = map_sizes;
        options.prog_types = prog_types;
        d = describe_object(std::span(reinterpret_cast<const uint8_t*>(content->data()), content->size()),
                            options);
    }
    // Exit 1 when the object does not load as a whole (its description is printed all the same).
    const int exit_code = d.error ? kExitError : 0;
    if (json) {
        if (d.object.name.empty()) d.object.name = object_base_name(file);
        std::printf("%s\n", object_info_json(d.object, d.error).c_str());
        return exit_code;
    }
    // Nothing read (no file, not ELF, no section table): nothing to describe but the error.
    if (d.error && d.object.sections.empty())
        return report_error(content && is_elf_object(*content) ? object_error(file, *d.error) : *d.error);
    std::string text = d.object.info(d.error);
    if (!d.error) {
        const auto bytes = std::span(reinterpret_cast<const uint8_t*>(content->data()), content->size());
        text += syscall_fds(d.object, bytes, object_base_name(file));
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    // As every command that exits 1 does, the error on stderr too (the description says it first).
    if (d.error) return report_error(object_error(file, *d.error));
    return exit_code;
}

} // namespace bpfplay::cli
