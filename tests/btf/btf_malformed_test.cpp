// Malformed .BTF and .BTF.ext: each case breaks one thing in an otherwise valid section
// and must give a clear Load error (checked by substring), never a crash. Run under
// ASan+UBSan too (build-btf-asan).
#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"

using namespace bpfplay;
using bpfplay::test::BtfBuilder;
using bpfplay::test::get_u32;
using bpfplay::test::K_ARRAY;
using bpfplay::test::K_CONST;
using bpfplay::test::K_FUNC;
using bpfplay::test::K_PTR;
using bpfplay::test::K_STRUCT;
using bpfplay::test::K_TYPEDEF;
using bpfplay::test::put_u32;

namespace {

// The .BTF error for `blob`; fails the test if it parses.
std::string btf_error_of(const std::vector<uint8_t>& blob) {
    auto r = parse_btf(blob);
    REQUIRE_MESSAGE(!r.ok(), "expected a parse error");
    CHECK(r.error().kind == ErrorKind::Load);
    CHECK(r.error().where.section == ".BTF");
    return r.error().what;
}

#define CHECK_HAS(text, needle) CHECK_MESSAGE((text).find(needle) != std::string::npos, "error was: " << (text))

// A small valid section: int, struct { int a; int b; }, typedef.
std::vector<uint8_t> valid_blob() {
    BtfBuilder b;
    uint32_t int_t = b.add_int("int", 4, 1, 32);
    uint32_t s = b.add_struct("pair", 8, {{"a", int_t, 0}, {"b", int_t, 32}});
    b.add_ref(K_TYPEDEF, "pair_t", s);
    return b.build();
}

constexpr size_t kTypesStart = 24;                 // builder: types right after the header
uint32_t str_off(const std::vector<uint8_t>& blob) { return get_u32(blob, 16); }

}  // namespace

TEST_CASE("malformed btf: the valid base parses") {
    auto r = parse_btf(valid_blob());
    REQUIRE(r.ok());
    CHECK(r->type_count() == 4);
    CHECK(r->type_to_string(3) == "pair_t");
}

TEST_CASE("malformed btf: truncated at every header field boundary") {
    auto blob = valid_blob();
    const size_t cuts[] = {0, 1, 2, 3, 4, 7, 8, 12, 16, 20, 23};
    for (size_t cut : cuts) {
        CAPTURE(cut);
        std::vector<uint8_t> t(blob.begin(), blob.begin() + cut);
        std::string e = btf_error_of(t);
        CHECK_HAS(e, "truncated header");
    }
    CHECK_HAS(btf_error_of(std::vector<uint8_t>(blob.begin(), blob.begin() + 12)), "btf_header.type_len");
}

