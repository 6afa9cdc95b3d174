#include "core/run/btf_args_context.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/btf/builtin_target_btf.hpp"
#include "core/hex.hpp"
#include "core/json/json_writer.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "core/loader/loader.hpp"
#include "core/loader/traced_program.hpp"
#include "core/run/tracepoint_record.hpp"

namespace bpfplay {

namespace {

enum class ArgsSource { None, Func, Tracepoint, Kprobe, Kretprobe, Record };

// Where a kprobe program's section puts it: "kprobe/<function>" at the function's entry,
// "kretprobe/<function>" at its return. A "+offset" inside the function, uprobes (user
// functions: no kernel prototype), and the multi-attach kinds (many functions) have no names.
ArgsSource kprobe_source(const LoadedProgram& p) {
    if (p.attach != AttachType(0) || p.attach_target.find('+') != std::string::npos) return ArgsSource::None;
    if (p.section.starts_with("kprobe/")) return ArgsSource::Kprobe;
    if (p.section.starts_with("kretprobe/")) return ArgsSource::Kretprobe;
    return ArgsSource::None;
}

// A BPF_PROG_TYPE_TRACING program's attach type says what it attaches to: a trampoline on a
// kernel function, a BTF tracepoint, or something without arguments (iterators).
ArgsSource tracing_source(AttachType attach) {
    if (attach == AttachType::TraceFentry || attach == AttachType::TraceFexit || attach == AttachType::ModifyReturn)
        return ArgsSource::Func;
    if (attach == AttachType::TraceRawTp) return ArgsSource::Tracepoint;
    return ArgsSource::None;
}

// Only these program types' contexts are a function's or tracepoint's arguments.
ArgsSource args_source(const LoadedProgram& p) {
    if (p.type == ProgType::Kprobe) return kprobe_source(p);
    // SEC("tracepoint") alone attaches nowhere yet: its record has no event to be laid out by.
    if (p.type == ProgType::Tracepoint) return p.attach_target.empty() ? ArgsSource::None : ArgsSource::Record;
    if (p.type == ProgType::Lsm) return ArgsSource::Func;
    if (p.type == ProgType::RawTracepoint || p.type == ProgType::RawTracepointWritable) return ArgsSource::Tracepoint;
    if (p.type == ProgType::Tracing) return tracing_source(p.attach);
    return ArgsSource::None;
}

// btf_ctx_access lets fexit, fmod_ret and LSM programs read ctx[nr_args]: the return value.
bool has_return_slot(const LoadedProgram& p) {
    return p.type == ProgType::Lsm || p.attach == AttachType::TraceFexit || p.attach == AttachType::ModifyReturn;
}

size_t common_prefix(std::string_view a, std::string_view b) {
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

bool same_param_types(const Btf& btf, uint32_t proto_a, uint32_t proto_b) {
    const auto a = btf.params(proto_a), b = btf.params(proto_b);
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].type != b[i].type) return false;
    return true;
}

// The FUNC_PROTO naming a tracepoint's parameters: its __bpf_trace_<event> function, or (for a
// DEFINE_EVENT of a class) the kept __bpf_trace_<class> with the same parameter types whose
// name shares the longest prefix with the event's (trim.py keeps only the classes it means).
uint32_t tracepoint_names_proto(const Btf& btf, std::string_view event, uint32_t proto) {
    constexpr std::string_view kPrefix = "__bpf_trace_";
    uint32_t best = 0;
    size_t best_len = 0;
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        if (btf.kind(id) != BtfKind::Func) continue;
        const std::string_view name = btf.name(id);
        if (!name.starts_with(kPrefix)) continue;
        const uint32_t candidate = btf.type(id)->ref;
        if (!same_param_types(btf, candidate, proto)) continue;
        const std::string_view cls = name.substr(kPrefix.size());
        if (cls == event) return candidate;
        const size_t len = common_prefix(cls, event);
        if (len > best_len) best = candidate, best_len = len;
    }
    return best;
}

BtfArgSlot arg_slot(const Btf& btf, std::string name, uint32_t type, size_t index) {
    return {std::move(name), type ? btf.type_to_string(type) : "void", uint32_t(index * 8), type, false, ""};
}

