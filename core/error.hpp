#pragma once
// Structured errors: what went wrong, where, and a hint for the learner. Nothing in core/
// throws across its API for a user error; functions that can fail return Result<T>.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace bpfplay {

enum class ErrorKind {
    Decode,  // the bytecode is malformed (load time)
    Verify,  // well-formed but refused as the kernel's verifier refuses it (load time)
    Memory,  // a load or store outside the regions a program may touch (run time)
    Helper,  // a helper call failed or is unknown
    Map,     // a map operation failed
    Budget,  // the instruction budget ran out
    Parse,   // assembly text or hex input could not be read
    Load,    // ELF object problems
    Runtime, // other run-time faults (call depth, bad callx target, uninitialized register)
};

const char* error_kind_name(ErrorKind k);

struct Where {
    std::optional<uint32_t> pc;        // instruction index (slot), when an instruction is involved
    std::optional<uint64_t> address;   // virtual address of a faulting access
    std::optional<uint32_t> line;      // 1-based line in assembly text
    std::string section;               // ELF section
    std::string source;                // "prog.c:42": the C line of the instruction (BTF line info)
    std::string map;                   // map name
};

struct Error {
    ErrorKind kind = ErrorKind::Runtime;
    Where where;
    std::string what;  // one sentence, with the numbers involved
    std::string hint;  // what to try; may be empty

    // "insn 7: <what>" (or "line 3: ...") -- the form the CLI prints.
    std::string to_string() const;
};

// Minimal expected-like result (C++20 has no std::expected).
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Error> v_;
};

struct Unit {};  // Result<Unit> for operations with nothing to return

inline Error make_error(ErrorKind kind, std::string what, std::optional<uint32_t> pc = std::nullopt,
                        std::string hint = {}) {
    Error e;
    e.kind = kind;
    e.where.pc = pc;
    e.what = std::move(what);
    e.hint = std::move(hint);
    return e;
}

}  // namespace bpfplay
