// ELF reading through libelf, with every index, offset and size checked before it is used.
//
// libelf does the parsing. The 64-byte file header is also looked at directly (a memcpy into
// Elf64_Ehdr) before handing the bytes to libelf, only so that the usual ways a file can be
// wrong (not ELF, 32-bit, big-endian, not BPF, not a .o, section table past the end) get a
// message in the learner's terms instead of libelf's generic "invalid ELF file data".
#include "core/loader/elf_reader.hpp"

#include <gelf.h>
#include <libelf.h>

#include <cstdio>
#include <cstring>
#include <mutex>

namespace bpfplay {

using loader::hex;
using loader::load_error;

namespace {

constexpr uint64_t kEhdrSize = sizeof(Elf64_Ehdr);  // 64
constexpr uint64_t kShdrSize = sizeof(Elf64_Shdr);  // 64
constexpr uint64_t kSymSize = sizeof(Elf64_Sym);    // 24
constexpr uint64_t kRelSize = sizeof(Elf64_Rel);    // 16

// a + b <= limit, without overflow.
bool fits(uint64_t a, uint64_t b, uint64_t limit) { return a <= limit && b <= limit - a; }

std::string plural(uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

const char* libelf_message() {
    const char* msg = elf_errmsg(-1);
    return msg ? msg : "unknown libelf error";
}

bool libelf_ready() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = elf_version(EV_CURRENT) != EV_NONE; });
    return ok;
}

// The checks on the raw file header (see the file comment).
Result<Unit> check_file_header(std::span<const uint8_t> bytes) {
    static constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
    const size_t magic_len = bytes.size() < 4 ? bytes.size() : 4;
    if (bytes.empty() || std::memcmp(bytes.data(), kMagic, magic_len) != 0)
        return load_error("", "this is not an ELF file: it does not start with the bytes 7f 45 4c 46 (\"\\x7fELF\")",
                          "Give the .o file clang wrote (clang -target bpf -c prog.c -o prog.o).");
    if (bytes.size() < kEhdrSize)
        return load_error("", "the file is " + plural(bytes.size(), "byte", "bytes") +
                                  ", too short for the 64-byte ELF header: it is truncated");
    Elf64_Ehdr h;
    std::memcpy(&h, bytes.data(), sizeof h);
    if (h.e_ident[EI_CLASS] != ELFCLASS64)
        return load_error("", "the ELF class is " + std::to_string(h.e_ident[EI_CLASS]) +
                                  ", not 2 (64-bit): BPF objects are always ELF64");
    if (h.e_ident[EI_DATA] != ELFDATA2LSB)
        return load_error("", std::string("the object is ") +
                                  (h.e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" : "of unknown byte order") +
                                  "; bpfplay runs little-endian BPF only",
                          "Compile with -target bpf (or bpfel), not bpfeb.");
    if (h.e_machine != elfc::kMachineBpf)
        return load_error("", "e_machine is " + std::to_string(h.e_machine) + ", not 247 (EM_BPF): this object was "
                                  "compiled for another processor",
                          "Compile with clang -target bpf.");
    if (h.e_type != elfc::kTypeRel)
        return load_error("", "e_type is " + std::to_string(h.e_type) +
                                  ", not 1 (ET_REL): a BPF object is a relocatable .o file");
    if (h.e_shoff == 0)
        return load_error("", "the object has no section header table (e_shoff is 0)");
    if (h.e_shentsize != kShdrSize)
        return load_error("", "e_shentsize is " + std::to_string(h.e_shentsize) + ", not 64 (one ELF64 section header)");
    if (h.e_shoff >= bytes.size())
        return load_error("", "the section header table starts at byte " + hex(h.e_shoff) + ", past the end of the " +
                                  plural(bytes.size(), "byte", "bytes") + " file (truncated?)");
    if (h.e_shnum != 0 && !fits(h.e_shoff, uint64_t(h.e_shnum) * kShdrSize, bytes.size()))
        return load_error("", "the section header table (" + plural(h.e_shnum, "entry", "entries") + " at byte " +
                                  hex(h.e_shoff) + ") runs past the end of the " +
                                  plural(bytes.size(), "byte", "bytes") + " file (truncated?)");
    return Unit{};
}

}  // namespace