// struct pt_regs on x86-64 (arch/x86/include/asm/ptrace.h): r15 r14 r13 r12 bp bx r11 r10 r9
// r8 ax cx dx si di orig_ax ip cs flags sp ss, 8 bytes each.
constexpr uint32_t kKprobeRegsSize = 21 * 8;
constexpr uint32_t kKprobeRegsAx = 80;
struct ArgRegister {
    const char* name;
    uint32_t offset;
};
// The System V AMD64 calling convention's integer argument registers, in order.
constexpr ArgRegister kArgRegisters[] = {{"di", 112}, {"si", 104}, {"dx", 96}, {"cx", 88}, {"r8", 72}, {"r9", 64}};

// A kprobe's slots: the function's prototype laid over the registers that carry it.
void place_in_registers(BtfArgsLayout& layout, ArgsSource source, const Btf& btf, uint32_t proto) {
    layout.fixed_size = kKprobeRegsSize;
    if (source == ArgsSource::Kretprobe) {
        layout.slots.clear();
        BtfArgSlot ret = arg_slot(btf, "ret", btf.type(proto)->ref, 0);
        ret.offset = kKprobeRegsAx;
        ret.reg = "ax";
        ret.is_return = true;
        layout.slots.push_back(std::move(ret));
        return;
    }
    if (layout.slots.size() > std::size(kArgRegisters)) layout.slots.resize(std::size(kArgRegisters));
    for (size_t i = 0; i < layout.slots.size(); ++i) {
        layout.slots[i].offset = kArgRegisters[i].offset;
        layout.slots[i].reg = kArgRegisters[i].name;
    }
}

// What a pointer parameter points at, by struct name: the object the emulated kernel has.
uint64_t object_for(std::string_view pointee, const KernelObjectAddresses& k, const Host& host) {
    if (pointee == "task_struct") return k.task;
    if (pointee == "mm_struct") return k.mm;
    if (pointee == "cred") return k.cred;
    if (pointee == "file") return k.exe_file;
    if (pointee == "path") return k.exe_path;
    if (pointee == "dentry") return k.exe_dentry;
    if (pointee == "inode") return k.exe_inode;
    if (pointee == "filename") return k.filename;
    if (pointee == "linux_binprm") return k.bprm;
    if (pointee == "pt_regs") return k.pt_regs;
    if (pointee == "vm_area_struct") return host.vmas.empty() ? 0 : vma_address(0);
    const uint32_t sockets = uint32_t(host.net.sockets.size());
    if ((pointee == "sock" || pointee == "sock_common") && sockets) return socket_object_address(0, sockets);
    if (pointee == "xdp_buff") return k.xdp_buff;
    if (pointee == "sk_buff") return k.sk_buff;
    // The same socket's struct socket (socket->sk is the sock above, socket->file its file).
    if (pointee == "socket" && sockets) return socket_struct_address(0, sockets);
    return 0;
}

// The first PTR type of the built-in BTF pointing at `struct name`, 0 if none.
uint32_t pointer_to_struct(const Btf& btf, std::string_view name) {
    const auto target = btf.find_by_name(name, BtfKind::Struct);
    if (!target) return 0;
    for (uint32_t id = 1; id < btf.type_count(); ++id)
        if (btf.kind(id) == BtfKind::Ptr && btf.type(id)->ref == *target) return id;
    return 0;
}

// A trampoline on a BPF program (traced_program.hpp): one slot, the target's kernel context
// ("ctx": btf_ctx_access turns the target's struct xdp_md * into struct xdp_buff *), then for
// fexit the target's int return value.
Result<BtfArgsLayout> traced_program_layout(const LoadedProgram& p) {
    const Btf& btf = builtin_target_btf();
    const std::string_view ctx_struct = traced_ctx_struct(p.traced_type);
    BtfArgsLayout layout;
    layout.attach = p.traced_program.empty() ? std::string("the traced ") + prog_type_name(p.traced_type) + " program"
                                             : p.traced_program;
    // The kernel names the target by its function (the traced program), or the placeholder.
    layout.btf_name = p.traced_program.empty() ? p.attach_target : p.traced_program;
    layout.slots.push_back(arg_slot(btf, "ctx", pointer_to_struct(btf, ctx_struct), 0));
    if (has_return_slot(p)) {
        BtfArgSlot ret = arg_slot(btf, "ret", btf.find_by_name("int", BtfKind::Int).value_or(0), 1);
        ret.is_return = true;
        layout.slots.push_back(std::move(ret));
    }
    return layout;
}

}  // namespace

