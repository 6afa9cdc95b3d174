// libFuzzer target: the assembler (pasted llvm-objdump text, the playground's editor, bpfvm asm)
// as arbitrary text. assemble must return instructions or an Error with a message; whatever it
// accepts, the disassembler must print, and that text must assemble to the same instructions
// (the round trip tests/text/roundtrip_test.cpp checks on known programs): always with the byte
// column (llvm-objdump -d's form), and without it when every instruction has a name (hex input
// may hold bytes no instruction has: "<unknown opcode 0x32>" is text the assembler rejects, as
// disasm.hpp says). Seeds: the asm sections of tests/conformance/data (tools/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text/asm.hpp"
#include "core/text/disasm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    if (size > 4096) return 0;  // a program's text; longer inputs only slow the search
    auto insns = assemble(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!insns.ok()) {
        if (insns.error().what.empty()) __builtin_trap();
        return 0;
    }
    DisasmOptions with_bytes;
    with_bytes.show_index = true;
    with_bytes.show_bytes = true;
    auto from_bytes = assemble(disassemble(*insns, with_bytes));
    if (!from_bytes.ok() || *from_bytes != *insns) __builtin_trap();
    const std::string text = disassemble(*insns);
    const bool all_named = text.find("<unknown") == std::string::npos && text.find("<invalid") == std::string::npos &&
                           text.find("<truncated") == std::string::npos;
    if (!all_named) return 0;
    auto again = assemble(text);
    if (!again.ok() || *again != *insns) __builtin_trap();
    return 0;
}
