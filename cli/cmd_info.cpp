// bpfvm info prog.o [--json]
//
// What the object holds, as bpftool and readelf would show it: programs, maps, sections,
// license. An object bpfvm cannot run (a helper it lacks, a program the decoder refuses) is
// still described, with the reason it cannot run.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_file.hpp"
#include "cli/report.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/json/json.hpp"
#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
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
    for (std::string_view arg : args) {
        if (arg == "--json")
            json = true;
        else if (arg.starts_with("-") && arg != "-")
            return usage_error("info: unknown option '" + std::string(arg) + "'");
        else if (!file.empty())
            return usage_error("info: more than one FILE");
        else
            file = arg;
    }
    if (file.empty()) return usage_error("info: missing FILE");

    auto content = read_file(file);
    if (!content) return report_error(content.error());
    if (!is_elf_object(*content))
        return report_error(
            make_error(ErrorKind::Load, "info: " + file + " is not an ELF object", std::nullopt,
                       "(info describes compiled BPF objects: clang -O2 -g -target bpf -c prog.c)"));
    const auto bytes = std::span(reinterpret_cast<const uint8_t*>(content->data()), content->size());

    // Load as `run` does; when that fails, describe the object without decoding its programs.
    LoadOptions options;
    options.object_name = object_base_name(file);
    options.helpers = &kernel_helper_registry();
    auto object = load_object(bytes, options);
    std::optional<Error> cannot_run;
    if (!object) {
        cannot_run = object.error();
        options.decode_programs = false;
        object = load_object(bytes, options);
        if (!object) return report_error(object_error(file, object.error()));
    }
    if (json) {
        std::printf("%s\n", object_info_json(*object, cannot_run).c_str());
        return 0;
    }
    std::string text = object->info();
    if (cannot_run) text += "\nbpfvm cannot run it: " + cannot_run->to_string() + "\n";
    text += syscall_fds(*object, bytes, options.object_name);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

} // namespace bpfplay::cli
