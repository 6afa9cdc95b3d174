#!/usr/bin/env python3
"""Writes core/run/tracepoint_formats_data.cpp: every tracepoint's record layout, from tracefs.

    mount -t tracefs nodev /sys/kernel/tracing      # once, as root
    python3 tools/tracepoint_formats/gen.py /sys/kernel/tracing/events core/run/tracepoint_formats_data.cpp

Each events/<system>/<event>/format names the event's id and its record's fields (offset, size,
signed) after the 8-byte common header every event shares (common_type, common_flags,
common_preempt_count, common_pid), which is left out of the table. Events of one class
(DEFINE_EVENT) have the same fields: each distinct field list is written once. Names and types go
to one string pool of NUL-terminated strings, each once. A syscalls/sys_enter_<call> and
sys_exit_<call> event also gets its syscall's number (tools/syscalls/gen.py's table: the
kernel's __syscall_nr field), -1 if no call matches.

Self-check: every event whose own struct trace_event_raw_<event> is in the running kernel's BTF
(/sys/kernel/btf/vmlinux, read with tools/vmlinux_btf/trim.py's parser; a DEFINE_EVENT's struct
is its class's, so those events are not matched by name) must have each field at that struct's
member offset and its fixed part end where the struct's char __data[] starts; a mismatch stops
the generator before it writes.

Python 3 standard library only. The same kernel gives the same bytes.
"""
import os
import re
import sys

FIELD_RE = re.compile(r"^\tfield:(.*);\toffset:(\d+);\tsize:(\d+);\tsigned:(\d+);$")
COMMON = ("common_type", "common_flags", "common_preempt_count", "common_pid")
UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"


def split_decl(decl):
    """'char comm[16]' -> ('comm', 'char[16]'); '__data_loc char[] name' -> ('name', '__data_loc char[]')."""
    decl = decl.strip()
    m = re.match(r"^(.*?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*((?:\[[^\]]*\])*)$", decl)
    if not m:
        raise ValueError("cannot split field declaration %r" % decl)
    ctype, name, dims = m.group(1), m.group(2), m.group(3)
    return name, (ctype + dims).strip()


def read_format(path):
    name = event_id = None
    fields = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("name: "):
                name = line[6:]
            elif line.startswith("ID: "):
                event_id = int(line[4:])
            m = FIELD_RE.match(line)
            if m:
                fname, ctype = split_decl(m.group(1))
                fields.append((fname, ctype, int(m.group(2)), int(m.group(3)), int(m.group(4))))
    common = [f[0] for f in fields[:4]]
    if common != list(COMMON) or [f[2] for f in fields[:4]] != [0, 2, 3, 4]:
        raise ValueError("%s: the common header is not %s at 0, 2, 3, 4" % (path, COMMON))
    return name, event_id, fields[4:]


