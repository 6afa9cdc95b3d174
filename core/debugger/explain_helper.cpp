// Helper calls in words (the catalog's kernel documentation and argument kinds, with the
// argument registers' values now), and the explanations of a debug session's instructions
// as the CLI and the page show them.
#include <algorithm>

#include "core/debugger/debug_session.hpp"
#include "core/debugger/explain.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/hex.hpp"
#include "core/json/error_json.hpp"
#include "core/json/json_writer.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

namespace {

// What an argument of each kind is, for a learner.
std::string kind_meaning(const HelperArg& a) {
    std::string m;
    switch (a.kind) {
    case ArgKind::None: return "not an argument";
    case ArgKind::Anything: m = "a number (a flag, an index or a value)"; break;
    case ArgKind::MapPtr: m = "the map (an lddw of the map loads its address)"; break;
    case ArgKind::MapKey: m = "a pointer to a key: the map's key_size bytes"; break;
    case ArgKind::MapValue: m = "a pointer to a value: the map's value_size bytes"; break;
    case ArgKind::Ctx: m = "the program's context (what r1 held at entry)"; break;
    case ArgKind::Mem: m = "a pointer to memory; the next argument is its size"; break;
    case ArgKind::FixedMem: m = "a pointer to " + std::to_string(a.size) + " bytes"; break;
    case ArgKind::Size: m = "the size in bytes of the memory argument before it (more than 0)"; break;
    case ArgKind::SizeOrZero: m = "the size in bytes of the memory argument before it (0 allowed)"; break;
    case ArgKind::AllocSize: m = "a size the verifier knows at load time (a constant)"; break;
    case ArgKind::SpinLock: m = "a pointer to the struct bpf_spin_lock inside a map value"; break;
    case ArgKind::Timer: m = "a pointer to the struct bpf_timer inside a map value"; break;
    case ArgKind::Func: m = "a callback: a function of the program (an lddw func loads its address)"; break;
    case ArgKind::Stack: m = "a pointer into the program's stack, handed to the callback"; break;
    case ArgKind::ConstStr: m = "a NUL-terminated string in read-only data (.rodata)"; break;
    case ArgKind::SockCommon: m = "a socket (struct bpf_sock_common and up)"; break;
    case ArgKind::Socket: m = "a full socket a lookup returned (struct bpf_sock)"; break;
    case ArgKind::BtfId: m = std::string("a kernel object (struct ") + (a.btf_type ? a.btf_type : "?") + ")"; break;
    case ArgKind::PercpuBtfId: m = "a per-CPU kernel variable (a __ksym)"; break;
    case ArgKind::RingbufMem: m = "a record bpf_ringbuf_reserve returned"; break;
    case ArgKind::Dynptr: m = "a struct bpf_dynptr on the stack"; break;
    case ArgKind::KptrXchgDest: m = "a kptr field inside a map value"; break;
    case ArgKind::Arena: m = "a pointer into a BPF arena"; break;
    }
    const bool memory = a.kind == ArgKind::Mem || a.kind == ArgKind::FixedMem || a.kind == ArgKind::MapValue ||
                        a.kind == ArgKind::Stack;
    if (memory && a.access == ArgAccess::Write) m += "; the helper writes it";
    if (memory && a.access == ArgAccess::ReadWrite) m += "; the helper reads and writes it";
    if (a.maybe_null) m += "; may be NULL (0)";
    if (a.release) m += "; the helper takes this reference back";
    return m;
}

std::string trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
}

// "long bpf_x(struct bpf_map *map, u64 flags)" -> {("struct bpf_map *", "map"), ("u64", "flags")}.
std::vector<std::pair<std::string, std::string>> signature_args(std::string_view sig) {
    std::vector<std::pair<std::string, std::string>> out;
    const size_t open = sig.find('('), close = sig.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return out;
    std::string_view list = sig.substr(open + 1, close - open - 1);
    while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string one = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (one.empty() || one == "void") continue;
        size_t name_start = one.size();
        while (name_start > 0 && (std::isalnum(static_cast<unsigned char>(one[name_start - 1])) || one[name_start - 1] == '_'))
            --name_start;
        if (name_start == one.size()) {  // "..." or a type alone
            out.emplace_back("", one);
            continue;
        }
        out.emplace_back(trim(one.substr(0, name_start)), one.substr(name_start));
    }
    return out;
}