namespace elfc {
const char* relocation_type_name(uint32_t type) {
    switch (type) {
    case kRBpfNone: return "R_BPF_NONE";
    case kRBpf64_64: return "R_BPF_64_64";
    case kRBpf64Abs64: return "R_BPF_64_ABS64";
    case kRBpf64Abs32: return "R_BPF_64_ABS32";
    case kRBpf64Nodyld32: return "R_BPF_64_NODYLD32";
    case kRBpf64_32: return "R_BPF_64_32";
    default: return "unknown";
    }
}
}  // namespace elfc

namespace loader {

Error load_error(std::string section, std::string what, std::string hint) {
    Error e = make_error(ErrorKind::Load, section.empty() ? std::move(what) : "section \"" + section + "\": " + what,
                         std::nullopt, std::move(hint));
    e.where.section = std::move(section);
    return e;
}

}  // namespace loader

void ElfFile::ElfDeleter::operator()(Elf* elf) const { elf_end(elf); }

ElfFile::ElfFile(ElfFile&&) noexcept = default;
ElfFile& ElfFile::operator=(ElfFile&&) noexcept = default;
ElfFile::~ElfFile() = default;

Result<ElfFile> ElfFile::open(std::span<const uint8_t> bytes) {
    if (auto ok = check_file_header(bytes); !ok) return ok.error();
    if (!libelf_ready()) return load_error("", "libelf could not be initialized");

    ElfFile f;
    f.bytes_ = std::make_unique<std::vector<uint8_t>>(bytes.begin(), bytes.end());
    f.elf_.reset(elf_memory(reinterpret_cast<char*>(f.bytes_->data()), f.bytes_->size()));
    if (!f.elf_) return load_error("", std::string("libelf cannot read the object: ") + libelf_message());
    if (elf_kind(f.elf_.get()) != ELF_K_ELF || gelf_getclass(f.elf_.get()) != ELFCLASS64)
        return load_error("", "libelf does not see an ELF64 object in these bytes");
    if (auto ok = f.read_sections(); !ok) return ok.error();
    if (auto ok = f.read_symbols(); !ok) return ok.error();
    return f;
}

