# Turns a binary file into a C++ source defining a byte array (run with cmake -P at build time,
# so no large generated source is committed). Used for the emulated kernel's vmlinux BTF
# (core/btf/data/*.btf -> bpfplay::vmlinux_btf_data), natively and in the Emscripten build.
#   cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DSYMBOL=<name> -P embed_bytes.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Break the one long line every 32 bytes (160 characters of "0x..,").
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed_bytes.cmake. Do not edit.\n"
  "#include <cstddef>\n#include <cstdint>\n"
  "namespace bpfplay {\n"
  "extern const uint8_t ${SYMBOL}[];\nextern const size_t ${SYMBOL}_size;\n"
  "alignas(8) const uint8_t ${SYMBOL}[] = {\n${bytes}\n};\n"
  "const size_t ${SYMBOL}_size = ${size};\n"
  "}  // namespace bpfplay\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
