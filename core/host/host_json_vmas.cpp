#include "core/host/host_json_vmas.hpp"

#include <charconv>
#include <string>

#include "core/hex.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

std::optional<uint64_t> host_json_address(const JsonValue& v) {
    if (v.is_number()) return v.as_uint64();
    if (!v.is_string()) return std::nullopt;
    const std::string& t = v.as_string();
    if (t.size() < 3 || t.size() > 18 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) return std::nullopt;
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(t.data() + 2, t.data() + t.size(), n, 16);
    return ec == std::errc{} && end == t.data() + t.size() ? std::optional(n) : std::nullopt;
}

namespace {

constexpr size_t kMaxPath = 4095;                          // PATH_MAX less its NUL

std::optional<HostJsonProblem> read_vma(const JsonValue& e, const std::string& path, HostVma& vma) {
    if (auto p = host_json_only(e, path, {"start", "end", "flags", "pgoff", "file"})) return p;
    for (const char* key : {"start", "end"}) {
        const JsonValue* v = e.find(key);
        const auto a = v ? host_json_address(*v) : std::nullopt;
        if (!a || *a % kVmaPageSize != 0 || *a > kTaskSizeMax)
            return HostJsonProblem{path + "." + key,
                                   "expected a page-aligned user address below 0x7ffffffff000: a number or a hex "
                                   "string like \"0x7ffd5e3a2000\""};
        (key[0] == 's' ? vma.start : vma.end) = *a;
    }
    if (vma.end <= vma.start) return HostJsonProblem{path + ".end", "the area ends at or before its start"};
    const JsonValue* flags = e.find("flags");
    if (!flags || !flags->is_string()) return HostJsonProblem{path, "missing \"flags\" (permissions as maps shows them: \"r-xp\")"};
    vma.perms = flags->as_string();
    if (!vm_flags_of(vma))
        return HostJsonProblem{path + ".flags",
                               "expected permissions as /proc/<pid>/maps shows them: r or -, w or -, x or -, then p "
                               "(private) or s (shared), like \"r-xp\""};
    if (const JsonValue* pgoff = e.find("pgoff")) {
        const auto n = pgoff->as_uint64();
        if (!n || *n >= (1ull << 52)) return HostJsonProblem{path + ".pgoff", "expected a file offset in pages, below 2^52"};
        vma.pgoff = *n;
    }
    if (const JsonValue* file = e.find("file")) {
        if (!file->is_string()) return HostJsonProblem{path + ".file", "expected a string"};
        vma.file = file->as_string();
        const bool bracketed = vma.file.size() > 2 && vma.file.front() == '[' && vma.file.back() == ']';
        if (!vma.file.empty() && !vma.file_backed() && !bracketed)
            return HostJsonProblem{path + ".file",
                                   "expected an absolute path (\"/usr/lib/libc.so.6\"), a name in brackets for an "
                                   "anonymous mapping (\"[heap]\"), or \"\""};
        if (vma.file.size() > kMaxPath || vma.file.find('\0') != std::string::npos || vma.file.find("//") != std::string::npos ||
            (vma.file_backed() && vma.file.size() > 1 && vma.file.back() == '/'))
            return HostJsonProblem{path + ".file", "expected a file's path: at most 4095 bytes, no empty component"};
    }
    return std::nullopt;
}

}  // namespace

std::optional<HostJsonProblem> read_vmas_member(const JsonValue& doc, std::vector<HostVma>& out) {
    const JsonValue* list = doc.find("vmas");
    if (!list) return std::nullopt;
    if (!list->is_array()) return HostJsonProblem{"vmas", "expected an array of areas"};
    if (list->size() > kMaxVmas)
        return HostJsonProblem{"vmas", "at most " + std::to_string(kMaxVmas) + " areas"};
    std::vector<HostVma> vmas;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = "vmas[" + std::to_string(i) + "]";
        HostVma vma;
        if (auto p = read_vma(*list->at(i), path, vma)) return p;
        // The kernel keeps the areas sorted and apart (a maple tree keyed by address).
        if (!vmas.empty() && vma.start < vmas.back().end)
            return HostJsonProblem{path + ".start", "areas are listed in ascending order and do not overlap: this one "
                                                    "starts below the end of the one before (" +
                                                        hex(vmas.back().end) + ")"};
        vmas.push_back(std::move(vma));
    }
    out = std::move(vmas);
    return std::nullopt;
}

void write_vmas_member(JsonWriter& w, const std::vector<HostVma>& vmas) {
    if (vmas == default_vmas()) return;
    w.key("vmas").begin_array();
    for (const HostVma& v : vmas)
        w.begin_object()
            .member("start", hex(v.start))
            .member("end", hex(v.end))
            .member("flags", v.perms)
            .member("pgoff", v.pgoff)
            .member("file", v.file)
            .end_object();
    w.end_array();
}

}  // namespace bpfplay