TEST_CASE("malformed btf: header fields") {
    SUBCASE("bad magic") {
        auto b = valid_blob();
        b[0] = 0x00;
        CHECK_HAS(btf_error_of(b), "bad magic 0xeb00");
    }
    SUBCASE("big-endian magic") {
        auto b = valid_blob();
        b[0] = 0xeb;
        b[1] = 0x9f;
        CHECK_HAS(btf_error_of(b), "big-endian");
    }
    SUBCASE("bad version") {
        auto b = valid_blob();
        b[2] = 2;
        CHECK_HAS(btf_error_of(b), "unsupported BTF version 2");
    }
    SUBCASE("flags set") {
        auto b = valid_blob();
        b[3] = 1;
        CHECK_HAS(btf_error_of(b), "header flags");
    }
    SUBCASE("hdr_len smaller than the header") {
        auto b = valid_blob();
        put_u32(b, 4, 16);
        CHECK_HAS(btf_error_of(b), "hdr_len 16 is smaller than the 24-byte btf_header");
    }
    SUBCASE("hdr_len past the end") {
        auto b = valid_blob();
        put_u32(b, 4, static_cast<uint32_t>(b.size()) + 4);
        CHECK_HAS(btf_error_of(b), "runs past the end of the");
    }
    SUBCASE("longer header with unknown non-zero fields") {
        auto b = valid_blob();
        b.insert(b.begin() + 24, {0, 0, 0, 0, 9, 0, 0, 0});
        put_u32(b, 4, 32);
        CHECK_HAS(btf_error_of(b), "unknown non-zero byte at offset 0x1c");
        b[28] = 0;  // all zero: a longer header is fine
        CHECK(parse_btf(b).ok());
    }
    SUBCASE("type section out of range") {
        auto b = valid_blob();
        put_u32(b, 8, 0x1000);
        CHECK_HAS(btf_error_of(b), "type section [0x1000");
    }
    SUBCASE("type_len out of range") {
        auto b = valid_blob();
        put_u32(b, 12, 0xfffffff0);
        CHECK_HAS(btf_error_of(b), "runs past the");
    }
    SUBCASE("string section out of range") {
        auto b = valid_blob();
        put_u32(b, 20, get_u32(b, 20) + 1);
        CHECK_HAS(btf_error_of(b), "string section");
        CHECK_HAS(btf_error_of(b), "runs past the");
    }
    SUBCASE("string offset overflowing 32 bits") {
        auto b = valid_blob();
        put_u32(b, 16, 0xffffffff);
        CHECK_HAS(btf_error_of(b), "string section [0xffffffff");
    }
    SUBCASE("misaligned type section") {
        auto b = valid_blob();
        put_u32(b, 8, 2);
        put_u32(b, 12, 4);
        CHECK_HAS(btf_error_of(b), "not 4-byte aligned");
    }
    SUBCASE("overlapping sections") {
        auto b = valid_blob();
        put_u32(b, 16, 4);  // strings start inside the types
        CHECK_HAS(btf_error_of(b), "overlap");
    }
    SUBCASE("empty string section") {
        auto b = valid_blob();
        put_u32(b, 20, 0);
        CHECK_HAS(btf_error_of(b), "string section is empty");
    }
    SUBCASE("string section not ending in NUL") {
        auto b = valid_blob();
        b.back() = 'x';
        CHECK_HAS(btf_error_of(b), "does not end in NUL");
    }
    SUBCASE("string section not starting with NUL") {
        auto b = valid_blob();
        b[24 + str_off(b)] = 'x';
        CHECK_HAS(btf_error_of(b), "does not start with NUL");
    }
}