std::string first_sentence(const std::string& text) {
    std::string s = text.substr(0, text.find('\n'));
    for (size_t dot = s.find(". "); dot != std::string::npos; dot = s.find(". ", dot + 1)) {
        // "i.e. ", "e.g. ": abbreviations, not the end of the sentence.
        if (dot >= 3 && (s.compare(dot - 3, 3, "i.e") == 0 || s.compare(dot - 3, 3, "e.g") == 0)) continue;
        return s.substr(0, dot + 1);
    }
    return s;
}

// The bytes at a pointer argument, as hex ("06 00 00 00"); "" when not readable.
std::string bytes_at(const ExplainValues& v, uint64_t address, uint32_t n) {
    std::string out;
    n = std::min<uint32_t>(n, 32);
    for (uint32_t i = 0; i < n; ++i) {
        auto b = v.read ? v.read(address + i, 1) : std::nullopt;
        if (!b) return i == 0 ? "" : out + " ...";
        static const char kHex[] = "0123456789abcdef";
        if (i) out += ' ';
        out += kHex[(*b >> 4) & 0xf];
        out += kHex[*b & 0xf];
    }
    return out;
}

std::string string_at(const ExplainValues& v, uint64_t address) {
    std::string out;
    for (uint32_t i = 0; i < 64; ++i) {
        auto b = v.read ? v.read(address + i, 1) : std::nullopt;
        if (!b) return "";
        if (*b == 0) return "\"" + out + "\"";
        out += char(*b);
    }
    return "\"" + out + "...\"";
}

std::string arg_value(const HelperProto& p, int i, const ExplainValues& v) {
    const HelperArg& a = p.args[i];
    const uint64_t x = v.regs[size_t(i + 1)];
    std::string out = value_words(x, &v);
    if (x == 0 && a.maybe_null) return "0 (NULL)";
    uint32_t n = 0;
    std::optional<std::pair<uint32_t, uint32_t>> sizes;
    for (int k = 0; k < p.nargs; ++k)
        if (p.args[k].kind == ArgKind::MapPtr && v.map_sizes) sizes = v.map_sizes(v.regs[size_t(k + 1)]);
    switch (a.kind) {
    case ArgKind::MapKey: n = sizes ? sizes->first : 0; break;
    case ArgKind::MapValue: n = sizes ? sizes->second : 0; break;
    case ArgKind::FixedMem: n = a.size; break;
    case ArgKind::Mem:
        if (i + 1 < p.nargs) n = uint32_t(std::min<uint64_t>(v.regs[size_t(i + 2)], 32));
        break;
    case ArgKind::ConstStr:
        if (std::string s = string_at(v, x); !s.empty()) out += ": " + s;
        return out;
    default: return out;
    }
    if (n == 0 || a.access == ArgAccess::Write) return out;
    if (std::string b = bytes_at(v, x, n); !b.empty()) out += ": " + b;
    return out;
}

void to_json(JsonWriter& w, const InsnExplanation& e) {
    w.member("pc", e.pc).member("text", e.text).member("class", e.cls).member("summary", e.summary);
    w.key("details").values(e.details);
    w.member("values", e.values).member("valid", e.valid).member("helper_id", e.helper_id);
}

void to_json(JsonWriter& w, const HelperExplanation& h) {
    w.begin_object().member("id", h.id).member("name", h.name).member("signature", h.signature);
    w.member("summary", h.summary).member("description", h.description).member("returns", h.returns);
    w.member("ret_kind", h.ret_kind).member("gpl_only", h.gpl_only).key("args").begin_array();
    for (const HelperArgExplanation& a : h.args)
        w.begin_object().member("reg", a.reg).member("name", a.name).member("type", a.type).member("kind", a.kind)
            .member("meaning", a.meaning).member("value", a.value).end_object();
    w.end_array().end_object();
}

}  // namespace