Result<Unit> ElfFile::read_sections() {
    Elf* elf = elf_.get();
    const uint64_t file_size = bytes_->size();
    size_t count = 0;
    if (elf_getshdrnum(elf, &count) != 0)
        return load_error("", std::string("cannot read the number of sections: ") + libelf_message());
    GElf_Ehdr ehdr;
    if (!gelf_getehdr(elf, &ehdr)) return load_error("", std::string("cannot read the ELF header: ") + libelf_message());
    // With extended numbering the count comes from section 0; check it against the file too.
    if (count == 0 || count > file_size / kShdrSize || !fits(ehdr.e_shoff, uint64_t(count) * kShdrSize, file_size))
        return load_error("", "the section header table (" + plural(count, "entry", "entries") + " at byte " +
                                  hex(ehdr.e_shoff) + ") does not fit in the " + plural(file_size, "byte", "bytes") +
                                  " file");
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return load_error("", std::string("cannot read the section name table index: ") + libelf_message());
    if (shstrndx == 0 || shstrndx >= count)
        return load_error("", "e_shstrndx (the section holding section names) is " + std::to_string(shstrndx) +
                                  ", but the file has " + plural(count, "section", "sections") +
                                  " (valid: 1 to " + std::to_string(count - 1) + ")");

    sections_.resize(count);
    // Headers first, then names (the name table's own bounds checked first), then every
    // section's bounds, so that errors can name the section.
    std::vector<GElf_Shdr> headers(count);
    for (size_t i = 1; i < count; ++i) {
        Elf_Scn* scn = elf_getscn(elf, i);
        if (!scn || !gelf_getshdr(scn, &headers[i]))
            return load_error("", "cannot read the header of section " + std::to_string(i) + ": " + libelf_message());
    }
    const GElf_Shdr& names = headers[shstrndx];
    if (names.sh_type != elfc::kShtStrtab)
        return load_error("", "section " + std::to_string(shstrndx) +
                                  ", named by e_shstrndx as the section name table, is not a string table (type " +
                                  std::to_string(names.sh_type) + ")");
    if (!fits(names.sh_offset, names.sh_size, file_size))
        return load_error("", "the section name table (" + plural(names.sh_size, "byte", "bytes") + " at file offset " +
                                  hex(names.sh_offset) + ") runs past the end of the " +
                                  plural(file_size, "byte", "bytes") + " file");

    for (size_t i = 1; i < count; ++i) {
        const GElf_Shdr& sh = headers[i];
        ElfSection& s = sections_[i];
        s.index = uint32_t(i);
        if (sh.sh_name >= names.sh_size)
            return load_error("#" + std::to_string(i), "its name is at offset " + std::to_string(sh.sh_name) +
                                                           " of the section name table, which has only " +
                                                           plural(names.sh_size, "byte", "bytes"));
        const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!name)
            return load_error("#" + std::to_string(i), std::string("cannot read its name: ") + libelf_message());
        s.name = name;
        s.type = sh.sh_type;
        s.flags = sh.sh_flags;
        s.offset = sh.sh_offset;
        s.size = sh.sh_size;
        s.link = sh.sh_link;
        s.info = sh.sh_info;
        s.entsize = sh.sh_entsize;
        if (s.type != elfc::kShtNobits && s.type != elfc::kShtNull && !fits(s.offset, s.size, file_size))
            return load_error(s.name, "its " + plural(s.size, "byte", "bytes") + " at file offset " + hex(s.offset) +
                                          " run past the end of the " + plural(file_size, "byte", "bytes") + " file");
    }
    // Section bytes, for the types the loader reads. Other types (DWARF, addrsig...) are
    // never looked at, so libelf is not asked to interpret them.
    for (size_t i = 1; i < count; ++i) {
        ElfSection& s = sections_[i];
        const bool wanted = s.type == elfc::kShtProgbits || s.type == elfc::kShtSymtab || s.type == elfc::kShtRel ||
                            s.type == elfc::kShtStrtab;
        if (!wanted || s.size == 0) continue;
        if (s.type == elfc::kShtSymtab && (s.entsize != kSymSize || s.size % kSymSize != 0))
            return load_error(s.name, "a symbol table needs 24-byte entries, but sh_entsize is " +
                                          std::to_string(s.entsize) + " and sh_size " + std::to_string(s.size));
        if (s.type == elfc::kShtRel && (s.entsize != kRelSize || s.size % kRelSize != 0))
            return load_error(s.name, "a relocation section needs 16-byte entries, but sh_entsize is " +
                                          std::to_string(s.entsize) + " and sh_size " + std::to_string(s.size));
        Elf_Data* data = elf_getdata(elf_getscn(elf, i), nullptr);
        if (!data || data->d_size != s.size || (!data->d_buf && data->d_size != 0))
            return load_error(s.name, std::string("cannot read its contents: ") + libelf_message());
        s.data = {static_cast<const uint8_t*>(data->d_buf), data->d_size};
    }
    return Unit{};
}