TEST_CASE("malformed btf: type records") {
    SUBCASE("name offset past the string section") {
        auto b = valid_blob();
        put_u32(b, kTypesStart, 0x7fff);  // int's name_off
        std::string e = btf_error_of(b);
        CHECK_HAS(e, "type id 1");
        CHECK_HAS(e, "name offset 0x7fff is past the end");
    }
    SUBCASE("member name offset past the string section") {
        auto b = valid_blob();
        put_u32(b, kTypesStart + 16 + 12, 0x7fff);  // first member of the struct
        CHECK_HAS(btf_error_of(b), "member name offset 0x7fff");
    }
    SUBCASE("unknown kind") {
        auto b = valid_blob();
        put_u32(b, kTypesStart + 4, 20u << 24);
        CHECK_HAS(btf_error_of(b), "unknown BTF kind 20");
    }
    SUBCASE("reserved info bits") {
        auto b = valid_blob();
        put_u32(b, kTypesStart + 4, (1u << 24) | (1u << 16));
        CHECK_HAS(btf_error_of(b), "reserved bits set");
    }
    SUBCASE("record cut in the middle") {
        auto b = valid_blob();
        put_u32(b, 12, get_u32(b, 12) - 8);  // type_len ends inside the typedef record
        CHECK_HAS(btf_error_of(b), "type id 3 at type-section offset 0x34: record truncated");
    }
    SUBCASE("int with a bad size") {
        BtfBuilder bb;
        bb.add_int("odd", 3, 0, 24);
        CHECK_HAS(btf_error_of(bb.build()), "size 3 is not 1, 2, 4, 8 or 16");
    }
    SUBCASE("int wider than its storage") {
        BtfBuilder bb;
        bb.add_int("wide", 2, 0, 16, 8);
        CHECK_HAS(btf_error_of(bb.build()), "exceed its 2 bytes");
    }
    SUBCASE("vlen huge: members claimed but not there") {
        BtfBuilder bb;
        bb.add_raw(0, test::btf_info(K_STRUCT, 0xffff), 8);
        std::string e = btf_error_of(bb.build());
        CHECK_HAS(e, "needs 786420 more bytes for vlen 65535");
    }
    SUBCASE("type id reference past the end") {
        BtfBuilder bb;
        bb.add_ref(K_PTR, "", 99);
        CHECK_HAS(btf_error_of(bb.build()), "type id 1 (ptr): referenced type refers to type id 99, but the section has only 2 types");
    }
    SUBCASE("member type past the end") {
        BtfBuilder bb;
        bb.add_struct("s", 4, {{"x", 42, 0}});
        CHECK_HAS(btf_error_of(bb.build()), "member type refers to type id 42");
    }
    SUBCASE("typedef loop A -> A") {
        BtfBuilder bb;
        bb.add_ref(K_TYPEDEF, "A", 1);
        CHECK_HAS(btf_error_of(bb.build()), "reference loop: type id 1 (typedef 'A') -> type id 1 (typedef 'A')");
    }
    SUBCASE("longer loop through const and ptr") {
        BtfBuilder bb;
        bb.add_ref(K_TYPEDEF, "A", 2);
        bb.add_ref(K_CONST, "", 3);
        bb.add_ref(K_PTR, "", 1);
        CHECK_HAS(btf_error_of(bb.build()), "reference loop");
    }
    SUBCASE("array loop") {
        BtfBuilder bb;
        bb.add_array(1, 0, 2);
        CHECK_HAS(btf_error_of(bb.build()), "reference loop: type id 1 (array)");
    }
    SUBCASE("struct containing itself by value") {
        BtfBuilder bb;
        bb.add_struct("ouroboros", 4, {{"self", 1, 0}});
        CHECK_HAS(btf_error_of(bb.build()), "type id 1 (struct 'ouroboros') contains itself by value");
    }
    SUBCASE("array nelems huge: size overflows") {
        BtfBuilder bb;
        uint32_t int_t = bb.add_int("int", 4, 1, 32);
        uint32_t inner = bb.add_array(int_t, int_t, 0x10000);
        bb.add_array(inner, int_t, 0x10000);
        CHECK_HAS(btf_error_of(bb.build()), "65536 elements of 262144 bytes = 17179869184 bytes, which overflows");
    }
    SUBCASE("struct member beyond the struct size") {
        BtfBuilder bb;
        uint32_t int_t = bb.add_int("int", 4, 1, 32);
        bb.add_struct("s", 8, {{"a", int_t, 0}, {"b", int_t, 64}});
        CHECK_HAS(btf_error_of(bb.build()), "member 'b' (#1) of type id 2 (struct 's'): ends at bit 96, past the end of its 8-byte struct");
    }
    SUBCASE("bitfield beyond the struct size") {
        BtfBuilder bb;
        uint32_t int_t = bb.add_int("int", 4, 1, 32);
        bb.add_struct("s", 4, {{"a", int_t, (4u << 24) | 30}}, /*kflag*/ true);
        CHECK_HAS(btf_error_of(bb.build()), "ends at bit 34");
    }
    SUBCASE("bitfield of a struct type") {
        BtfBuilder bb;
        uint32_t int_t = bb.add_int("int", 4, 1, 32);
        uint32_t inner = bb.add_struct("in", 4, {{"x", int_t, 0}});
        bb.add_struct("s", 4, {{"a", inner, (3u << 24)}}, true);
        CHECK_HAS(btf_error_of(bb.build()), "a bitfield must be an int or enum, not struct");
    }
    SUBCASE("member of a type with no size") {
        BtfBuilder bb;
        uint32_t fwd = bb.add_raw(bb.str("later"), test::btf_info(test::K_FWD, 0), 0);
        bb.add_struct("s", 8, {{"f", fwd, 0}});
        CHECK_HAS(btf_error_of(bb.build()), "has no size");
    }
    SUBCASE("func whose prototype is not a func_proto") {
        BtfBuilder bb;
        uint32_t int_t = bb.add_int("int", 4, 1, 32);
        bb.add_ref(K_FUNC, "f", int_t);
        CHECK_HAS(btf_error_of(bb.build()), "not a func_proto");
    }
    SUBCASE("array of void") {
        BtfBuilder bb;
        bb.add_raw(0, test::btf_info(K_ARRAY, 0), 0, {0, 0, 4});
        CHECK_HAS(btf_error_of(bb.build()), "element type is void");
    }
    SUBCASE("datasec entry that is not a variable") {
        BtfBuilder bb;
        uint32_t int_t = bb.add_int("int", 4, 1, 32);
        bb.add_datasec(".data", 4, {{int_t, 0, 4}});
        CHECK_HAS(btf_error_of(bb.build()), "not a var or func");
    }
}

