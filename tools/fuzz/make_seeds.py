#!/usr/bin/env python3
"""Seed folders for the libFuzzer targets, made from what the repository already has:
  OUT/vm      generated straight-line and branchy programs over every ALU, JMP, stack and atomic
              instruction (tools/oracle/bpfgen.py), in fuzz_vm's format: a byte with the
              instruction count, the instructions, then input memory
  OUT/loader  public/examples/*.o, tests/btf/fixtures/*.o, and generated objects with
              bpf-to-bpf calls and global data
  OUT/btf     the .BTF and .BTF.ext sections of those objects, in fuzz_btf's format
  OUT/host_json tests/contract/host.json and small variations
  OUT/asm     the asm sections of tests/conformance/data/*.data
Usage: make_seeds.py OUT   (about a second; tools/test.sh runs it before the fuzz phase)
"""
import glob
import os
import random
import struct
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "oracle"))
import bpfgen  # noqa: E402


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def elf_sections(data):
    """{name: bytes} of a little-endian ELF64 file's sections."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx]
    out = {}
    for h in headers:
        end = data.index(b"\0", names[4] + h[0])
        out[data[names[4] + h[0]:end].decode()] = data[h[4]:h[4] + h[5]] if h[1] != 8 else b""
    return out


def vm_seed(seed):
    g = bpfgen.Gen(seed)
    code = []
    for reg in range(6):
        code += bpfgen.ld_imm64(reg, g.value64())
    code += [bpfgen.insn(bpfgen.STX | bpfgen.MEM | bpfgen.DW, 10, 2, -8),
             bpfgen.insn(bpfgen.STX | bpfgen.MEM | bpfgen.DW, 10, 3, -16)]
    body, _ = bpfgen.lower_calls(g.items(g.size, 1, in_subprog=True))
    code = (code + body)[:254] + [bpfgen.insn(bpfgen.JMP | bpfgen.EXIT)]
    return bytes([len(code)]) + b"".join(map(bpfgen.encode, code)) + g.r.randbytes(16)


def main(out):
    for seed in range(200):
        write(f"{out}/vm", f"gen{seed}", vm_seed(seed))
    objects = sorted(glob.glob(f"{ROOT}/public/examples/*.o") + glob.glob(f"{ROOT}/tests/btf/fixtures/*.o"))
    for path in objects:
        data = open(path, "rb").read()
        name = os.path.basename(path)
        write(f"{out}/loader", name, data)
        sections = elf_sections(data)
        if ".BTF" in sections:
            btf = sections[".BTF"]
            write(f"{out}/btf", name, struct.pack("<I", len(btf)) + btf + sections.get(".BTF.ext", b""))
    for seed in range(20):
        write(f"{out}/loader", f"gen{seed}.o", bpfgen.elf_object(bpfgen.generate(seed)))
    host = open(f"{ROOT}/tests/contract/host.json", "rb").read()
    write(f"{out}/host_json", "contract.json", host)
    write(f"{out}/host_json", "empty.json", b"{}")
    rnd = random.Random(1)
    for i in range(8):  # the document cut at a random point: partial members, bad syntax
        write(f"{out}/host_json", f"cut{i}.json", host[:rnd.randrange(len(host))])
    for path in sorted(glob.glob(f"{ROOT}/tests/conformance/data/*.data")):
        text = open(path).read()
        if "-- asm\n" in text:
            asm = text.split("-- asm\n", 1)[1].split("\n-- ", 1)[0]
            write(f"{out}/asm", os.path.basename(path)[:-5], asm.encode())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build-san/seeds")