Result<Unit> ElfFile::read_symbols() {
    for (const ElfSection& s : sections_) {
        if (s.type != elfc::kShtSymtab) continue;
        if (symtab_index_ != 0)
            return load_error(s.name, "the object has two symbol tables (sections " + std::to_string(symtab_index_) +
                                          " and " + std::to_string(s.index) + "); a BPF object has exactly one");
        symtab_index_ = s.index;
    }
    if (symtab_index_ == 0)
        return load_error("", "the object has no symbol table (.symtab), so its programs cannot be found",
                          "Was it stripped? Load the .o file clang wrote, before any strip or llvm-objcopy.");
    const ElfSection& symtab = sections_[symtab_index_];
    if (symtab.link == 0 || symtab.link >= sections_.size() || sections_[symtab.link].type != elfc::kShtStrtab)
        return load_error(symtab.name, "sh_link is " + std::to_string(symtab.link) +
                                           ", which is not a string table section (symbol names live there)");
    const uint32_t strtab = symtab.link;
    const uint64_t strtab_size = sections_[strtab].size;
    const uint64_t count = symtab.size / kSymSize;
    if (count > INT32_MAX) return load_error(symtab.name, "too many symbols (" + std::to_string(count) + ")");
    Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), symtab_index_), nullptr);
    if (count != 0 && !data) return load_error(symtab.name, std::string("cannot read the symbols: ") + libelf_message());

    symbols_.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, int(i), &sym))
            return load_error(symtab.name, "cannot read symbol " + std::to_string(i) + ": " + libelf_message());
        ElfSymbol& out = symbols_[i];
        out.index = uint32_t(i);
        out.type = GELF_ST_TYPE(sym.st_info);
        out.bind = GELF_ST_BIND(sym.st_info);
        out.visibility = GELF_ST_VISIBILITY(sym.st_other);
        out.shndx = sym.st_shndx;
        out.value = sym.st_value;
        out.size = sym.st_size;
        if (sym.st_shndx == elfc::kShnXindex)
            return load_error(symtab.name, "symbol " + std::to_string(i) +
                                               " uses an extended section index (SHN_XINDEX), which BPF objects never need");
        if (out.in_section() && sym.st_shndx >= sections_.size())
            return load_error(symtab.name, "symbol " + std::to_string(i) + " is in section " +
                                               std::to_string(sym.st_shndx) + ", but the file has " +
                                               plural(sections_.size(), "section", "sections"));
        if (sym.st_name != 0) {
            if (sym.st_name >= strtab_size)
                return load_error(symtab.name, "the name of symbol " + std::to_string(i) + " is at offset " +
                                                   std::to_string(sym.st_name) + ", past the " +
                                                   plural(strtab_size, "byte", "bytes") + " string table");
            const char* name = elf_strptr(elf_.get(), strtab, sym.st_name);
            if (!name)
                return load_error(symtab.name, "cannot read the name of symbol " + std::to_string(i) + ": " +
                                                   libelf_message());
            out.name = name;
        } else if (out.type == elfc::kSttSection && out.in_section()) {
            out.name = sections_[out.shndx].name;
        }
    }
    return Unit{};
}

const ElfSection* ElfFile::find_section(std::string_view name) const {
    for (const ElfSection& s : sections_)
        if (s.index != 0 && s.name == name) return &s;
    return nullptr;
}

Result<std::vector<ElfRelocation>> ElfFile::relocations(const ElfSection& rel) const {
    if (rel.link != symtab_index_)
        return load_error(rel.name, "sh_link is " + std::to_string(rel.link) + ", but the symbol table is section " +
                                        std::to_string(symtab_index_) + " (relocations name their symbols there)");
    std::vector<ElfRelocation> out;
    if (rel.size == 0) return out;
    Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), rel.index), nullptr);
    if (!data) return load_error(rel.name, std::string("cannot read the relocations: ") + libelf_message());
    const uint64_t count = rel.size / kRelSize;
    if (count > INT32_MAX) return load_error(rel.name, "too many relocations (" + std::to_string(count) + ")");
    out.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
        GElf_Rel r;
        if (!gelf_getrel(data, int(i), &r))
            return load_error(rel.name, "cannot read relocation " + std::to_string(i) + ": " + libelf_message());
        out[i].offset = r.r_offset;
        out[i].type = uint32_t(GELF_R_TYPE(r.r_info));
        const uint64_t sym = GELF_R_SYM(r.r_info);
        if (sym >= symbols_.size()) {
            const std::string target = rel.info < sections_.size() ? sections_[rel.info].name : rel.name;
            return load_error(target, "relocation at byte " + hex(r.r_offset) + " refers to symbol " + std::to_string(sym) +
                                          ", but the symbol table has " +
                                          plural(symbols_.size(), "entry", "entries"));
        }
        out[i].symbol = uint32_t(sym);
    }
    return out;
}

}  // namespace bpfplay