# The numbers: the full x86-64 table of tools/syscalls/gen.py (the build machine's
# asm/unistd_64.h and the calls 6.18 added after it).
def load_syscalls_gen():
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "syscalls", "gen.py")
    spec = importlib.util.spec_from_file_location("syscalls_gen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


syscalls_gen = load_syscalls_gen()

# Events named by a handler that is not its call's __NR_ name (SYSCALL_DEFINE(umount) is
# __NR_umount2's, sendfile64 is __NR_sendfile's): arch/x86/entry/syscalls/syscall_64.tbl.
EVENT_CALLS = {"umount": "umount2", "sendfile64": "sendfile"}


def syscall_numbers():
    nrs = syscalls_gen.syscall_numbers(UNISTD)
    for event_call, call in EVENT_CALLS.items():
        nrs.setdefault(event_call, nrs[call])
    return nrs


def syscall_nr(system, event, nrs):
    if system != "syscalls":
        return -1
    call = re.sub(r"^sys_(enter|exit)_", "", event)
    # SYSCALL_DEFINE names the handlers of the newer struct stat / utsname "newstat", "newuname"...
    for candidate in (call, call[3:] if call.startswith("new") else None):
        if candidate in nrs:
            return nrs[candidate]
    return -1


def check_against_btf(events, btf_path):
    """(events checked, fields checked); exits on a field the kernel's struct places elsewhere."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmlinux_btf"))
    import trim  # noqa: E402 (the BTF parser of tools/vmlinux_btf)
    with open(btf_path, "rb") as f:
        types, name_at = trim.parse(f.read())
    structs = {t.name: t for t in types[1:] if t.kind == trim.STRUCT and t.name.startswith("trace_event_raw_")}
    checked_events = checked_fields = 0
    for system, event, _, fields, _ in events:
        t = structs.get("trace_event_raw_" + event)
        if t is None:
            continue
        members = {}
        for i in range(t.vlen):
            name_off, _, offset = t.extra[3 * i:3 * i + 3]
            members[name_at(name_off)] = (offset & 0xFFFFFF if t.kflag else offset) // 8
        fixed = max([8] + [off + size for _, _, off, size, _ in fields])
        problems = []
        for fname, _, off, _, _ in fields:
            at = members.get(fname, members.get("__data_loc_" + fname))
            if at != off:
                problems.append("%s at %s, not %d" % (fname, at, off))
        if members.get("__data") != fixed:
            problems.append("__data at %s, not %d" % (members.get("__data"), fixed))
        if problems:
            sys.exit("%s/%s differs from the kernel's struct trace_event_raw_%s: %s" %
                     (system, event, event, "; ".join(problems)))
        checked_events += 1
        checked_fields += len(fields)
    return checked_events, checked_fields


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '\\0"'


def main(events_dir, out_path, btf_path="/sys/kernel/btf/vmlinux"):
    nrs = syscall_numbers()
    events = []
    for system in sorted(os.listdir(events_dir)):
        sdir = os.path.join(events_dir, system)
        if not os.path.isdir(sdir):
            continue
        for event in sorted(os.listdir(sdir)):
            fmt = os.path.join(sdir, event, "format")
            if not os.path.isfile(fmt):
                continue
            name, event_id, fields = read_format(fmt)
            if name != event:
                raise ValueError("%s names event %r" % (fmt, name))
            events.append((system, event, event_id, fields, syscall_nr(system, event, nrs)))

    checked = check_against_btf(events, btf_path) if os.path.exists(btf_path) else None

    pool, pool_at = [], {}

    def intern(s):
        if s not in pool_at:
            pool_at[s] = sum(len(p) + 1 for p in pool)
            pool.append(s)
        return pool_at[s]

    # Field names and types first: their offsets fit the fields' u16s.
    list_at, field_rows = {}, []
    for system, event, event_id, fields, nr in events:
        key = tuple(fields)
        if key not in list_at:
            list_at[key] = len(field_rows)
            for fname, ctype, off, size, signed in fields:
                field_rows.append((intern(fname), intern(ctype), off, size, signed))
    assert all(r[0] < 1 << 16 and r[1] < 1 << 16 for r in field_rows), "field strings past 64 KiB"
    event_rows = [(intern(system), intern(event), event_id, list_at[tuple(fields)], len(fields), nr)
                  for system, event, event_id, fields, nr in events]
    pool_bytes = sum(len(p) + 1 for p in pool)
    assert pool_bytes < 1 << 32 and len(field_rows) < 1 << 16
    assert all(r[2] < 1 << 16 for r in event_rows)
    assert all(r[2] < 1 << 16 and r[3] < 1 << 16 for r in field_rows)
    assert all(r[2] < 1 << 16 and r[3] < 1 << 16 for r in field_rows)

    out = []
    w = out.append
    w("// Generated by tools/tracepoint_formats/gen.py from %s (Linux %s). Do not edit." %
      (events_dir + "/*/*/format", os.uname().release))
    w("// %d events, %d distinct field lists (%d fields), %d bytes of strings." %
      (len(event_rows), len(list_at), len(field_rows), pool_bytes))
    w('#include "core/run/tracepoint_formats_data.hpp"')
    w("")
    w("namespace bpfplay::tracepoint_data {")
    w("")
    w("// NUL-terminated names, types, systems and events; the tables below hold their offsets.")
    w("const char kStrings[] =")
    line = "   "
    for s in pool:
        piece = " " + c_string(s)
        if len(line) + len(piece) > 110:
            w(line)
            line = "   "
        line += piece
    w(line + ";")
    w("const uint32_t kStringsSize = %d;" % pool_bytes)
    w("")
    w("// name, type, offset, size, signed: one run per distinct field list.")
    w("const Field kFields[] = {")
    line = "   "
    for r in field_rows:
        piece = " {%d,%d,%d,%d,%d}," % r
        if len(line) + len(piece) > 110:
            w(line)
            line = "   "
        line += piece
    w(line)
    w("};")
    w("const uint32_t kFieldCount = %d;" % len(field_rows))
    w("")
    w("// system, name, id, first field, field count, syscall number (-1: none), by system and name.")
    w("const Event kEvents[] = {")
    for r in event_rows:
        w("    {%d,%d,%d,%d,%d,%d}," % r)
    w("};")
    w("const uint32_t kEventCount = %d;" % len(event_rows))
    w("")
    w("}  // namespace bpfplay::tracepoint_data")
    with open(out_path, "w") as f:
        f.write("\n".join(out) + "\n")
    if checked:
        print("self-check: %d events (%d fields) laid out as the kernel's own trace_event_raw_<event> structs" %
              checked)
    else:
        print("self-check skipped: no %s" % btf_path)
    unmapped = [e[1] for e in events if e[0] == "syscalls" and e[4] < 0]
    print("%d events, %d field lists, %d fields, %d string bytes; %d syscall events without a number: %s" %
          (len(event_rows), len(list_at), len(field_rows), pool_bytes, len(unmapped), " ".join(unmapped)))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