std::string plain_doc(std::string_view rst) {
    std::string out;
    for (size_t i = 0; i < rst.size(); ++i) {
        const char c = rst[i];
        if (c == '\\' && i + 1 < rst.size()) {
            // "\\ " joins a name to "()" in RST; "\\*" is a literal star.
            if (rst[i + 1] == ' ') ++i;
            else out += rst[++i];
            continue;
        }
        if (c == '*' || c == '`') continue;  // **bold**, *emphasis*, ``code``
        out += c;
    }
    return out;
}

HelperExplanation explain_helper(int32_t id, const ExplainValues* values) {
    HelperExplanation h;
    h.id = id;
    const HelperProto* p = helper_proto(id);
    if (!p || id <= 0) return h;
    const HelperDoc& doc = helper_doc(id);
    h.name = p->name;
    h.signature = doc.signature;
    h.description = plain_doc(doc.description);
    h.summary = first_sentence(h.description);
    h.returns = plain_doc(doc.returns);
    h.ret_kind = ret_kind_name(p->ret);
    h.gpl_only = p->gpl_only;
    const auto names = signature_args(doc.signature);
    for (int i = 0; i < p->nargs; ++i) {
        HelperArgExplanation a;
        a.reg = "r" + std::to_string(i + 1);
        if (size_t(i) < names.size() && !names[size_t(i)].first.empty()) {
            a.type = names[size_t(i)].first;
            a.name = names[size_t(i)].second;
        } else {
            a.name = "arg" + std::to_string(i + 1);  // the "..." of bpf_trace_printk
        }
        a.kind = arg_kind_name(p->args[i].kind);
        a.meaning = kind_meaning(p->args[i]);
        if (values) a.value = arg_value(*p, i, *values);
        h.args.push_back(std::move(a));
    }
    return h;
}

ExplainNames explain_names(const DebugSession& session) {
    ExplainNames n;
    const DebugSession* s = &session;
    n.map_name = [s](uint32_t id) {
        const Map* m = s->object().object().maps->get(id);
        return m ? m->name() : std::string();
    };
    n.function_name = [s](uint32_t pc) {
        for (const FunctionInfo& f : s->program().func_info)
            if (f.insn == pc) return f.name;
        return std::string();
    };
    n.kfunc_name = [s](int32_t imm) {
        const auto& btf = s->object().object().btf;
        return btf ? std::string(btf->name(uint32_t(imm))) : std::string();
    };
    return n;
}

ExplainValues explain_values(const DebugSession& session) {
    ExplainValues v;
    const DebugSession* s = &session;
    for (int i = 0; i < 11; ++i) v.regs[size_t(i)] = session.vm().reg(i);
    v.depth = session.vm().depth();
    v.points_to = [s](uint64_t x) { return s->describe_value(x).points_to; };
    v.read = [s](uint64_t address, uint32_t size) -> std::optional<uint64_t> {
        // A context the kernel rewrites loads from (data, data_end are pointers, not the bytes
        // behind them): what the interpreter's load gives, by the same code (it changes nothing).
        if (const auto& ctx = s->run_state().ctx; ctx && (address >> 32) == window::kContext) {
            uint64_t value = 0;
            std::string why;
            if (!ctx->load(uint32_t(address & 0xffffffffull), size, value, why)) return std::nullopt;
            return value;
        }
        auto bytes = s->read_memory(address, size);
        if (!bytes) return std::nullopt;
        uint64_t x = 0;
        for (uint32_t i = size; i-- > 0;) x = (x << 8) | (*bytes)[i];
        return x;
    };
    v.context_field = [s](uint64_t address) -> std::string {
        const auto& ctx = s->run_state().ctx;
        if (!ctx || (address >> 32) != window::kContext) return {};
        const uint64_t off = address & 0xffffffffull;
        for (const ContextField& f : ctx->fields())
            if (off >= f.off && off < uint64_t(f.off) + f.size) return ctx->struct_name() + "." + f.name + ": " + f.about;
        return {};
    };
    v.map_sizes = [s](uint64_t handle) -> std::optional<std::pair<uint32_t, uint32_t>> {
        const Map* m = s->object().object().maps->from_handle(handle);
        if (!m) return std::nullopt;
        return std::pair{m->key_size(), m->value_size()};
    };
    const ProgType type = session.program().type;
    const bool timer = !session.timer().empty();
    v.return_name = [type, timer](uint64_t r0) { return timer ? std::string() : return_value_name(type, r0); };
    return v;
}

