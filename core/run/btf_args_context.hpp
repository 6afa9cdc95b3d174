#pragma once
// The context of programs attached through a BPF trampoline or a BTF tracepoint: fentry,
// fexit, fmod_ret, lsm (and lsm_cgroup), tp_btf and raw_tp. The kernel hands them an array of
// u64, one per argument of the attach point's BTF prototype (btf_distill_func_proto's nr_args),
// and for fexit, fmod_ret and lsm the traced function's return value in ctx[nr_args]
// (arch_prepare_bpf_trampoline stores it after the arguments; btf_ctx_access lets those attach
// types read it). BPF_PROG(name, args...) in bpf_tracing.h reads ctx[i] by position; this file
// gives each slot the name and C type the kernel's prototype gives it, from the built-in
// vmlinux BTF (core/btf/builtin_target_btf.hpp):
//
//   fentry/do_unlinkat   FUNC do_unlinkat                  (int dfd, struct filename *name)
//   fexit/vfs_read       FUNC vfs_read, then "ret"         (file, buf, count, pos, ret)
//   lsm/file_open        FUNC bpf_lsm_file_open, then "ret"
//   tp_btf/sched_switch  TYPEDEF btf_trace_sched_switch -> FUNC_PROTO, its first parameter (the
//                        tracepoint's void *__data) skipped; the parameters are unnamed there,
//                        so the names come from the kernel's __bpf_trace_<class> function
//   raw_tp/sched_switch  the same slots (bpf_raw_tracepoint_args: u64 args[], untyped)
//   kprobe/do_unlinkat   a struct pt_regs (168 bytes on x86-64): the first six arguments in
//                        di, si, dx, cx, r8, r9 (the System V calling convention PT_REGS_PARM1..6
//                        read), each slot at its register's offset; later ones are on the stack
//   kretprobe/vfs_read   the same pt_regs with the return value ("ret") in ax
//   tracepoint/sched/sched_switch  the event's record as tracefs' format lays it out
//                        (core/run/tracepoint_record.hpp): the common header, then each field
//                        at its offset and size; __data_loc data after the fixed part
//
// Default values: a pointer to a kernel struct the emulated kernel has an object of points at
// it (the current task, its executable's file, a struct filename, the first host socket, ...,
// core/host/kernel_objects.hpp), other pointers are NULL and scalars 0.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

class JsonWriter;
struct Host;
struct KernelObjectAddresses;
struct LoadedProgram;

// What a tracepoint record's field holds (None: the slot is a u64 argument or a register).
enum class RecordField : uint8_t {
    None,
    Number,   // an integer or pointer of `width` bytes (1, 2, 4 or 8)
    Chars,    // char name[N]: a NUL-padded string
    Array,    // any other fixed array: `width` / N bytes per element
    DataLoc,  // __data_loc: a u32 (length << 16 | offset) of bytes after the fixed part
};

struct BtfArgSlot {
    std::string name;     // the parameter's name; "ret" for the return value; "argN" if unnamed
    std::string type;     // its C type ("struct filename *"), "void" for a void function's ret
    uint32_t offset = 0;  // 8 * its index
    uint32_t type_id = 0; // in builtin_target_btf(); 0 for void
    bool is_return = false;
    std::string reg;      // a kprobe's: the pt_regs register holding it ("di"); empty otherwise
    // A tracepoint record's field (no BTF type): what it holds, its bytes, its format's signed.
    RecordField record = RecordField::None;
    uint32_t width = 8;   // the bytes it takes in the context
    bool record_signed = false;
    uint32_t elements = 0;  // an array's N
};

// The event a tracepoint program's record is of.
struct TracepointRecordInfo {
    std::string system, event;
    uint32_t id = 0;          // common_type
    int32_t syscall_nr = -1;  // a syscalls/sys_{enter,exit}_<call> event's
};

struct BtfArgsLayout {
    std::string attach;     // what the program attaches to: "do_unlinkat", "bpf_lsm_file_open", "sched_switch"
    std::string btf_name;   // the BTF type the prototype came from: a FUNC or btf_trace_<tp>
    std::vector<BtfArgSlot> slots;
    uint32_t fixed_size = 0;  // a kprobe's whole struct pt_regs, a record's fixed part; 0: one u64 per slot
    std::optional<TracepointRecordInfo> tracepoint;  // a tracepoint program's: the record's event

