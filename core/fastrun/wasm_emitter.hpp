#pragma once
// A small WebAssembly binary writer: the module sections and the instructions the BPF
// translator (translate.hpp) needs, encoded by hand so the fast run needs no toolchain at run
// time. Encoding: https://webassembly.github.io/spec/core/binary/ (MVP plus sign extension).
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay::wasm {

using Bytes = std::vector<uint8_t>;

void put_uleb(Bytes& out, uint64_t v);
void put_sleb(Bytes& out, int64_t v);
void put_name(Bytes& out, const std::string& s);

enum class ValType : uint8_t { I32 = 0x7f, I64 = 0x7e };
constexpr uint8_t kBlockVoid = 0x40;  // a block type with no result

struct FuncType {
    std::vector<ValType> params, results;
    bool operator==(const FuncType&) const = default;
};

// Opcodes used by the translator (the spec's numbering).
enum class Opc : uint8_t {
    Unreachable = 0x00, Block = 0x02, Loop = 0x03, If = 0x04, Else = 0x05, End = 0x0b,
    Br = 0x0c, BrIf = 0x0d, BrTable = 0x0e, Return = 0x0f, Call = 0x10, Drop = 0x1a, Select = 0x1b,
    LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22,
    I32Load = 0x28, I64Load = 0x29, I64Load8S = 0x30, I64Load8U = 0x31, I64Load16S = 0x32,
    I64Load16U = 0x33, I64Load32S = 0x34, I64Load32U = 0x35, I32Store = 0x36, I64Store = 0x37,
    I64Store8 = 0x3c, I64Store16 = 0x3d, I64Store32 = 0x3e,
    I32Const = 0x41, I64Const = 0x42,
    I32Eqz = 0x45, I32Eq = 0x46, I32Ne = 0x47, I32LtS = 0x48, I32LtU = 0x49, I32GtS = 0x4a, I32GtU = 0x4b,
    I32LeS = 0x4c, I32LeU = 0x4d, I32GeS = 0x4e, I32GeU = 0x4f,
    I64Eqz = 0x50, I64Eq = 0x51, I64Ne = 0x52, I64LtS = 0x53, I64LtU = 0x54, I64GtS = 0x55, I64GtU = 0x56,
    I64LeS = 0x57, I64LeU = 0x58, I64GeS = 0x59, I64GeU = 0x5a,
    I32Add = 0x6a, I32Sub = 0x6b, I32Mul = 0x6c, I32DivS = 0x6d, I32DivU = 0x6e, I32RemS = 0x6f,
    I32RemU = 0x70, I32And = 0x71, I32Or = 0x72, I32Xor = 0x73, I32Shl = 0x74, I32ShrS = 0x75,
    I32ShrU = 0x76, I32Rotl = 0x77, I32Rotr = 0x78,
    I64Add = 0x7c, I64Sub = 0x7d, I64Mul = 0x7e, I64DivS = 0x7f, I64DivU = 0x80, I64RemS = 0x81,
    I64RemU = 0x82, I64And = 0x83, I64Or = 0x84, I64Xor = 0x85, I64Shl = 0x86, I64ShrS = 0x87,
    I64ShrU = 0x88, I64Rotl = 0x89, I64Rotr = 0x8a,
    I32WrapI64 = 0xa7, I64ExtendI32S = 0xac, I64ExtendI32U = 0xad,
    I32Extend8S = 0xc0, I32Extend16S = 0xc1, I64Extend8S = 0xc2, I64Extend16S = 0xc3, I64Extend32S = 0xc4,
};

// One function body's instructions. Control instructions track nesting so a mismatched end
// is caught where it is written (depth() == 0 when the body is complete).
class Code {
public:
    Code& op(Opc o) {
        out_.push_back(uint8_t(o));
        return *this;
    }
    Code& i32_const(int32_t v);
    Code& i64_const(int64_t v);
    Code& local_get(uint32_t i) { return with_index(Opc::LocalGet, i); }
    Code& local_set(uint32_t i) { return with_index(Opc::LocalSet, i); }
    Code& local_tee(uint32_t i) { return with_index(Opc::LocalTee, i); }
    Code& call(uint32_t func) { return with_index(Opc::Call, func); }
    Code& br(uint32_t depth) { return with_index(Opc::Br, depth); }
    Code& br_if(uint32_t depth) { return with_index(Opc::BrIf, depth); }
    Code& br_table(const std::vector<uint32_t>& depths, uint32_t default_depth);
    Code& block(uint8_t type = kBlockVoid) { return open(Opc::Block, type); }
    Code& loop(uint8_t type = kBlockVoid) { return open(Opc::Loop, type); }
    Code& if_(uint8_t type = kBlockVoid) { return open(Opc::If, type); }
    Code& else_() { return op(Opc::Else); }
    Code& end();
    // Loads and stores: align is log2 of the alignment hint (0: none promised).
    Code& mem(Opc o, uint32_t offset, uint32_t align_log2 = 0);

    uint32_t depth() const { return depth_; }
    const Bytes& bytes() const { return out_; }

private:
    Code& with_index(Opc o, uint32_t i);
    Code& open(Opc o, uint8_t type);
    Bytes out_;
    uint32_t depth_ = 0;
};

// A module: types, imports (functions and one memory), functions with their bodies, exports.
class ModuleWriter {
public:
    // The index of an equal type when there is one.
    uint32_t type(const FuncType& t);
    // Imports come before defined functions in the function index space: add them first.
    uint32_t import_function(const std::string& module, const std::string& name, const FuncType& t);
    void import_memory(const std::string& module, const std::string& name, uint32_t min_pages);
    // `locals`: the body's locals after the parameters, in order.
    uint32_t function(const FuncType& t, const std::vector<ValType>& locals, const Code& body);
    void export_function(const std::string& name, uint32_t func);

    Bytes bytes() const;

private:
    struct Import {
        std::string module, name;
        bool memory = false;
        uint32_t type_or_pages = 0;
    };
    struct Function {
        uint32_t type;
        std::vector<ValType> locals;
        Bytes body;
    };
    std::vector<FuncType> types_;
    std::vector<Import> imports_;
    uint32_t imported_functions_ = 0;
    std::vector<Function> functions_;
    std::vector<std::pair<std::string, uint32_t>> exports_;
};

}  // namespace bpfplay::wasm