namespace {

struct ExtBase {
    Btf btf;
    uint32_t sec = 0, file = 0, text = 0, fn = 0, int_t = 0;
};

ExtBase ext_base() {
    BtfBuilder b;
    ExtBase base;
    base.int_t = b.add_int("int", 4, 1, 32);
    uint32_t proto = b.add_func_proto(base.int_t, {});
    base.fn = b.add_ref(K_FUNC, "f", proto);
    base.sec = b.str("xdp");
    base.file = b.str("a.c");
    base.text = b.str("return 0;");
    auto btf = parse_btf(b.build());
    REQUIRE(btf.ok());
    base.btf = std::move(btf).value();
    return base;
}

std::string ext_error_of(const std::vector<uint8_t>& blob, const Btf& btf) {
    auto r = parse_btf_ext(blob, btf);
    REQUIRE_MESSAGE(!r.ok(), "expected a .BTF.ext error");
    CHECK(r.error().kind == ErrorKind::Load);
    CHECK(r.error().where.section == ".BTF.ext");
    return r.error().what;
}

test::ExtBlock func_block(const ExtBase& b, uint32_t rec_size = 8, uint32_t count = 1) {
    return test::ExtBlock{rec_size, {{b.sec, count, {0, b.fn}}}, true};
}

}  // namespace

