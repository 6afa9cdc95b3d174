"""The kernel side of a campaign without a process per program: bpf(2) through ctypes.

kernel_run (libbpf) costs a process, an ELF parse and a map creation per program; here one
array map (the program's .data: key 4 bytes, one 128-byte value) and the hash map "h" are
created once and emptied before each run, and the program is loaded already linked the way libbpf links it (subprograms
appended, the .data lddw as BPF_PSEUDO_MAP_VALUE with the map's fd, calls as relative
offsets). The result has kernel_run's JSON shape, so bpfplay's side compares it the same way;
`oracle.py record` still uses kernel_run, the loader the examples' cases come from.
"""
import ctypes
import os
import struct

import bpfgen

NR_BPF = 321  # x86_64
BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY = 0, 1, 2, 3, 4
BPF_PROG_LOAD, BPF_PROG_TEST_RUN = 5, 10
BPF_MAP_TYPE_ARRAY = 2
PROG_TYPES = {"socket": 1, "tc": 3, "xdp": 6}   # BPF_PROG_TYPE_SOCKET_FILTER, _SCHED_CLS, _XDP
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr) + bytes(144 - len(attr)))
    ret = libc.syscall(NR_BPF, cmd, buf, len(buf.raw))
    if ret < 0:
        return -ctypes.get_errno(), buf.raw
    return ret, buf.raw


class Kernel:
    def __init__(self):
        os.sched_setaffinity(0, {0})  # kernel_run's runs are on CPU 0 too (bpf_get_smp_processor_id)
        fd, _ = bpf(BPF_MAP_CREATE, struct.pack("<IIIII", BPF_MAP_TYPE_ARRAY, 4, bpfgen.VALUE_SIZE, 1, 0)
                    + bytes(16) + b"o.data".ljust(16, b"\0"))
        if fd < 0:
            raise PermissionError(f"bpf(BPF_MAP_CREATE) failed: {os.strerror(-fd)}")
        self.map_fd = fd
        h = bpfgen.HASH
        fd, _ = bpf(BPF_MAP_CREATE, struct.pack("<IIIII", h["type"], h["key_size"], h["value_size"], h["max_entries"], 0)
                    + bytes(16) + b"h".ljust(16, b"\0"))
        if fd < 0:
            raise PermissionError(f"bpf(BPF_MAP_CREATE) failed: {os.strerror(-fd)}")
        self.hash_fd = fd
        self.hkey = ctypes.create_string_buffer(h["key_size"])
        self.hnext = ctypes.create_string_buffer(h["key_size"])
        self.hvalue = ctypes.create_string_buffer(h["value_size"])
        self.key = ctypes.create_string_buffer(4)
        self.value = ctypes.create_string_buffer(bpfgen.VALUE_SIZE)
        self.log = ctypes.create_string_buffer(1 << 20)
        self.license = ctypes.create_string_buffer(b"GPL")

    def linked(self, prog):
        code, value_at, calls = bpfgen.main_code(prog)
        starts = {}
        for n in sorted({n for _, n in calls}):  # as libbpf: only the subprograms called
            starts[n] = len(code)
            code += bpfgen.subprog_code(prog["subprogs"][n])
        code[value_at] = code[value_at][:4] + (self.map_fd,)
        for at in bpfgen.map_sites(code):
            code[at] = code[at][:4] + (self.hash_fd,)
        for at, n in calls:
            code[at] = code[at][:4] + (starts[n] - at - 1,)
        return b"".join(map(bpfgen.encode, code)), len(code)

    def hash_entries(self, delete):
        """The hash map's entries sorted by key bytes (kernel_run's order); deleted if asked."""
        entries, key = [], None
        while True:
            attr = struct.pack("<IIQQ", self.hash_fd, 0, ctypes.addressof(key) if key else 0, ctypes.addressof(self.hnext))
            if bpf(BPF_MAP_GET_NEXT_KEY, attr)[0] < 0:
                break
            key = ctypes.create_string_buffer(self.hnext.raw, len(self.hnext))  # (no NUL added)
            bpf(BPF_MAP_LOOKUP_ELEM, struct.pack("<IIQQQ", self.hash_fd, 0, ctypes.addressof(key),
                                                 ctypes.addressof(self.hvalue), 0))
            entries.append({"key": key.raw.hex(), "value": self.hvalue.raw.hex()})
        if delete:
            for e in entries:
                k = ctypes.create_string_buffer(bytes.fromhex(e["key"]), len(self.hnext))
                bpf(BPF_MAP_DELETE_ELEM, struct.pack("<IIQ", self.hash_fd, 0, ctypes.addressof(k)))
        return sorted(entries, key=lambda e: bytes.fromhex(e["key"]))

    def run(self, prog):
        """kernel_run's JSON for prog, or (None, verifier log) when the kernel refuses it."""
        text, count = self.linked(prog)
        insns = ctypes.create_string_buffer(text)
        self.value.raw = bytes(bpfgen.VALUE_SIZE)
        self.hash_entries(delete=True)
        bpf(BPF_MAP_UPDATE_ELEM, struct.pack("<IIQQQ", self.map_fd, 0, ctypes.addressof(self.key),
                                             ctypes.addressof(self.value), 0))
        attr = struct.pack("<IIQQIIQII16sII", PROG_TYPES[prog.get("type", "xdp")], count, ctypes.addressof(insns),
                           ctypes.addressof(self.license), 0, 0, 0, 0, 0, b"prog", 0, 0)
        fd, _ = bpf(BPF_PROG_LOAD, attr)
        if fd < 0:  # again with the log, only now: logging slows the verifier down
            attr = struct.pack("<IIQQIIQII16sII", PROG_TYPES[prog.get("type", "xdp")], count, ctypes.addressof(insns),
                               ctypes.addressof(self.license), 1, len(self.log), ctypes.addressof(self.log),
                               0, 0, b"prog", 0, 0)
            err, _ = bpf(BPF_PROG_LOAD, attr)
            if err >= 0:
                os.close(err)
            return None, self.log.value.decode(errors="replace")
        try:
            packet = prog["packet"]
            data_in = ctypes.create_string_buffer(packet)
            data_out = ctypes.create_string_buffer(len(packet) + 4096)
            attr = struct.pack("<IIIIQQII", fd, 0, len(packet), len(data_out), ctypes.addressof(data_in),
                               ctypes.addressof(data_out), 1, 0)
            err, out = bpf(BPF_PROG_TEST_RUN, attr)
            if err < 0:
                return None, "BPF_PROG_TEST_RUN: " + os.strerror(-err)
            retval, _, size_out = struct.unpack_from("<III", out, 4)
            bpf(BPF_MAP_LOOKUP_ELEM, struct.pack("<IIQQQ", self.map_fd, 0, ctypes.addressof(self.key),
                                                 ctypes.addressof(self.value), 0))
            return {"program": "prog", "prog_type": {"socket": "socket_filter", "tc": "sched_cls"}.get(prog.get("type"), "xdp"), "loaded": True, "return": retval, "returns": [retval],
                    "packet_out": data_out.raw[:size_out].hex(),
                    "maps": {"o.data": [{"key": "00000000", "value": self.value.raw.hex()}],
                             "h": self.hash_entries(delete=False)}}, None
        finally:
            os.close(fd)
