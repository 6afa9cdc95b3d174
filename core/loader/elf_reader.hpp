#pragma once
// A validated view of a BPF ELF relocatable object, read through libelf. open() checks the
// header, every section header (name, bounds in the file) and every symbol (name, section
// index) once, so the rest of the loader can index sections and symbols without re-checking.
// Relocations are read per section with relocations(), which checks each entry's symbol index.
//
// Everything here treats the input as hostile: no read outside the bytes, no allocation larger
// than a small multiple of the input size.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"

struct Elf;  // libelf's handle

namespace bpfplay {

// ELF numbers used by BPF objects. Spelled out here because Emscripten's <elf.h> lacks the
// R_BPF_* relocation types (and the browser build has no libelf headers in this file's users).
namespace elfc {
constexpr uint16_t kMachineBpf = 247;  // EM_BPF
constexpr uint16_t kTypeRel = 1;       // ET_REL

constexpr uint32_t kShtNull = 0, kShtProgbits = 1, kShtSymtab = 2, kShtStrtab = 3, kShtRela = 4,
                   kShtNobits = 8, kShtRel = 9, kShtLlvmAddrsig = 0x6fff4c03;
constexpr uint64_t kShfWrite = 0x1, kShfAlloc = 0x2, kShfExecinstr = 0x4;

constexpr uint16_t kShnUndef = 0, kShnLoreserve = 0xff00, kShnAbs = 0xfff1, kShnCommon = 0xfff2,
                   kShnXindex = 0xffff;

constexpr uint8_t kSttNotype = 0, kSttObject = 1, kSttFunc = 2, kSttSection = 3, kSttFile = 4;
constexpr uint8_t kStbLocal = 0, kStbGlobal = 1, kStbWeak = 2;
constexpr uint8_t kStvDefault = 0, kStvInternal = 1, kStvHidden = 2;

// BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def).
constexpr uint32_t kRBpfNone = 0;
constexpr uint32_t kRBpf64_64 = 1;       // lddw: the 64-bit immediate of a two-slot load
constexpr uint32_t kRBpf64Abs64 = 2;     // a 64-bit address in data (.maps `values`, DWARF)
constexpr uint32_t kRBpf64Abs32 = 3;     // a 32-bit address in data (BTF, DWARF)
constexpr uint32_t kRBpf64Nodyld32 = 4;  // like ABS32, but never applied at run time (.BTF.ext)
constexpr uint32_t kRBpf64_32 = 10;      // call imm: a bpf-to-bpf call target

const char* relocation_type_name(uint32_t type);  // "R_BPF_64_64", ... or "unknown"
}  // namespace elfc

struct ElfSection {
    uint32_t index = 0;
    std::string name;
    uint32_t type = 0;
    uint64_t flags = 0;
    uint64_t offset = 0;
    uint64_t size = 0;  // sh_size (for NOBITS sections there are no bytes in the file)
    uint32_t link = 0;
    uint32_t info = 0;
    uint64_t entsize = 0;
    // The section's bytes (empty for NOBITS and SHT_NULL). Valid while the ElfFile lives.
    std::span<const uint8_t> data;

    bool executable() const { return (flags & elfc::kShfExecinstr) != 0; }
    bool nobits() const { return type == elfc::kShtNobits; }
};

struct ElfSymbol {
    uint32_t index = 0;
    std::string name;  // for an unnamed STT_SECTION symbol: its section's name (as libbpf shows it)
    uint8_t type = 0;  // STT_*
    uint8_t bind = 0;  // STB_*
    uint8_t visibility = 0;
    uint16_t shndx = 0;  // validated: 0, a special index (>= SHN_LORESERVE) or < section count
    uint64_t value = 0;
    uint64_t size = 0;

    // libbpf's sym_is_extern: an undefined global/weak NOTYPE symbol (kfunc, ksym, kconfig).
    bool is_extern() const {
        return shndx == elfc::kShnUndef && (bind == elfc::kStbGlobal || bind == elfc::kStbWeak) &&
               type == elfc::kSttNotype;
    }
    bool in_section() const { return shndx != elfc::kShnUndef && shndx < elfc::kShnLoreserve; }
};

struct ElfRelocation {
    uint64_t offset = 0;  // r_offset: a byte offset in the target section
    uint32_t type = 0;    // R_BPF_*
    uint32_t symbol = 0;  // validated: < symbol count
};

class ElfFile {
public:
    // Copies the bytes (libelf may keep pointers into them) and validates as described above.
    // Errors are ErrorKind::Load with where.section set when a section is involved.
    static Result<ElfFile> open(std::span<const uint8_t> bytes);

    ElfFile(ElfFile&&) noexcept;
    ElfFile& operator=(ElfFile&&) noexcept;
    ~ElfFile();

    uint64_t file_size() const { return bytes_->size(); }
    // Index 0 is the null section.
    const std::vector<ElfSection>& sections() const { return sections_; }
    const ElfSection& section(uint32_t index) const { return sections_[index]; }
    // The first section with this name, or nullptr.
    const ElfSection* find_section(std::string_view name) const;
    // The symbol table (index 0 is the null symbol), validated.
    const std::vector<ElfSymbol>& symbols() const { return symbols_; }
    uint32_t symtab_index() const { return symtab_index_; }

    // Decodes the entries of a SHT_REL section. Fails on a symbol index past the symbol table.
    Result<std::vector<ElfRelocation>> relocations(const ElfSection& rel_section) const;

private:
    struct ElfDeleter {
        void operator()(Elf* elf) const;
    };
    ElfFile() = default;
    Result<Unit> read_sections();
    Result<Unit> read_symbols();

    // The copy libelf reads from. Heap-allocated so the address survives moves of ElfFile.
    std::unique_ptr<std::vector<uint8_t>> bytes_;
    std::unique_ptr<Elf, ElfDeleter> elf_;
    std::vector<ElfSection> sections_;
    std::vector<ElfSymbol> symbols_;
    uint32_t symtab_index_ = 0;
};

namespace loader {
// Message helpers shared by the loader's files.
using bpfplay::hex;  // "0x38" (core/hex.hpp)
// ErrorKind::Load, where.section = section, what prefixed with `section "<name>": `.
Error load_error(std::string section, std::string what, std::string hint = {});
}  // namespace loader

}  // namespace bpfplay