const BtfArgSlot* BtfArgsLayout::find(std::string_view name) const {
    for (const BtfArgSlot& s : slots)
        if (s.name == name) return &s;
    return nullptr;
}

std::string BtfArgsLayout::what() const { return attach + (tracepoint ? "'s record" : "'s arguments"); }

std::string BtfArgsLayout::names() const {
    std::string out;
    for (const BtfArgSlot& s : slots) out += (out.empty() ? "" : ", ") + s.name + (s.reg.empty() ? "" : " in " + s.reg);
    return out;
}

bool has_btf_args(const LoadedProgram& program) { return args_source(program) != ArgsSource::None; }

Result<BtfArgsLayout> btf_args_layout(const LoadedProgram& p) {
    const ArgsSource source = args_source(p);
    if (source == ArgsSource::Record) return tracepoint_record_layout(p.attach_target);
    const Btf& btf = builtin_target_btf();
    BtfArgsLayout layout;
    layout.attach = p.type == ProgType::Lsm ? "bpf_lsm_" + p.attach_target : p.attach_target;
    uint32_t proto = 0, names = 0;
    size_t first = 0;  // parameters the context does not hold (a tracepoint's void *__data)
    if (source == ArgsSource::Func && traces_bpf_program(p) && !traced_ctx_struct(p.traced_type).empty())
        return traced_program_layout(p);
    if (source == ArgsSource::Func || source == ArgsSource::Kprobe || source == ArgsSource::Kretprobe) {
        layout.btf_name = layout.attach;
        const auto func = btf.find_by_name(layout.attach, BtfKind::Func);
        if (func && btf.kind(btf.type(*func)->ref) == BtfKind::FuncProto) proto = names = btf.type(*func)->ref;
    } else if (source == ArgsSource::Tracepoint) {
        layout.btf_name = "btf_trace_" + p.attach_target;
        const auto tdef = btf.find_by_name(layout.btf_name, BtfKind::Typedef);
        const uint32_t ptr = tdef ? btf.type(*tdef)->ref : 0;
        if (btf.kind(ptr) == BtfKind::Ptr && btf.kind(btf.type(ptr)->ref) == BtfKind::FuncProto) {
            proto = btf.type(ptr)->ref;
            names = tracepoint_names_proto(btf, p.attach_target, proto);
            first = 1;
        }
    }
    if (!proto)
        return make_error(ErrorKind::Load,
                          "the emulated kernel's BTF has no prototype for " +
                              (source == ArgsSource::Tracepoint ? "tracepoint \"" + p.attach_target + "\""
                                                                : "function \"" + layout.attach + "\"") +
                              ", so the context's arguments have no names",
                          std::nullopt,
                          "tools/vmlinux_btf/trim.py keeps the attach points in its FUNCS and TRACEPOINTS lists; "
                          "add yours there, or give the context as bytes. An fentry/fexit whose attach point is a "
                          "placeholder for a BPF program it traces: name that program or its type (bpfvm run "
                          "--traced PROGRAM, --traced xdp, --traced tc).");
    const auto params = btf.params(proto);
    const auto named = names ? btf.params(names) : params;
    for (size_t i = first; i < params.size(); ++i) {
        if (params[i].type == 0 && params[i].name_off == 0) break;  // a variadic prototype's "..."
        std::string name(btf.string_at(named[i].name_off));
        if (name.empty()) name = "arg" + std::to_string(i - first);
        layout.slots.push_back(arg_slot(btf, std::move(name), params[i].type, i - first));
    }
    if (has_return_slot(p)) {
        BtfArgSlot ret = arg_slot(btf, "ret", btf.type(proto)->ref, layout.slots.size());
        ret.is_return = true;
        layout.slots.push_back(std::move(ret));
    }
    if (source == ArgsSource::Kprobe || source == ArgsSource::Kretprobe) place_in_registers(layout, source, btf, proto);
    return layout;
}

