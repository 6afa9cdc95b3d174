#include "core/run/helper_listing.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "core/helpers/helper_catalog.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/kernel_helpers.hpp"

namespace bpfplay {

namespace {

// The program types the catalog has rules for (each type's default rule), in enum order.
const std::vector<ProgType>& ruled_types() {
    static const std::vector<ProgType> types = [] {
        std::set<ProgType> seen;
        for (const HelperRule& r : helper_rules())
            if (r.type_default) seen.insert(r.type);
        return std::vector<ProgType>(seen.begin(), seen.end());
    }();
    return types;
}

std::string join_types(const std::vector<ProgType>& types) {
    std::string out;
    for (ProgType t : types)
        out += (out.empty() ? "" : ", ") + std::string(prog_type_name(t));
    return out;
}

std::string ret_text(const HelperProto& p) {
    return std::string(ret_kind_name(p.ret)) + (p.ret_maybe_null ? " or NULL" : "");
}

std::string args_text(const HelperProto& p) {
    std::string out;
    for (uint8_t i = 0; i < p.nargs; ++i)
        out += (i ? ", " : "") + describe_arg(p.args[i]);
    return out;
}

// linux/bpf.h's text, each non-empty line indented, without reStructuredText's escaped spaces
// ("**bpf_redirect_map**\\ ()" reads "**bpf_redirect_map**()").
std::string indented(std::string_view text, const char* indent) {
    std::string out;
    bool line_start = true;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size() && text[i + 1] == ' ') {
            ++i;
            continue;
        }
        if (line_start && c != '\n') out += indent;
        out += c;
        line_start = c == '\n';
    }
    return out + "\n";
}

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

Result<int32_t> find_helper(std::string_view text) {
    if (all_digits(text)) {
        const int32_t id = std::stoi(std::string(text));
        if (helper_proto(id)) return id;
        return make_error(ErrorKind::Helper, "no helper has id " + std::string(text) +
                                                 ": the kernel's helpers are 1 to " +
                                                 std::to_string(kHelperCount));
    }
    const std::string wanted = text.starts_with("bpf_") ? std::string(text) : "bpf_" + std::string(text);
    std::vector<std::string> near;
    for (int32_t id = 1; id <= kHelperCount; ++id) {
        const char* name = kernel_helper_name(id);
        if (!name) continue;
        if (wanted == name) return id;
        if (!text.empty() && std::string_view(name).find(text) != std::string_view::npos)
            near.push_back(name);
    }
    std::string hint;
    if (!near.empty() && near.size() <= 12) {
        hint = "Helpers whose names contain \"" + std::string(text) + "\": ";
        for (size_t i = 0; i < near.size(); ++i)
            hint += (i ? ", " : "") + near[i];
        hint += ".";
    } else if (!near.empty()) {
        hint = std::to_string(near.size()) + " helpers have \"" + std::string(text) +
               "\" in their names; `bpfvm helpers` lists them all.";
    } else {
        hint = "`bpfvm helpers` lists them all.";
    }
    return make_error(ErrorKind::Helper, "no helper is called \"" + std::string(text) + "\"", std::nullopt,
                      hint);
}

std::string helper_prog_types_summary(int32_t id) {
    const std::vector<ProgType> allowed = prog_types_allowing(id);
    const std::vector<ProgType>& all = ruled_types();
    if (allowed.empty()) return "no program type";
    if (allowed.size() == all.size()) return "all " + std::to_string(all.size()) + " program types";
    if (allowed.size() <= 4) return join_types(allowed);
    std::vector<ProgType> missing;
    for (ProgType t : all)
        if (std::find(allowed.begin(), allowed.end(), t) == allowed.end()) missing.push_back(t);
    if (missing.size() <= 3) return "all but " + join_types(missing);
    return std::to_string(allowed.size()) + " program types";
}

std::string helper_lines_header() {
    char line[200];
    std::snprintf(line, sizeof line, "%d helpers, %d implemented in bpfplay\n\n%3s %-34s %-4s %-4s %s\n",
                  int(kHelperCount), int(implemented_helper_count()), "id", "name", "impl", "gpl",
                  "returns (arguments); program types");
    return line;
}

std::string helper_line(int32_t id) {
    const HelperProto* p = helper_proto(id);
    if (!p) return {};
    char head[128];
    std::snprintf(head, sizeof head, "%3d %-34s %-4s %-4s ", int(id), p->name,
                  helper_implemented(id) ? "yes" : "no", p->gpl_only ? "gpl" : "-");
    return head + ret_text(*p) + " (" + args_text(*p) + "); " + helper_prog_types_summary(id) + "\n";
}

std::string helper_details(int32_t id) {
    const HelperProto* p = helper_proto(id);
    if (!p) return {};
    const HelperDoc& doc = helper_doc(id);
    std::string out = std::string(p->name) + " (helper " + std::to_string(id) + ")\n";
    if (*doc.signature) out += std::string("  ") + doc.signature + "\n";
    out += "\nimplemented in bpfplay: " + std::string(helper_implemented(id) ? "yes" : "no") + "\n";
    out += "GPL only: " +
           std::string(p->gpl_only ? "yes (the program's license must be GPL-compatible)" : "no") + "\n";
    out += "arguments (as the kernel's verifier checks them):";
    if (p->nargs == 0) out += " none";
    out += "\n";
    for (uint8_t i = 0; i < p->nargs; ++i)
        out += "  r" + std::to_string(i + 1) + "  " + describe_arg(p->args[i]) + "\n";
    out += "returns (r0): " + ret_text(*p) + "\n";
    const std::vector<ProgType> types = prog_types_allowing(id);
    out += "program types (" + std::to_string(types.size()) +
           "): " + (types.empty() ? "none" : join_types(types)) + "\n";
    if (*doc.description) out += "\nDescription\n" + indented(doc.description, "    ");
    if (*doc.returns) out += "\nReturn\n" + indented(doc.returns, "    ");
    return out;
}

std::string helper_json(int32_t id, bool docs) {
    const HelperProto* p = helper_proto(id);
    if (!p) return "null";
    const HelperDoc& doc = helper_doc(id);
    JsonWriter w;
    w.begin_object().member("id", id).member("name", p->name).member("signature", doc.signature).key("args");
    w.begin_array();
    for (uint8_t i = 0; i < p->nargs; ++i)
        w.begin_object()
            .member("reg", "r" + std::to_string(i + 1))
            .member("kind", arg_kind_name(p->args[i].kind))
            .member("description", describe_arg(p->args[i]))
            .end_object();
    w.end_array().member("ret", ret_kind_name(p->ret)).member("ret_maybe_null", p->ret_maybe_null);
    w.member("gpl_only", p->gpl_only).key("prog_types").begin_array();
    for (ProgType t : prog_types_allowing(id)) w.value(prog_type_name(t));
    w.end_array().member("prog_types_summary", helper_prog_types_summary(id)).member("implemented", helper_implemented(id));
    if (docs) w.member("description", doc.description).member("returns", doc.returns);
    return w.end_object().take();
}

std::string helpers_json() {
    std::string j = "[\n";
    for (int32_t id = 1; id <= kHelperCount; ++id)
        j += helper_json(id) + (id < kHelperCount ? ",\n" : "\n");
    return j + "]\n";
}

int32_t implemented_helper_count() {
    int32_t n = 0;
    for (int32_t id = 1; id <= kHelperCount; ++id)
        n += helper_implemented(id) ? 1 : 0;
    return n;
}

} // namespace bpfplay
