#pragma once
// Assemble, decode with the host helpers, and run on a given Host, for tests that state a
// program as llvm-objdump text.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decode.hpp"
#include "core/helpers/registry.hpp"
#include "core/host/host.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/host_helpers.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

namespace bpfplay::host_test {

inline const HelperRegistry& host_registry() { return kernel_helper_registry(); }

struct HostRun {
    RunStatus status = RunStatus::Faulted;
    uint64_t r0 = 0;
    uint64_t executed = 0;
    std::optional<Error> error;       // decode error or run-time fault
    std::vector<uint8_t> stack;       // frame 0's 512 bytes after the run; stack[512 + k] is r10 + k
    uint8_t at_fp(int off) const { return stack.at(size_t(512 + off)); }
    std::string message() const { return error ? error->what : std::string(); }
};

// Runs `text` with the host in the run's HelperEnv (no env at all when host is null).
inline HostRun run_on_host(const std::string& text, Host* host) {
    HostRun out;
    auto insns = assemble(text);
    if (!insns.ok()) {
        out.error = insns.error();
        return out;
    }
    DecodeOptions options;
    options.helpers = &host_registry();
    auto prog = decode(*insns, options);
    if (!prog.ok()) {
        out.error = prog.error();
        return out;
    }
    Vm vm(*prog);
    HelperEnv env;
    env.host = host;
    if (host) vm.env = &env;
    out.status = vm.run();
    out.r0 = vm.result();
    out.executed = vm.executed();
    out.error = vm.fault();
    if (const uint8_t* s = vm.memory().read_ptr(Vm::frame_pointer(0) - 512, 512)) out.stack.assign(s, s + 512);
    return out;
}

inline HostRun run_on_host(const std::string& text, Host& host) { return run_on_host(text, &host); }

// Assembly storing `bytes`, zero-padded to whole u64s, from r10 + fp_off upwards (fp_off
// negative and a multiple of 8), through r1.
inline std::string store_on_stack(std::string_view bytes, int fp_off) {
    std::string text;
    for (size_t k = 0; k < bytes.size(); k += 8) {
        uint64_t v = 0;
        for (size_t b = 0; b < 8 && k + b < bytes.size(); ++b) v |= uint64_t(uint8_t(bytes[k + b])) << (8 * b);
        char line[96];
        std::snprintf(line, sizeof line, "r1 = 0x%llx ll\n*(u64 *)(r10 - %d) = r1\n", static_cast<unsigned long long>(v),
                      -(fp_off + int(k)));
        text += line;
    }
    return text;
}

// The stack offset (negative, 8-aligned) where a string of n bytes is placed below `below`.
inline int stack_slot(size_t n, int below = 0) { return below - int((n + 7) / 8 * 8); }

inline std::string load_reg(int reg, uint64_t value) {
    char line[64];
    std::snprintf(line, sizeof line, "r%d = 0x%llx ll\n", reg, static_cast<unsigned long long>(value));
    return line;
}

// A program calling bpf_trace_printk(fmt, fmt_size, args...) and returning its result. `fmt`
// holds the exact bytes (the NUL included when wanted); fmt_size defaults to fmt.size().
inline std::string printk_program(std::string_view fmt, std::vector<uint64_t> args = {},
                                  std::optional<uint32_t> fmt_size = std::nullopt) {
    const int at = stack_slot(fmt.size());
    std::string text = store_on_stack(fmt, at);
    text += "r1 = r10\nr1 += " + std::to_string(at) + "\n";
    text += load_reg(2, fmt_size.value_or(uint32_t(fmt.size())));
    for (size_t k = 0; k < args.size(); ++k) text += load_reg(3 + int(k), args[k]);
    text += "call bpf_trace_printk\nexit\n";
    return text;
}

constexpr uint64_t neg(int64_t v) { return uint64_t(v); }  // a negative value as r0 holds it

}  // namespace bpfplay::host_test