uint64_t btf_arg_default(const BtfArgSlot& slot, const KernelObjectAddresses& kernel, const Host& host) {
    if (slot.is_return) return 0;
    const Btf& btf = builtin_target_btf();
    const uint32_t t = btf.skip_modifiers(slot.type_id);
    if (btf.kind(t) != BtfKind::Ptr) return 0;
    const uint32_t pointee = btf.skip_modifiers(btf.type(t)->ref);
    const BtfKind k = btf.kind(pointee);
    if (k != BtfKind::Struct && k != BtfKind::Fwd) return 0;
    return object_for(btf.name(pointee), kernel, host);
}

namespace {

// A slot `name` names, or a record array's element "name[i]": its offset and bytes.
struct ArgTarget {
    uint32_t offset = 0, width = 0;
};
std::optional<ArgTarget> arg_target(const BtfArgsLayout& layout, std::string_view name) {
    if (const BtfArgSlot* s = layout.find(name)) return ArgTarget{s->offset, std::min<uint32_t>(s->width, 8)};
    const size_t open = name.find('[');
    if (open == std::string_view::npos || !name.ends_with(']')) return std::nullopt;
    const BtfArgSlot* s = layout.find(name.substr(0, open));
    const bool array = s && (s->record == RecordField::Array || s->record == RecordField::Chars);
    if (!array) return std::nullopt;
    uint32_t i = 0;
    const std::string_view digits = name.substr(open + 1, name.size() - open - 2);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    const uint32_t count = s->record == RecordField::Chars ? s->width : s->elements;
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || i >= count) return std::nullopt;
    const uint32_t element = s->width / count;
    return ArgTarget{s->offset + i * element, std::min<uint32_t>(element, 8)};
}

void store_width(std::vector<uint8_t>& bytes, ArgTarget t, uint64_t value) {
    for (uint32_t i = 0; i < t.width; ++i) bytes[t.offset + i] = uint8_t(value >> (8 * i));
}

Error unknown_arg(const BtfArgsLayout& layout, const std::string& name) {
    return make_error(ErrorKind::Load, "no " + std::string(layout.tracepoint ? "field" : "argument") + " \"" + name +
                                           "\" in the context of " + layout.attach + "; its " +
                                           (layout.tracepoint ? "fields" : "arguments") + ": " +
                                           (layout.slots.empty() ? std::string("none") : layout.names()));
}

// A record's string field set to `text`: a char array in place, a __data_loc string after the
// data already there (the kernel's __assign_str copies into the space after the fixed part).
Result<Unit> store_text(std::vector<uint8_t>& bytes, const BtfArgsLayout& layout, const std::string& name,
                        const std::string& text) {
    const BtfArgSlot* s = layout.find(name);
    if (!s) return unknown_arg(layout, name);
    if (s->record == RecordField::Chars) {
        const size_t n = std::min<size_t>(text.size(), s->width - 1);
        std::fill_n(bytes.begin() + s->offset, s->width, uint8_t(0));
        std::copy_n(text.begin(), n, bytes.begin() + s->offset);
        return Unit{};
    }
    if (s->record == RecordField::DataLoc && s->type == "__data_loc char[]") {
        constexpr size_t kLocMax = 0xffff;  // the u32's offset and length halves
        if (bytes.size() > kLocMax || text.size() + 1 > kLocMax)
            return make_error(ErrorKind::Load, "field \"" + name + "\" of " + layout.attach +
                                                   ": the record has no room for " + std::to_string(text.size()) +
                                                   " more bytes (a __data_loc offset and length are 16 bits)");
        const uint32_t loc = uint32_t(bytes.size()) | uint32_t(text.size() + 1) << 16;
        store_le<uint32_t>(&bytes[s->offset], loc);
        bytes.insert(bytes.end(), text.begin(), text.end());
        bytes.push_back(0);
        return Unit{};
    }
    return make_error(ErrorKind::Load, "field \"" + name + "\" of " + layout.attach + " is " + s->type +
                                           ", not a string: give it as a number");
}

