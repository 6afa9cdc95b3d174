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
  OUT/pcap    small captures: both byte orders, micro/nanosecond magics, snapped and cut records
  OUT/map_value  C-value JSON for types of the built-in BTF (2 bytes choosing the type first)
  OUT/map_init   --map-init documents for public/examples/xdp_tail_call.o's maps
  OUT/debug_cmd  debugger command scripts, one command per line
  OUT/share_link links as the page writes them: deflated ("z=") and plain ("j="), each source
              kind, conditional breakpoints, a lesson; cut and damaged ones
Usage: make_seeds.py OUT   (about a second; tools/test.sh runs it before the fuzz phase)
"""
import base64
import glob
import json
import os
import random
import struct
import sys
import zlib

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


def pcap(records, big_endian=False, nano=False, linktype=1, snaplen=65535):
    e = ">" if big_endian else "<"
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, (data, orig) in enumerate(records):
        out += struct.pack(e + "IIII", 1700000000 + i, 1000 * i, len(data), orig) + data
    return out


TCP_SYN = bytes.fromhex("0200000000020200000000010800" "450000280001000040067cc90a0000010a000002"
                        "9c4000500000000100000000500220001d6a0000")

DEBUG_SCRIPTS = [
    "si\nsi 3\ninfo registers\nbt\nx/16xb r10-16\nprint r1\nexplain\n",
    "break 5\nc\ninfo breakpoints\nrsi\nreverse-continue\nlist\nlist\n",
    "watch *(u32 *)(r10 - 4)\nc\nc\ndelete 1\nfinish\nmaps\nprintk\n",
    "next\nstep\nni 2\nreverse-stepi 2\nhits\ntrace 4\njournal\nhost\n",
    "x/4gx r1\nprint *(u64 *)(r10 - 8)\nprint $1\ndisassemble\nexplain 2\nq\n",
]


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
    write(f"{out}/pcap", "one.pcap", pcap([(TCP_SYN, len(TCP_SYN))]))
    write(f"{out}/pcap", "two_be_nano.pcap", pcap([(TCP_SYN, len(TCP_SYN)), (TCP_SYN[:20], 60)], big_endian=True, nano=True))
    write(f"{out}/pcap", "snapped.pcap", pcap([(TCP_SYN[:34], len(TCP_SYN))], snaplen=34))
    write(f"{out}/pcap", "cut.pcap", pcap([(TCP_SYN, len(TCP_SYN))])[:-7])
    write(f"{out}/pcap", "raw_ip.pcap", pcap([(TCP_SYN[14:], 40)], linktype=101))
    values = [b"{}", b"0", b"-1", b'"0x1f"', b"[1, 2, 3]", b'"abc"', b'{"pid": 4242, "comm": "x"}',
              b'{"saddr": "0x0a000001", "ihl": 5, "version": 4}', b"null", b"true", b'"BLUE"', b"1.5"]
    for i, v in enumerate(values):
        for type_id in (1, 7, 42, 300, 1000):
            write(f"{out}/map_value", f"v{i}_{type_id}", struct.pack("<H", type_id) + v)
    write(f"{out}/map_init", "tail.json", b'{"jmp_table": [{"key": "06000000", "program": "handle_tcp"}], '
                                         b'"hits": [{"key": "00000000", "value": "0a00000000000000"}]}')
    write(f"{out}/map_init", "bad_key.json", b'{"hits": [{"key": "00", "value": "00"}]}')
    write(f"{out}/map_init", "unknown.json", b'{"nope": []}')
    write(f"{out}/map_init", "values.json", b'{"hits": [{"key": "01000000", "values": ["01", "02"]}]}')
    for i, script in enumerate(DEBUG_SCRIPTS):
        write(f"{out}/debug_cmd", f"script{i}", script.encode())
    for i, link in enumerate(share_links(rnd)):
        write(f"{out}/share_link", f"link{i}", link.encode())


def share_links(rnd):
    """Hashes in core/share/share_link.hpp's wire form, whole and damaged."""
    def b64(data):
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def deflated(wire):
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return "z=" + b64(c.compress(json.dumps(wire).encode()) + c.flush())

    host = {"comm": "nginx", "pid": "7", "clockStartNs": "18446744073709551615", "hostJson": '{"devices":[]}'}
    wires = [
        {"v": 1, "s": {"k": "e", "n": "xdp_drop_port.o"}, "p": "xdp_drop_port", "pk": "0102", "cx": "", "h": host,
         "bp": [3, 9], "bc": {"9": "r1 == 0x800"}},
        {"v": 1, "s": {"k": "o", "n": "p.o", "b": b64(b"\x7fELF" + bytes(60)), "c": "int x;\n"}, "p": "x", "pk": "",
         "cx": "00", "h": {"pid": 9, "cpu": 1}, "bp": [], "l": "01_return"},
        {"v": 1, "s": {"k": "a", "t": "r0 = 1\nexit", "sc": "xdp"}, "p": "", "pk": "", "cx": "", "h": {}, "bp": [0]},
    ]
    links = []
    for wire in wires:
        links.append(deflated(wire))
        links.append("#j=" + b64(json.dumps(wire).encode()))
    for i in range(6):  # cut at a random point: a bad base64 length, a short deflate stream
        link = links[i % len(links)]
        links.append(link[:rnd.randrange(3, len(link))])
    links += ["#top", "z=", "j=e30", "j=W10"]  # not a session; empty; {}; []
    return links


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build-san/seeds")
