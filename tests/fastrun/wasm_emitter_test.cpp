// The WebAssembly encoder: LEB128 at its edges, and whole small modules byte for byte.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/fastrun/wasm_emitter.hpp"
#include "fastrun/wasm_tools.hpp"

namespace bpfplay::wasm {
namespace {

Bytes uleb(uint64_t v) {
    Bytes b;
    put_uleb(b, v);
    return b;
}
Bytes sleb(int64_t v) {
    Bytes b;
    put_sleb(b, v);
    return b;
}

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST_CASE("fastrun emitter: unsigned LEB128") {
    CHECK(uleb(0) == Bytes{0x00});
    CHECK(uleb(1) == Bytes{0x01});
    CHECK(uleb(127) == Bytes{0x7f});
    CHECK(uleb(128) == Bytes{0x80, 0x01});
    CHECK(uleb(624485) == Bytes{0xe5, 0x8e, 0x26});  // the example of the LEB128 article
    CHECK(uleb(0xffffffffu) == Bytes{0xff, 0xff, 0xff, 0xff, 0x0f});
    CHECK(uleb(UINT64_MAX) == Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
}

TEST_CASE("fastrun emitter: signed LEB128") {
    CHECK(sleb(0) == Bytes{0x00});
    CHECK(sleb(-1) == Bytes{0x7f});
    CHECK(sleb(63) == Bytes{0x3f});
    CHECK(sleb(64) == Bytes{0xc0, 0x00});   // bit 6 set: a positive value needs one more byte
    CHECK(sleb(-64) == Bytes{0x40});
    CHECK(sleb(-65) == Bytes{0xbf, 0x7f});
    CHECK(sleb(-123456) == Bytes{0xc0, 0xbb, 0x78});
    CHECK(sleb(INT32_MIN) == Bytes{0x80, 0x80, 0x80, 0x80, 0x78});
    CHECK(sleb(INT64_MIN) == Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f});
    CHECK(sleb(INT64_MAX) == Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00});
}

TEST_CASE("fastrun emitter: an empty module is the header alone") {
    CHECK(ModuleWriter().bytes() == kHeader);
}

TEST_CASE("fastrun emitter: a one-function module, byte for byte") {
    ModuleWriter m;
    Code c;
    c.local_get(0).i32_const(1).op(Opc::I32Add);
    const FuncType t{{ValType::I32}, {ValType::I32}};
    m.export_function("f", m.function(t, {}, c));
    const Bytes expected = concat({kHeader,
                                   {0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f},  // type: (i32) -> i32
                                   {0x03, 0x02, 0x01, 0x00},                          // function 0 has type 0
                                   {0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00},         // export "f" = func 0
                                   {0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b}});
    CHECK(m.bytes() == expected);
    if (fastrun_test::have_tool("wasm-validate")) CHECK(fastrun_test::wasm_validate("one.wasm", m.bytes()) == "");
}

TEST_CASE("fastrun emitter: imports, equal types shared, locals in runs") {
    ModuleWriter m;
    const FuncType t{{ValType::I64}, {}};
    CHECK(m.import_function("env", "g", t) == 0);
    m.import_memory("env", "memory", 1);
    Code c;
    c.local_get(1).call(0).i64_const(-2).local_set(2);
    // The defined function follows the imported one in the index space; its type is shared.
    CHECK(m.function(t, {ValType::I64, ValType::I64, ValType::I32}, c) == 1);
    const Bytes expected = concat({kHeader,
                                   {0x01, 0x05, 0x01, 0x60, 0x01, 0x7e, 0x00},
                                   {0x02, 0x17, 0x02,  //
                                    0x03, 'e', 'n', 'v', 0x01, 'g', 0x00, 0x00,
                                    0x03, 'e', 'n', 'v', 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 0x01},
                                   {0x03, 0x02, 0x01, 0x00},
                                   {0x0a, 0x10, 0x01, 0x0e,        //
                                    0x02, 0x02, 0x7e, 0x01, 0x7f,  // locals: 2 x i64, 1 x i32
                                    0x20, 0x01, 0x10, 0x00, 0x42, 0x7e, 0x21, 0x02, 0x0b}});
    CHECK(m.bytes() == expected);
    if (fastrun_test::have_tool("wasm-validate")) CHECK(fastrun_test::wasm_validate("imports.wasm", m.bytes()) == "");
}

TEST_CASE("fastrun emitter: control nesting, br_table and memory immediates") {
    Code c;
    c.block().loop().i32_const(1).if_(uint8_t(ValType::I64));
    CHECK(c.depth() == 3);
    c.i64_const(1).else_().i64_const(2).end();
    CHECK(c.depth() == 2);
    c.op(Opc::Drop).local_get(0).br_table({0, 1}, 1).end().end();
    CHECK(c.depth() == 0);
    c.local_get(0).mem(Opc::I64Load32U, 200, 2).op(Opc::Drop);
    CHECK(c.bytes() == Bytes{0x02, 0x40, 0x03, 0x40, 0x41, 0x01, 0x04, 0x7e, 0x42, 0x01, 0x05, 0x42, 0x02, 0x0b, 0x1a, 0x20, 0x00,
                             0x0e, 0x02, 0x00, 0x01, 0x01, 0x0b, 0x0b, 0x20, 0x00, 0x35, 0x02, 0xc8, 0x01, 0x1a});
    ModuleWriter m;
    m.import_memory("env", "memory", 0);
    m.function({{ValType::I32}, {}}, {}, c);
    if (fastrun_test::have_tool("wasm-validate")) CHECK(fastrun_test::wasm_validate("control.wasm", m.bytes()) == "");
}

}  // namespace
}  // namespace bpfplay::wasm