std::string context_shape(const BtfArgsLayout& layout) {
    if (layout.tracepoint) return "a record of " + std::to_string(layout.size()) + " bytes and its __data_loc data";
    return (layout.fixed_size ? "a struct pt_regs" : std::to_string(layout.slots.size()) + " u64 slots") + " (" +
           std::to_string(layout.size()) + " bytes: " + layout.names() + ")";
}

}  // namespace

Result<std::vector<uint8_t>> btf_args_bytes(const BtfArgsLayout& layout, const KernelObjectAddresses& kernel,
                                            const Host& host, const std::vector<uint8_t>& given,
                                            const std::vector<std::pair<std::string, uint64_t>>& named,
                                            const std::vector<std::pair<std::string, std::string>>& texts) {
    // A record may be followed by its __data_loc data, up to what the perf buffer holds.
    constexpr size_t kTpRecordMax = 8192;  // PERF_MAX_TRACE_SIZE
    const size_t limit = layout.tracepoint ? kTpRecordMax : layout.size();
    if (given.size() > limit)
        return make_error(ErrorKind::Load, "the context of " + layout.attach + " is " + context_shape(layout) +
                                               ", but " + std::to_string(given.size()) + " bytes were given");
    std::vector<uint8_t> bytes;
    if (layout.tracepoint) {
        bytes = tracepoint_record_defaults(layout, host);
    } else {
        bytes.assign(layout.size(), 0);
        for (const BtfArgSlot& s : layout.slots) store_le<uint64_t>(&bytes[s.offset], btf_arg_default(s, kernel, host));
    }
    if (given.size() > bytes.size()) bytes.resize(given.size(), 0);
    if (!given.empty()) std::memcpy(bytes.data(), given.data(), given.size());
    for (const auto& [name, value] : named) {
        const auto target = arg_target(layout, name);
        if (!target) return unknown_arg(layout, name);
        store_width(bytes, *target, value);
    }
    for (const auto& [name, text] : texts)
        if (auto r = store_text(bytes, layout, name, text); !r.ok()) return r.error();
    return bytes;
}

bool btf_arg_settable(const BtfArgsLayout& layout, std::string_view name) {
    return arg_target(layout, name).has_value();
}

BtfArgFormat btf_arg_format(const BtfArgSlot& slot) {
    BtfArgFormat f;
    if (slot.record != RecordField::None) {
        // The format's text is all a record field has: "const char *", "void *" are pointers.
        f.pointer = slot.record == RecordField::Number && slot.type.ends_with('*');
        f.is_signed = slot.record_signed && !f.pointer;
        f.size = slot.record == RecordField::DataLoc ? 4 : std::min<uint32_t>(slot.width, 8);
        return f;
    }
    const Btf& btf = builtin_target_btf();
    const uint32_t t = btf.skip_modifiers(slot.type_id);
    const BtfType* type = btf.type(t);
    if (!type || type->kind == BtfKind::Ptr || t == 0) {
        f.pointer = true;
        return f;
    }
    f.size = type->size > 0 && type->size < 8 ? type->size : 8;
    f.is_signed = (type->kind == BtfKind::Int && (type->int_info.encoding & kBtfIntSigned)) ||
                  (type->is_enum() && type->enum_signed());
    return f;
}

std::string btf_arg_value_text(const BtfArgSlot& slot, uint64_t value) {
    const BtfArgFormat f = btf_arg_format(slot);
    if (f.pointer) {
        // A void function's ret (no type) has no NULL to speak of.
        const bool typed = slot.record != RecordField::None || builtin_target_btf().skip_modifiers(slot.type_id) != 0;
        if (value == 0 && typed) return "NULL";
        char buf[24];
        const auto end = std::to_chars(buf, buf + sizeof buf, value, 16).ptr;
        return "0x" + std::string(buf, end);
    }
    if (f.is_signed) {
        const unsigned shift = 64 - 8 * f.size;
        return std::to_string(int64_t(value << shift) >> shift);
    }
    return std::to_string(f.size == 8 ? value : value & ((uint64_t(1) << (8 * f.size)) - 1));
}

namespace {

// The little-endian value of `width` (up to 8) bytes at `offset`; 0 for bytes past the end.
uint64_t le_value_at(std::span<const uint8_t> bytes, uint32_t offset, uint32_t width) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < std::min<uint32_t>(width, 8); ++i)
        if (offset + i < bytes.size()) v |= uint64_t(bytes[offset + i]) << (8 * i);
    return v;
}