    uint32_t size() const { return fixed_size ? fixed_size : uint32_t(slots.size()) * 8; }
    // Whether a context of `bytes` bytes is this layout's: a record's __data_loc data follows
    // its fixed part, the other contexts are exactly size() bytes.
    bool fits(size_t bytes) const { return tracepoint ? bytes >= size() : bytes == size(); }
    // "sched_switch's arguments", "sched/sched_switch's record"
    std::string what() const;
    const BtfArgSlot* find(std::string_view name) const;
    std::string names() const;  // "dfd, name"; a kprobe's "dfd in di, name in si"
};

// Whether the program's context holds a kernel function's or tracepoint's arguments (its type,
// attach type and section are one of those above).
bool has_btf_args(const LoadedProgram& program);

// The slots of the program's context. An error when the attach point has no prototype in the
// built-in BTF (tools/vmlinux_btf/trim.py keeps those in its FUNCS and TRACEPOINTS lists).
Result<BtfArgsLayout> btf_args_layout(const LoadedProgram& program);

// The value a slot gets when the user sets none.
uint64_t btf_arg_default(const BtfArgSlot& slot, const KernelObjectAddresses& kernel, const Host& host);

// The context's bytes: `given` (the ctx bytes a user typed) over the defaults (a short `given`
// keeps the defaults of the slots it does not reach; bytes past the layout are refused, but for
// a record's __data_loc data), then each (name, value) of `named` set: a record's array element
// by "name[i]"; then each (name, text) of `texts`: a record's char array (NUL-padded, cut to
// leave its NUL) or __data_loc string (appended after the record's data, the u32 pointed at
// it). Errors name the unknown argument and list the known ones.
Result<std::vector<uint8_t>> btf_args_bytes(const BtfArgsLayout& layout, const KernelObjectAddresses& kernel,
                                            const Host& host, const std::vector<uint8_t>& given,
                                            const std::vector<std::pair<std::string, uint64_t>>& named,
                                            const std::vector<std::pair<std::string, std::string>>& texts = {});

// Whether btf_args_bytes sets `name`: a slot's, or a record array's element "args[1]".
bool btf_arg_settable(const BtfArgsLayout& layout, std::string_view name);

// How a slot's type reads, from the kernel BTF: a pointer, or an integer of `size` bytes
// (1..8; the low bytes of the u64 slot), signed or not.
struct BtfArgFormat {
    bool pointer = false;
    bool is_signed = false;
    uint32_t size = 8;
};
BtfArgFormat btf_arg_format(const BtfArgSlot& slot);

// A slot's value as its type reads: a signed integer in decimal ("-100"), a pointer in hex
// ("0x400000a40", "NULL"), an unsigned one in decimal.
std::string btf_arg_value_text(const BtfArgSlot& slot, uint64_t value);

// A slot's value in the context `bytes` as text: btf_arg_value_text of its `width` bytes, a
// record's char array or __data_loc string quoted ("\"curl\""), another array's elements
// ("{1, 2, 3}").
std::string btf_arg_text(const BtfArgSlot& slot, std::span<const uint8_t> bytes);

// The slots with the values `bytes` holds (`width` bytes at each slot's offset, 0 past the end),
// one line each: "  dfd = -100 (int)\n".
std::string btf_args_text(const BtfArgsLayout& layout, std::span<const uint8_t> bytes);
// A record field's kind for JSON: "number", "chars", "array", "data_loc"; "" for None.
std::string_view record_field_name(RecordField kind);

// The same as JSON: [{"name","type","offset","width","kind","value","text","pointer","signed","size",
// "register"}], width the bytes the page writes an edit to (up to 8), kind record_field_name's,
// value the u64 of those bytes, text as above, pointer/signed/size btf_arg_format's (the page
// formats edits by them).
void btf_args_json(JsonWriter& w, const BtfArgsLayout& layout, std::span<const uint8_t> bytes);

// A value typed by a user for --arg / the page: "-100", "42", "0x1f", "NULL" (0).
std::optional<uint64_t> parse_btf_arg_value(std::string_view text);

}  // namespace bpfplay