std::optional<StopExplanation> explain_at(const DebugSession& session, std::optional<uint32_t> pc) {
    const LoadedProgram& prog = session.program();
    const uint32_t at = pc.value_or(session.pc());
    if (at >= prog.insns.size()) return std::nullopt;
    StopExplanation e;
    // Values belong to the instruction about to run, and only while the program still runs.
    e.current = at == session.pc() && session.status() == RunStatus::Ready;
    const ExplainValues values = explain_values(session);
    const ExplainValues* v = e.current ? &values : nullptr;
    e.insn = explain_insn(prog.insns, at, explain_names(session), v);
    const Insn& insn = prog.insns[at];
    if (v && insn.opcode == op::kLddw && insn.src != 0 && at < prog.program.insns.size()) {
        // The loader resolved it to the address the program sees: say where that points.
        e.insn.values = "r" + std::to_string(insn.dst) + " becomes " + value_words(uint64_t(prog.program.insns[at].imm), v);
    }
    if (e.insn.helper_id > 0 && helper_proto(e.insn.helper_id)) e.helper = explain_helper(e.insn.helper_id, v);
    return e;
}

void to_json(JsonWriter& w, const StopExplanation& e) {
    w.begin_object().member("ok", true);
    to_json(w, e.insn);
    w.member("current", e.current).key("helper");
    if (e.helper) to_json(w, *e.helper);
    else w.null();
    w.end_object();
}

std::string explain_json(const DebugSession& session, std::optional<uint32_t> pc) {
    JsonWriter w;
    auto e = explain_at(session, pc);
    if (!e) {
        w.begin_object().member("ok", false).key("error");
        to_json(w, make_error(ErrorKind::Load, "There is no instruction " + std::to_string(pc.value_or(session.pc())) + ".",
                              std::nullopt, "The program has " + std::to_string(session.program().insns.size()) +
                                                " instruction slots."));
        return w.end_object().take();
    }
    to_json(w, *e);
    return w.take();
}

std::string explain_text(const StopExplanation& e) {
    // The parts are pieces of one sentence (lower case); as lines each starts a sentence.
    auto line = [](std::string s) {
        if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = char(s[0] - 'a' + 'A');
        return "  " + s + (s.ends_with('.') ? "\n" : ".\n");
    };
    std::string out = std::to_string(e.insn.pc) + ": " + e.insn.text + "\n" + line(e.insn.summary);
    for (const std::string& d : e.insn.details) out += line(d);
    if (!e.current) out += "  (Values are shown for the current instruction only.)\n";
    if (!e.insn.values.empty()) out += line("now: " + e.insn.values);
    if (e.helper) {
        const HelperExplanation& h = *e.helper;
        out += "  " + h.signature + "\n";
        for (const HelperArgExplanation& a : h.args) {
            out += "    " + a.reg + " " + a.name + " (" + a.kind + "): " + a.meaning;
            if (!a.value.empty()) out += " = " + a.value;
            out += "\n";
        }
        std::string returns = h.returns;
        std::replace(returns.begin(), returns.end(), '\n', ' ');
        if (!returns.empty()) out += "  Returns: " + returns + "\n";
    }
    return out;
}

}  // namespace bpfplay