uint64_t arg_value_at(const BtfArgSlot& slot, std::span<const uint8_t> bytes) {
    return le_value_at(bytes, slot.offset, slot.width);
}

// "\"curl\"": up to the first NUL, other bytes outside printable ASCII as \xNN.
std::string quoted_chars(std::span<const uint8_t> bytes) {
    std::string out = "\"";
    for (uint8_t c : bytes) {
        if (c == 0) break;
        if (c == '"' || c == '\\') out += '\\';
        if (c >= 0x20 && c < 0x7f) {
            out += char(c);
        } else {
            static constexpr char kDigits[] = "0123456789abcdef";
            out += "\\x";
            out += kDigits[c >> 4];
            out += kDigits[c & 15];
        }
    }
    return out + "\"";
}

std::span<const uint8_t> clamp_span(std::span<const uint8_t> bytes, size_t offset, size_t length) {
    if (offset >= bytes.size()) return {};
    return bytes.subspan(offset, std::min(length, bytes.size() - offset));
}

}  // namespace

std::string_view record_field_name(RecordField kind) {
    switch (kind) {
    case RecordField::None: return "";
    case RecordField::Number: return "number";
    case RecordField::Chars: return "chars";
    case RecordField::Array: return "array";
    case RecordField::DataLoc: return "data_loc";
    }
    return "";
}

std::string btf_arg_text(const BtfArgSlot& slot, std::span<const uint8_t> bytes) {
    switch (slot.record) {
    case RecordField::None:
    case RecordField::Number: return btf_arg_value_text(slot, arg_value_at(slot, bytes));
    case RecordField::Chars: return quoted_chars(clamp_span(bytes, slot.offset, slot.width));
    case RecordField::Array: {
        const uint32_t element = slot.width / slot.elements;
        std::string out = "{";
        for (uint32_t i = 0; i < slot.elements; ++i)
            out += (i ? ", " : "") + std::to_string(le_value_at(bytes, slot.offset + i * element, element));
        return out + "}";
    }
    case RecordField::DataLoc: {
        const uint32_t loc = uint32_t(arg_value_at(slot, bytes));
        const uint32_t offset = loc & 0xffff, length = loc >> 16;
        const std::span<const uint8_t> data = clamp_span(bytes, offset, length);
        const std::string where =
            std::to_string(length) + (length == 1 ? " byte at " : " bytes at ") + std::to_string(offset);
        if (slot.type == "__data_loc char[]") return quoted_chars(data) + " (" + where + ")";
        return where;
    }
    }
    return {};
}

std::string btf_args_text(const BtfArgsLayout& layout, std::span<const uint8_t> bytes) {
    std::string out;
    for (const BtfArgSlot& s : layout.slots)
        out += "  " + s.name + " = " + btf_arg_text(s, bytes) + " (" + s.type + (s.reg.empty() ? "" : ", in " + s.reg) +
               ")\n";
    return out;
}

void btf_args_json(JsonWriter& w, const BtfArgsLayout& layout, std::span<const uint8_t> bytes) {
    w.begin_array();
    for (const BtfArgSlot& s : layout.slots) {
        const uint64_t v = arg_value_at(s, bytes);
        w.begin_object().member("name", s.name).member("type", s.type).member("offset", s.offset);
        w.member("width", std::min<uint32_t>(s.width, 8)).member("kind", record_field_name(s.record));
        const BtfArgFormat f = btf_arg_format(s);
        w.member("value", v).member("text", btf_arg_text(s, bytes));
        w.member("pointer", f.pointer).member("signed", f.is_signed).member("size", f.size);
        w.member("register", s.reg).end_object();
    }
    w.end_array();
}

std::optional<uint64_t> parse_btf_arg_value(std::string_view text) {
    if (text == "NULL") return 0;
    const bool negative = text.starts_with('-');
    if (negative) text.remove_prefix(1);
    int base = 10;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        base = 16;
        text.remove_prefix(2);
    }
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return negative ? uint64_t(0) - v : v;
}

}  // namespace bpfplay