TEST_CASE("malformed btf.ext") {
    ExtBase b = ext_base();
    test::ExtBlock none;
    SUBCASE("valid base") {
        test::ExtBlock lines{16, {{b.sec, 1, {0, b.file, b.text, (3u << 10) | 5}}}, true};
        test::ExtBlock core{16, {{b.sec, 1, {8, b.int_t, b.file, 0}}}, true};
        auto ok = parse_btf_ext(test::build_btf_ext(func_block(b), lines, core), b.btf);
        REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().to_string()));
        CHECK(ok->section("xdp")->core_relos.size() == 1);
    }
    SUBCASE("truncated header") {
        auto blob = test::build_btf_ext(func_block(b), none, none);
        for (size_t cut : {0, 2, 4, 8, 20}) {
            CAPTURE(cut);
            std::vector<uint8_t> t(blob.begin(), blob.begin() + cut);
            std::string e = ext_error_of(t, b.btf);
            bool clear = e.find("truncated header") != std::string::npos;
            CHECK_MESSAGE(clear, "error was: " << e);
        }
    }
    SUBCASE("bad magic") {
        auto blob = test::build_btf_ext(func_block(b), none, none);
        blob[1] = 0;
        CHECK_HAS(ext_error_of(blob, b.btf), "bad magic");
    }
    SUBCASE("hdr_len too small") {
        auto blob = test::build_btf_ext(func_block(b), none, none);
        put_u32(blob, 4, 20);
        CHECK_HAS(ext_error_of(blob, b.btf), "hdr_len 20 is smaller");
    }
    SUBCASE("rec_size 0") {
        CHECK_HAS(ext_error_of(test::build_btf_ext(func_block(b, 0), none, none), b.btf),
                  "func_info record size 0 is smaller than bpf_func_info (8 bytes)");
    }
    SUBCASE("rec_size smaller than bpf_line_info") {
        test::ExtBlock lines{12, {{b.sec, 1, {0, b.file, b.text}}}, true};
        CHECK_HAS(ext_error_of(test::build_btf_ext(none, lines, none), b.btf),
                  "line_info record size 12 is smaller than bpf_line_info (16 bytes)");
    }
    SUBCASE("rec_size not a multiple of 4") {
        CHECK_HAS(ext_error_of(test::build_btf_ext(func_block(b, 10), none, none), b.btf), "not a multiple of 4");
    }
    SUBCASE("record count past the end") {
        CHECK_HAS(ext_error_of(test::build_btf_ext(func_block(b, 8, 1000000), none, none), b.btf),
                  "func_info for section 'xdp' claims 1000000 records of 8 bytes, but only 8 bytes remain");
    }
    SUBCASE("record count overflowing 32 bits") {
        CHECK_HAS(ext_error_of(test::build_btf_ext(func_block(b, 0x10000000, 0x40), none, none), b.btf), "claims 64 records");
    }
    SUBCASE("zero records") {
        CHECK_HAS(ext_error_of(test::build_btf_ext(func_block(b, 8, 0), none, none), b.btf), "has 0 records");
    }
    SUBCASE("func_info type that is not a FUNC") {
        test::ExtBlock func{8, {{b.sec, 1, {0, b.int_t}}}, true};
        CHECK_HAS(ext_error_of(test::build_btf_ext(func, none, none), b.btf), "type id 1 is not a FUNC");
    }
    SUBCASE("insn_off not a multiple of 8") {
        test::ExtBlock func{8, {{b.sec, 1, {12, b.fn}}}, true};
        CHECK_HAS(ext_error_of(test::build_btf_ext(func, none, none), b.btf), "insn_off 12 is not a multiple");
    }
    SUBCASE("line_off past the string section") {
        test::ExtBlock lines{16, {{b.sec, 1, {0, b.file, 0x9999, 0}}}, true};
        CHECK_HAS(ext_error_of(test::build_btf_ext(none, lines, none), b.btf), "line_off 0x9999");
    }
    SUBCASE("section name past the string section") {
        test::ExtBlock func{8, {{0x9999, 1, {0, b.fn}}}, true};
        CHECK_HAS(ext_error_of(test::build_btf_ext(func, none, none), b.btf), "section name offset 0x9999");
    }
    SUBCASE("block offset past the end") {
        auto blob = test::build_btf_ext(func_block(b), none, none);
        put_u32(blob, 8, 0x400);
        CHECK_HAS(ext_error_of(blob, b.btf), "func_info block [0x400");
    }
    SUBCASE("section header cut short") {
        auto blob = test::build_btf_ext(func_block(b), none, none);
        put_u32(blob, 12, get_u32(blob, 12) + 4);  // len claims 4 bytes more
        blob.insert(blob.end(), {0, 0, 0, 0});
        CHECK_HAS(ext_error_of(blob, b.btf), "section header at offset");
    }
    SUBCASE("unknown CO-RE relocation kind") {
        test::ExtBlock core{16, {{b.sec, 1, {0, b.int_t, b.file, 99}}}, true};
        CHECK_HAS(ext_error_of(test::build_btf_ext(none, none, core), b.btf), "unknown relocation kind 99");
    }
}
