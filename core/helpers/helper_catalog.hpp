#pragma once
// The helper catalog: every BPF helper id of the kernel (1..211, Linux 6.18), each with what the
// kernel's verifier knows of it (its struct bpf_func_proto: argument and return kinds), its
// documentation, and which program types may call it. Generated from the kernel's own data by
// tools/helper_catalog/gen_helper_catalog.py (helper_catalog_data.cpp, helper_docs.cpp); which
// helpers bpfplay implements is the other half, bound in core/run/kernel_helpers.cpp.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/loader/prog_types.hpp"

namespace bpfplay {

constexpr int32_t kHelperCount = 211; // ids 1..211

// The kernel's enum bpf_arg_type, reduced to what a reader (and a checker) needs: what the
// argument must be. Flags (MEM_RDONLY, MEM_UNINIT, PTR_MAYBE_NULL, OBJ_RELEASE) are HelperArg's
// other members.
enum class ArgKind : uint8_t {
    None,         // ARG_DONTCARE: not an argument
    Anything,     // ARG_ANYTHING: any initialized value (a flag, an index, a number)
    MapPtr,       // ARG_CONST_MAP_PTR: a map, as an lddw of the map loads it
    MapKey,       // ARG_PTR_TO_MAP_KEY: key_size readable bytes
    MapValue,     // ARG_PTR_TO_MAP_VALUE: value_size bytes
    Ctx,          // ARG_PTR_TO_CTX: the program's context (r1 at entry)
    Mem,          // ARG_PTR_TO_MEM / ARG_PTR_TO_UNINIT_MEM: memory sized by the next argument
    FixedMem,     // ARG_PTR_TO_FIXED_SIZE_MEM (and the older ARG_PTR_TO_LONG/INT): `size` bytes
    Size,         // ARG_CONST_SIZE: the size of the memory argument before it, > 0
    SizeOrZero,   // ARG_CONST_SIZE_OR_ZERO
    AllocSize,    // ARG_CONST_ALLOC_SIZE_OR_ZERO: a size known at load time (ringbuf_reserve)
    SpinLock,     // ARG_PTR_TO_SPIN_LOCK: the struct bpf_spin_lock in a map value
    Timer,        // ARG_PTR_TO_TIMER: the struct bpf_timer in a map value
    Func,         // ARG_PTR_TO_FUNC: a callback, a function of the program
    Stack,        // ARG_PTR_TO_STACK: a pointer into the program's stack (callback context)
    ConstStr,     // ARG_PTR_TO_CONST_STR: a NUL-terminated string in read-only map data
    SockCommon,   // ARG_PTR_TO_SOCK_COMMON / ARG_PTR_TO_BTF_ID_SOCK_COMMON: a socket (btf_type
                  // "sock_common" where a per-type variant says it is the latter: a kernel
                  // socket object is one too, e.g. a tracing program's struct sock *)
    Socket,       // ARG_PTR_TO_SOCKET: a full socket a lookup returned
    BtfId,        // ARG_PTR_TO_BTF_ID: a kernel object of the type btf_type names
    PercpuBtfId,  // ARG_PTR_TO_PERCPU_BTF_ID: a per-CPU kernel variable (a __ksym)
    RingbufMem,   // ARG_PTR_TO_RINGBUF_MEM: a record bpf_ringbuf_reserve returned
    Dynptr,       // ARG_PTR_TO_DYNPTR: a struct bpf_dynptr on the stack
    KptrXchgDest, // ARG_KPTR_XCHG_DEST: a kptr field in a map value
    Arena,        // ARG_PTR_TO_ARENA
};

// For memory arguments: what the helper does with the bytes.
enum class ArgAccess : uint8_t {
    Read,      // MEM_RDONLY, or the kind implies it (keys, strings)
    Write,     // MEM_UNINIT / ARG_PTR_TO_UNINIT_MEM: the helper fills them; they need no init
    ReadWrite, // the helper reads and writes them
};

// The kernel's return types (enum bpf_return_type), reduced the same way.
enum class RetKind : uint8_t {
    Integer,    // RET_INTEGER: a number or a negative errno
    Void,       // RET_VOID: r0 is unusable after the call
    MapValue,   // a pointer into a map value
    Socket,     // struct bpf_sock *
    TcpSock,    // struct bpf_tcp_sock *
    SockCommon, // struct bpf_sock * that may be a request or time-wait socket
    Mem,        // a pointer to memory (ring buffer record, dynptr data)
    MemOrBtfId, // per_cpu_ptr / this_cpu_ptr
    BtfId,      // a kernel object (task_struct, socket types)
};

struct HelperArg {
    ArgKind kind = ArgKind::None;
    ArgAccess access = ArgAccess::Read;
    bool maybe_null = false;        // PTR_MAYBE_NULL: NULL (0) is allowed
    bool release = false;           // OBJ_RELEASE: the helper takes the reference back
    uint16_t size = 0;              // FixedMem: the size
    const char* btf_type = nullptr; // BtfId: the kernel type's name ("task_struct"), when fixed
};

// One helper's struct bpf_func_proto (the first one its kernel source defines: several program
// types get variants of a few helpers, e.g. bpf_get_socket_cookie's argument per context).
struct HelperProto {
    int32_t id = 0;
    const char* name = ""; // "bpf_map_lookup_elem"
    uint8_t nargs = 0;     // arguments r1..r<nargs>
    RetKind ret = RetKind::Integer;
    bool ret_maybe_null = false;
    bool gpl_only = false; // only programs with a GPL-compatible license may call it
    HelperArg args[5] = {};
};

// A program type's allowed helpers (bit i: id i), as the kernel's get_func_proto answers.
struct HelperRule {
    ProgType type = ProgType::Unspec;
    AttachType attach = AttachType(0);
    bool type_default = false; // the type's row for attach types without a row of their own
    const char* label = "";    // the variant the kernel was asked about ("sock_addr_connect4")
    uint64_t allowed[4] = {};
    bool allows(int64_t id) const { return id >= 0 && id < 256 && (allowed[id / 64] >> (id % 64)) & 1; }
};

// linux/bpf.h's documentation of a helper: "long bpf_x(...)", its Description and Return.
struct HelperDoc {
    const char* signature = "";
    const char* description = "";
    const char* returns = "";
};

std::span<const HelperProto> helper_protos(); // index = id; [0] is bpf_unspec
std::span<const HelperRule> helper_rules();
// The row the kernel's get_func_proto answers from for this type and attach type, or nullptr
// when the kernel was not asked about the type.
const HelperRule* helper_rule_for(ProgType type, AttachType attach);
const HelperDoc& helper_doc(int32_t id);

// The proto of helper `id`, or nullptr when no kernel helper has that id.
const HelperProto* helper_proto(int64_t id);
// The proto the kernel's get_func_proto gives a program of `type`: helper_proto(id), unless the
// type gets a variant whose arguments the verifier checks differently (tracing and LSM
// programs' bpf_get_socket_cookie takes a kernel socket, not the context; sock_ops' and
// sock_addr's bpf_setsockopt / bpf_getsockopt take the context, not a socket).
const HelperProto* helper_proto_for(int64_t id, ProgType type);
// Its name ("bpf_map_lookup_elem"), or nullptr when no kernel helper has that id.
const char* kernel_helper_name(int64_t id);

// What the kernel decides when a program of `type` (loaded with expected attach type `attach`)
// calls helper `id`. Types the kernel was not asked about (Unspec: bpfplay's raw programs; Ext:
// it takes its target's rules) allow every helper.
enum class HelperVerdict : uint8_t {
    Allowed,
    UnknownId,      // no kernel helper has the id: "invalid func unknown#N"
    NotForThisType, // "program of this type cannot use helper bpf_x#N"
};
HelperVerdict helper_verdict(int64_t id, ProgType type, AttachType attach);

// Program types whose default rule allows `id` (for listings: `bpfvm helpers`, the page).
std::vector<ProgType> prog_types_allowing(int32_t id);

// bpf_lsm_is_sleepable_hook (kernel/bpf/bpf_lsm.c): whether the LSM hook `hook` (its name
// without the bpf_lsm_ prefix: "file_open") runs where a program may sleep.
bool lsm_hook_is_sleepable(std::string_view hook);
// struct bpf_func_proto's might_sleep: bpf_copy_from_user, bpf_copy_from_user_task,
// bpf_ima_inode_hash and bpf_ima_file_hash.
bool helper_might_sleep(int64_t id);
// What check_helper_call refuses after the type's rules: the proto's allowed() callback ("helper
// call is not allowed in probe": the IMA helpers outside a sleepable LSM hook), then a helper that
// might sleep in a program that is not sleepable ("helper call might sleep in a non-sleepable
// prog"). nullptr when neither applies. `attach_target`: the hook or function the program
// attaches to ("file_open").
const char* helper_call_rule_error(int64_t id, ProgType type, bool sleepable, std::string_view attach_target);

const char* arg_kind_name(ArgKind kind); // "map_ptr", "mem", ...
const char* ret_kind_name(RetKind kind); // "integer", "map_value", ...
// "const void *key" style description of an argument: "map key (readable)", "mem (written)".
std::string describe_arg(const HelperArg& arg);

} // namespace bpfplay
