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
#include "core/helpers/registry.hpp"
#include "core/json/json.hpp"
#include "core/loader/loader.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::cli {
namespace {

std::string info_json(const LoadedObject& o, const std::optional<Error>& cannot_run) {
    std::string j = "{\"object\":" + json_quote(o.name) + ",\"license\":" + json_quote(o.license);
    if (o.kern_version) j += ",\"kern_version\":" + std::to_string(*o.kern_version);
    j += ",\"btf_types\":" + std::to_string(o.btf ? o.btf->type_count() - 1 : 0);
    j += ",\"programs\":[";
    for (size_t i = 0; i < o.programs.size(); ++i) {
        const LoadedProgram& p = o.programs[i];
        j += std::string(i ? "," : "") + "{\"name\":" + json_quote(p.name) +
             ",\"section\":" + json_quote(p.section) + ",\"type\":" + json_quote(prog_type_name(p.type)) +
             ",\"type_known\":" + (p.type_known ? "true" : "false") +
             ",\"insns\":" + std::to_string(p.insns.size()) +
             ",\"own_insns\":" + std::to_string(p.own_insn_count) +
             ",\"autoload\":" + (p.autoload ? "true" : "false") + ",\"functions\":[";
        for (size_t f = 0; f < p.functions.size(); ++f)
            j += std::string(f ? "," : "") + json_quote(p.functions[f].name);
        j += "]}";
    }
    j += "],\"maps\":[";
    const uint32_t n = o.maps ? o.maps->size() : 0;
    for (uint32_t id = 0; id < n; ++id) {
        const Map& m = *o.maps->get(id);
        j += std::string(id ? "," : "") + "{\"id\":" + std::to_string(id) +
             ",\"name\":" + json_quote(m.name()) + ",\"type\":" + json_quote(map_type_name(m.type())) +
             ",\"key_size\":" + std::to_string(m.key_size()) +
             ",\"value_size\":" + std::to_string(m.value_size()) +
             ",\"max_entries\":" + std::to_string(m.max_entries()) +
             ",\"flags\":" + std::to_string(m.map_flags()) + ",\"frozen\":" + (m.frozen() ? "true" : "false");
        if (id < o.map_info.size())
            j += ",\"origin\":" + json_quote(map_origin_name(o.map_info[id].origin)) +
                 ",\"section\":" + json_quote(o.map_info[id].elf_section);
        j += "}";
    }
    j += "],\"sections\":[";
    for (size_t i = 0; i < o.sections.size(); ++i) {
        const SectionSummary& s = o.sections[i];
        j += std::string(i ? "," : "") + "{\"index\":" + std::to_string(s.index) +
             ",\"name\":" + json_quote(s.name) + ",\"type\":" + std::to_string(s.type) +
             ",\"flags\":" + std::to_string(s.flags) + ",\"size\":" + std::to_string(s.size) +
             ",\"role\":" + json_quote(s.role) + "}";
    }
    j += "],\"notes\":[";
    for (size_t i = 0; i < o.notes.size(); ++i)
        j += std::string(i ? "," : "") + json_quote(o.notes[i]);
    j += "]";
    if (cannot_run) j += ",\"cannot_run\":" + json_quote(cannot_run->to_string());
    return j + "}";
}

} // namespace

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
    HelperRegistry helpers;
    add_object_helpers(helpers);
    LoadOptions options;
    options.object_name = object_base_name(file);
    options.helpers = &helpers;
    auto object = load_object(bytes, options);
    std::optional<Error> cannot_run;
    if (!object) {
        cannot_run = object.error();
        options.decode_programs = false;
        object = load_object(bytes, options);
        if (!object) return report_error(object_error(file, object.error()));
    }
    if (json) {
        std::printf("%s\n", info_json(*object, cannot_run).c_str());
        return 0;
    }
    std::string text = object->info();
    if (cannot_run) text += "\nbpfvm cannot run it: " + cannot_run->to_string() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

} // namespace bpfplay::cli
