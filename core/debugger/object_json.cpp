// A loaded object as the page's program picker and `bpfvm info --json` read it, and a program's
// listing for the code panel.
#include <algorithm>

#include "core/run/btf_args_context.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/text/disasm.hpp"

namespace bpfplay {

namespace {

// One instruction of the listing: "function" where a function starts, the source fields where
// a new line_info record starts.
struct ListingCursor {
    size_t next_line = 0, next_func = 0;
};

void listing_insn(JsonWriter& w, const LoadedProgram& p, size_t pc, const std::string& text, ListingCursor& at) {
    w.begin_object().member("pc", pc).member("text", text);
    while (at.next_func < p.func_info.size() && p.func_info[at.next_func].insn < pc) ++at.next_func;
    if (at.next_func < p.func_info.size() && p.func_info[at.next_func].insn == pc)
        w.member("function", p.func_info[at.next_func].name);
    while (at.next_line < p.line_info.size() && p.line_info[at.next_line].insn < pc) ++at.next_line;
    if (at.next_line < p.line_info.size() && p.line_info[at.next_line].insn == pc && p.line_info[at.next_line].line) {
        const SourceLine& l = p.line_info[at.next_line];
        w.member("file", l.file).member("line", l.line).member("column", l.column).member("source", l.text);
    }
    w.end_object();
}

// A fentry / fexit / fmod_ret / lsm / tp_btf / raw_tp program's context by argument name:
// "args_of" (the function or tracepoint) and "args" with each slot's default value.
// `kernel`: where the host's kernel objects are (built once per summary, when a program needs it).
struct ArgsDefaults {
    const Host& host;
    std::optional<KernelObjectAddresses> kernel;
};

void program_args(JsonWriter& w, const LoadedProgram& p, ArgsDefaults& d) {
    if (!has_btf_args(p)) return;
    auto layout = btf_args_layout(p);
    if (!layout) return;
    if (!d.kernel) d.kernel = kernel_object_addresses(d.host);
    auto defaults = btf_args_bytes(*layout, *d.kernel, d.host, {}, {});
    if (!defaults) return;
    w.member("args_of", layout->attach).key("args");
    btf_args_json(w, *layout, *defaults);
}

void program_summary(JsonWriter& w, const LoadedProgram& p, bool object_loads, ArgsDefaults& defaults) {
    w.begin_object()
        .member("name", p.name)
        .member("section", p.section)
        .member("type", prog_type_name(p.type))
        .member("type_known", p.type_known)
        .member("insns", p.insns.size())
        .member("own_insns", p.own_insn_count)
        .member("autoload", p.autoload)
        .member("context", context_kind_name(p.context))
        .member("runnable", !p.load_error && object_loads)
        .member("status", program_status_text(p, object_loads));
    program_args(w, p, defaults);
    if (p.load_error) {
        w.key("load_error");
        to_json(w, *p.load_error);
    }
    w.key("functions").begin_array();
    for (const auto& f : p.functions) w.value(f.name);
    w.end_array().end_object();
}

void map_summary(JsonWriter& w, const LoadedObject& o, uint32_t id) {
    const uint32_t created = o.maps ? o.maps->size() : 0;
    const Map* m = id < created ? o.maps->get(id) : nullptr;
    const LoadedMapInfo* info = id < o.map_info.size() ? &o.map_info[id] : nullptr;
    const MapSpec& spec = m ? m->spec() : info->spec;
    w.begin_object()
        .member("id", id)
        .member("name", spec.name)
        .member("type", map_type_name(spec.type))
        .member("key_size", spec.key_size)
        .member("value_size", spec.value_size)
        .member("max_entries", spec.max_entries)
        .member("flags", spec.map_flags)
        .member("frozen", m && m->frozen())
        .member("percpu", m && m->is_percpu())
        .member("created", m != nullptr);
    if (o.btf && spec.btf_key_type_id) w.member("key_type", o.btf->type_to_string(spec.btf_key_type_id));
    if (o.btf && spec.btf_value_type_id) w.member("value_type", o.btf->type_to_string(spec.btf_value_type_id));
    if (info) {
        w.member("origin", map_origin_name(info->origin)).member("section", info->elf_section);
        if (info->error) {
            w.key("error");
            to_json(w, *info->error);
        }
    }
    w.end_object();
}

}  // namespace

void to_json(JsonWriter& w, const SectionSummary& s) {
    w.begin_object()
        .member("index", s.index)
        .member("name", s.name)
        .member("type", s.type)
        .member("flags", s.flags)
        .member("size", s.size)
        .member("role", s.role)
        .end_object();
}

void program_listing_to_json(JsonWriter& w, const LoadedProgram& p) {
    w.begin_object()
        .member("name", p.name)
        .member("section", p.section)
        .member("type", prog_type_name(p.type))
        .member("context", context_kind_name(p.context))
        .key("insns")
        .begin_array();
    ListingCursor at;
    DisasmOptions opt;
    opt.helper_names = true;
    // A decoded program has bound each kfunc call by name (the loader's kfunc resolver).
    opt.kfunc_name = [&p](size_t pc) -> std::string {
        if (pc >= p.program.insns.size() || p.program.insns[pc].op != Op::CallHelper) return "";
        const uint32_t target = p.program.insns[pc].target;
        return target < p.program.helpers.size() && is_kfunc_binding(p.program.helpers[target].id)
                   ? p.program.helpers[target].name
                   : "";
    };
    for (size_t pc = 0; pc < p.insns.size(); ++pc) {
        size_t slots = 1;
        listing_insn(w, p, pc, disassemble_one(p.insns, pc, &slots, opt), at);
        if (slots == 2 && pc + 1 < p.insns.size()) {
            ++pc;
            w.begin_object().member("pc", pc).member("text", "").member("second_slot", true).end_object();
        }
    }
    w.end_array().key("functions").begin_array();
    for (const auto& f : p.func_info) w.begin_object().member("name", f.name).member("pc", f.insn).end_object();
    w.end_array().end_object();
}

void to_json(JsonWriter& w, const ObjectSummary& summary) {
    const LoadedObject& o = summary.object;
    const std::optional<Error>& load_failure = summary.load_failure;
    w.begin_object().member("object", o.name).member("license", o.license);
    if (o.kern_version) w.member("kern_version", *o.kern_version);
    w.member("btf_types", o.btf ? o.btf->type_count() - 1 : 0).member("loads", !load_failure);
    if (load_failure) {
        w.key("error");
        to_json(w, *load_failure);
    }
    const EntryChoice entry = choose_entry_program(o);
    w.key("entry_program");
    if (entry.program && !load_failure) w.value(entry.program->name);
    else w.null();
    w.key("programs").begin_array();
    const Host default_host;
    ArgsDefaults defaults{summary.host ? *summary.host : default_host, std::nullopt};
    for (const LoadedProgram& p : o.programs) program_summary(w, p, !load_failure, defaults);
    w.end_array().key("maps").begin_array();
    const size_t n = std::max<size_t>(o.maps ? o.maps->size() : 0, o.map_info.size());
    for (uint32_t id = 0; id < n; ++id) map_summary(w, o, id);
    w.end_array().key("sections");
    to_json_array(w, o.sections);
    w.key("notes").values(o.notes).end_object();
}

std::string program_listing_json(const LoadedProgram& program) {
    JsonWriter w;
    program_listing_to_json(w, program);
    return w.take();
}

std::string object_info_json(const LoadedObject& object, const std::optional<Error>& load_failure) {
    return to_json_text(ObjectSummary{object, load_failure, nullptr});
}

}  // namespace bpfplay
