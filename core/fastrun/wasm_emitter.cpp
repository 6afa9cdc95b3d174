#include "core/fastrun/wasm_emitter.hpp"

namespace bpfplay::wasm {

void put_uleb(Bytes& out, uint64_t v) {
    do {
        uint8_t b = uint8_t(v & 0x7f);
        v >>= 7;
        if (v) b |= 0x80;
        out.push_back(b);
    } while (v);
}

void put_sleb(Bytes& out, int64_t v) {
    for (;;) {
        const uint8_t b = uint8_t(v & 0x7f);
        v >>= 7;  // arithmetic: the sign propagates
        // Done when the rest is all sign bits and the byte's own top bit says the same sign.
        if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
            out.push_back(b);
            return;
        }
        out.push_back(uint8_t(b | 0x80));
    }
}

void put_name(Bytes& out, const std::string& s) {
    put_uleb(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

Code& Code::i32_const(int32_t v) {
    op(Opc::I32Const);
    put_sleb(out_, v);
    return *this;
}

Code& Code::i64_const(int64_t v) {
    op(Opc::I64Const);
    put_sleb(out_, v);
    return *this;
}

Code& Code::br_table(const std::vector<uint32_t>& depths, uint32_t default_depth) {
    op(Opc::BrTable);
    put_uleb(out_, depths.size());
    for (uint32_t d : depths) put_uleb(out_, d);
    put_uleb(out_, default_depth);
    return *this;
}

Code& Code::end() {
    op(Opc::End);
    if (depth_ > 0) --depth_;
    return *this;
}

Code& Code::mem(Opc o, uint32_t offset, uint32_t align_log2) {
    op(o);
    put_uleb(out_, align_log2);
    put_uleb(out_, offset);
    return *this;
}

Code& Code::with_index(Opc o, uint32_t i) {
    op(o);
    put_uleb(out_, i);
    return *this;
}

Code& Code::open(Opc o, uint8_t type) {
    op(o);
    out_.push_back(type);
    ++depth_;
    return *this;
}

uint32_t ModuleWriter::type(const FuncType& t) {
    for (uint32_t i = 0; i < types_.size(); ++i)
        if (types_[i] == t) return i;
    types_.push_back(t);
    return uint32_t(types_.size() - 1);
}

uint32_t ModuleWriter::import_function(const std::string& module, const std::string& name, const FuncType& t) {
    imports_.push_back({module, name, false, type(t)});
    return imported_functions_++;
}

void ModuleWriter::import_memory(const std::string& module, const std::string& name, uint32_t min_pages) {
    imports_.push_back({module, name, true, min_pages});
}

uint32_t ModuleWriter::function(const FuncType& t, const std::vector<ValType>& locals, const Code& body) {
    functions_.push_back({type(t), locals, body.bytes()});
    return imported_functions_ + uint32_t(functions_.size() - 1);
}

void ModuleWriter::export_function(const std::string& name, uint32_t func) { exports_.push_back({name, func}); }

namespace {

void put_section(Bytes& out, uint8_t id, const Bytes& content) {
    out.push_back(id);
    put_uleb(out, content.size());
    out.insert(out.end(), content.begin(), content.end());
}

void put_types(Bytes& out, const std::vector<ValType>& ts) {
    put_uleb(out, ts.size());
    for (ValType t : ts) out.push_back(uint8_t(t));
}

// Locals are declared as runs of one type: (count, type) pairs.
void put_locals(Bytes& out, const std::vector<ValType>& locals) {
    std::vector<std::pair<uint32_t, ValType>> runs;
    for (ValType t : locals) {
        if (!runs.empty() && runs.back().second == t) ++runs.back().first;
        else runs.push_back({1, t});
    }
    put_uleb(out, runs.size());
    for (const auto& [n, t] : runs) {
        put_uleb(out, n);
        out.push_back(uint8_t(t));
    }
}

}  // namespace

Bytes ModuleWriter::bytes() const {
    Bytes out = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};  // "\0asm", version 1
    if (!types_.empty()) {
        Bytes s;
        put_uleb(s, types_.size());
        for (const FuncType& t : types_) {
            s.push_back(0x60);
            put_types(s, t.params);
            put_types(s, t.results);
        }
        put_section(out, 1, s);
    }
    if (!imports_.empty()) {
        Bytes s;
        put_uleb(s, imports_.size());
        for (const Import& i : imports_) {
            put_name(s, i.module);
            put_name(s, i.name);
            if (i.memory) {
                s.push_back(0x02);
                s.push_back(0x00);  // limits: a minimum only, so any memory at least that large fits
            } else {
                s.push_back(0x00);
            }
            put_uleb(s, i.type_or_pages);
        }
        put_section(out, 2, s);
    }
    if (!functions_.empty()) {
        Bytes s;
        put_uleb(s, functions_.size());
        for (const Function& f : functions_) put_uleb(s, f.type);
        put_section(out, 3, s);
    }
    if (!exports_.empty()) {
        Bytes s;
        put_uleb(s, exports_.size());
        for (const auto& [name, func] : exports_) {
            put_name(s, name);
            s.push_back(0x00);
            put_uleb(s, func);
        }
        put_section(out, 7, s);
    }
    if (!functions_.empty()) {
        Bytes s;
        put_uleb(s, functions_.size());
        for (const Function& f : functions_) {
            Bytes body;
            put_locals(body, f.locals);
            body.insert(body.end(), f.body.begin(), f.body.end());
            body.push_back(uint8_t(Opc::End));
            put_uleb(s, body.size());
            s.insert(s.end(), body.begin(), body.end());
        }
        put_section(out, 10, s);
    }
    return out;
}

}  // namespace bpfplay::wasm
