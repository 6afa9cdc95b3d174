#!/usr/bin/env python3
"""Generates the helper catalog's data (core/helpers/helper_catalog_data.cpp and
core/helpers/helper_docs.cpp) from what the kernel says about its helpers:

  /usr/include/linux/bpf.h                        names (__BPF_FUNC_MAPPER), C signatures, documentation
  tools/helper_catalog/kernel_protos.tsv           each helper's struct bpf_func_proto (argument and
                                                   return kinds), read from the kernel's source
  tools/helper_catalog/kernel_prog_types.txt       which helpers each program type may call, asked of
                                                   the running kernel by probe_prog_types.c

Run from the repository root: python3 tools/helper_catalog/gen_helper_catalog.py
Never edit the generated files by hand: change the inputs (or this script) and run it again.
"""
import re
import sys

HEADER = '/usr/include/linux/bpf.h'
PROTOS = 'tools/helper_catalog/kernel_protos.tsv'
PROBED = 'tools/helper_catalog/kernel_prog_types.txt'
OUT_DATA = 'core/helpers/helper_catalog_data.cpp'
OUT_DOCS = 'core/helpers/helper_docs.cpp'
HELPER_COUNT = 211  # ids 1..211: Linux 6.18 has no helper past bpf_cgrp_storage_delete

# Helpers newer than the 6.1 uapi header on this machine: signature and documentation from the
# header of the kernel that added them (Linux 6.2, include/uapi/linux/bpf.h).
NEWER = {
    210: ('bpf_cgrp_storage_get', 'void *bpf_cgrp_storage_get(struct bpf_map *map, struct cgroup *cgroup, void *value, u64 flags)',
          'Get a bpf_local_storage from the *cgroup*.\n\nLogically, it could be thought of as getting the value from a *map* with *cgroup* as the **key**. From this perspective, the usage is not much different from **bpf_map_lookup_elem**\\ (*map*, **&**\\ *cgroup*) except this helper enforces the key must be a cgroup struct and the map must also be a **BPF_MAP_TYPE_CGRP_STORAGE**.\n\nIn reality, the local-storage value is embedded directly inside of the *cgroup* object itself, rather than being located in the **BPF_MAP_TYPE_CGRP_STORAGE** map. When the local-storage value is queried for some *map* on a *cgroup* object, the kernel will perform an O(n) iteration over all of the live local-storage values for that *cgroup* object until the local-storage value for the *map* is found.\n\nAn optional *flags* (**BPF_LOCAL_STORAGE_GET_F_CREATE**) can be used such that a new bpf_local_storage will be created if one does not exist. *value* can be used together with **BPF_LOCAL_STORAGE_GET_F_CREATE** to specify the initial value of a bpf_local_storage. If *value* is **NULL**, the new bpf_local_storage will be zero initialized.',
          'A bpf_local_storage pointer is returned on success.\n\n**NULL** if not found or there was an error in adding a new bpf_local_storage.'),
    211: ('bpf_cgrp_storage_delete', 'long bpf_cgrp_storage_delete(struct bpf_map *map, struct cgroup *cgroup)',
          'Delete a bpf_local_storage from a *cgroup*.',
          '0 on success.\n\n**-ENOENT** if the bpf_local_storage cannot be found.'),
}

# Program types whose helper set the probe cannot ask this kernel about (their loads fail before
# the verifier: no BPF LSM, no fentry on this kernel build, no lirc), derived from the probed sets
# as the kernel's source derives them. Each rule: (label, prog_type, attach_type, base label,
# ids added, ids removed, why).
TRAMPOLINE = [183, 184, 185]  # get_func_arg, get_func_ret, get_func_arg_cnt: bpf_prog_has_trampoline()
DERIVED = [
    ('fentry', 26, 24, 'tp_btf', TRAMPOLINE, [],
     'kernel/trace/bpf_trace.c tracing_prog_func_proto: as tp_btf, plus the trampoline-only helpers'),
    ('fexit', 26, 25, 'tp_btf', TRAMPOLINE, [], 'as fentry'),
    ('fmod_ret', 26, 26, 'tp_btf', TRAMPOLINE, [], 'as fentry'),
    # bpf_lsm_func_proto (kernel/bpf/bpf_lsm.c): inode/sk storage, spin locks, bprm_opts_set,
    # ima_inode_hash / ima_file_hash on top of tracing_prog_func_proto for a trampoline program.
    ('lsm', 29, 27, 'tp_btf', TRAMPOLINE + [93, 94, 145, 146, 159, 161, 193], [],
     'kernel/bpf/bpf_lsm.c bpf_lsm_func_proto'),
    # BPF_LSM_CGROUP adds cgroup_common_func_proto: get_local_storage, get/set_retval.
    ('lsm_cgroup', 29, 43, 'tp_btf', TRAMPOLINE + [93, 94, 145, 146, 159, 161, 193, 81, 186, 187], [],
     'kernel/bpf/bpf_lsm.c bpf_lsm_func_proto with cgroup_common_func_proto'),
    # lirc_mode2_func_proto (drivers/media/rc/bpf-lirc.c): rc_repeat, rc_keydown, rc_pointer_rel,
    # then bpf_base_func_proto, which is exactly netfilter's set (netfilter adds nothing).
    ('lirc_mode2', 20, 16, 'netfilter', [77, 78, 92], [], 'drivers/media/rc/bpf-lirc.c lirc_mode2_func_proto'),
]

# Helpers the probing kernel's build leaves out although its program type has them in a kernel
# with the config option that compiles them in: added to the probed answer. Each rule: (label,
# ids added, why).
CONFIG_ADDED = [
    # This machine's 6.18 has no CONFIG_IPV6_SEG6_LWTUNNEL, so no CONFIG_IPV6_SEG6_BPF.
    ('lwt_seg6local', [74, 75, 76],
     'net/core/filter.c lwt_seg6local_func_proto: lwt_seg6_store_bytes, _action, _adjust_srh under CONFIG_IPV6_SEG6_BPF'),
]


def parse_header():
    src = open(HEADER).read()
    mapper = re.search(r'#define __BPF_FUNC_MAPPER\(FN\)(.*?)\n\n', src, re.S)
    if mapper:
        names = ['bpf_' + n for n in re.findall(r'FN\((\w+)\)', mapper.group(1))]
    else:  # 6.2+ headers: FN(name, id, ##ctx)
        names = ['bpf_' + n for n in re.findall(r'FN\((\w+),\s*\d+', src)]
        names.insert(0, 'bpf_unspec')
    start = src.index('Start of BPF helper function descriptions')
    block = src[start:src.index('\n */', start)]
    lines = [re.sub(r'^ \*( |\t)?', '', l) if l.startswith(' *') else l for l in block.split('\n')]
    # bpf_per_cpu_ptr's entry is indented with spaces (4 for a heading, 4 + 8 per level below),
    # not tabs: read it as the tabs the rest of the file uses.
    def tabs(l):
        n = len(l) - len(l.lstrip(' '))
        return '\t' * (1 + (n - 4) // 8) + l.lstrip(' ') if n >= 4 and l.strip() else l
    lines = [tabs(l) for l in lines]
    docs = {}
    i = 0
    sig_re = re.compile(r'^([a-z][\w\s\*]*?\**\s*\**)(bpf_\w+)\((.*)\)$')
    while i < len(lines):
        m = sig_re.match(lines[i].strip()) if not lines[i].startswith('\t') else None
        if m and i + 1 < len(lines) and lines[i + 1].strip() == 'Description':
            name = m.group(2)
            sig = lines[i].strip()
            i += 2
            sections = {'Description': [], 'Return': []}
            cur = 'Description'
            while i < len(lines):
                t = lines[i]
                if t.strip() == 'Return' and not t.startswith('\t\t'):  # ' *\tReturn' or ' * \tReturn'
                    cur = 'Return'
                    i += 1
                    continue
                if t and not t.startswith('\t'):
                    break
                sections[cur].append(t[2:] if t.startswith('\t\t') else t.strip())
                i += 1
            docs[name] = (sig, paragraphs(sections['Description']), paragraphs(sections['Return']))
            continue
        i += 1
    return names, docs


def paragraphs(lines):
    """Joins wrapped lines into paragraphs; keeps indented blocks (lists, code) line by line."""
    out, para = [], []
    for l in lines + ['']:
        if not l.strip():
            if para:
                out.append(' '.join(para))
                para = []
            continue
        if l.startswith('\t') or l.startswith('  '):
            if para:
                out.append(' '.join(para))
                para = []
            out.append(l.rstrip().replace('\t', '    '))
        else:
            para.append(l.strip())
    return '\n\n'.join(p for p in out).strip()


def signature_nargs(sig):
    args = sig[sig.index('(') + 1:sig.rindex(')')].strip()
    return 0 if args in ('', 'void') else len(args.split(','))


ARG_KINDS = {
    # the kernel's base argument type -> ArgKind (core/helpers/helper_catalog.hpp)
    'ARG_ANYTHING': 'Anything',
    'ARG_CONST_MAP_PTR': 'MapPtr',
    'ARG_PTR_TO_MAP_KEY': 'MapKey',
    'ARG_PTR_TO_MAP_VALUE': 'MapValue',
    'ARG_PTR_TO_CTX': 'Ctx',
    'ARG_PTR_TO_MEM': 'Mem',
    'ARG_PTR_TO_UNINIT_MEM': 'Mem',
    'ARG_PTR_TO_FIXED_SIZE_MEM': 'FixedMem',
    'ARG_CONST_SIZE': 'Size',
    'ARG_CONST_SIZE_OR_ZERO': 'SizeOrZero',
    'ARG_CONST_ALLOC_SIZE_OR_ZERO': 'AllocSize',
    'ARG_PTR_TO_SPIN_LOCK': 'SpinLock',
    'ARG_PTR_TO_TIMER': 'Timer',
    'ARG_PTR_TO_FUNC': 'Func',
    'ARG_PTR_TO_STACK': 'Stack',
    'ARG_PTR_TO_CONST_STR': 'ConstStr',
    'ARG_PTR_TO_SOCK_COMMON': 'SockCommon',
    'ARG_PTR_TO_SOCKET': 'Socket',
    'ARG_PTR_TO_BTF_ID_SOCK_COMMON': 'SockCommon',
    'ARG_PTR_TO_BTF_ID': 'BtfId',
    'ARG_PTR_TO_PERCPU_BTF_ID': 'PercpuBtfId',
    'ARG_PTR_TO_RINGBUF_MEM': 'RingbufMem',
    'ARG_PTR_TO_DYNPTR': 'Dynptr',
    'ARG_KPTR_XCHG_DEST': 'KptrXchgDest',
    'ARG_PTR_TO_LONG': 'FixedMem',
    'ARG_PTR_TO_INT': 'FixedMem',
    'ARG_PTR_TO_ARENA': 'Arena',
}
RET_KINDS = {
    'RET_INTEGER': 'Integer',
    'RET_VOID': 'Void',
    'RET_PTR_TO_MAP_VALUE': 'MapValue',
    'RET_PTR_TO_MAP_VALUE_OR_NULL': 'MapValue',
    'RET_PTR_TO_SOCKET_OR_NULL': 'Socket',
    'RET_PTR_TO_TCP_SOCK_OR_NULL': 'TcpSock',
    'RET_PTR_TO_SOCK_COMMON_OR_NULL': 'SockCommon',
    'RET_PTR_TO_RINGBUF_MEM_OR_NULL': 'Mem',
    'RET_PTR_TO_MEM': 'Mem',
    'RET_PTR_TO_MEM_OR_NULL': 'Mem',
    'RET_PTR_TO_DYNPTR_MEM_OR_NULL': 'Mem',
    'RET_PTR_TO_MEM_OR_BTF_ID': 'MemOrBtfId',
    'RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL': 'MemOrBtfId',
    'RET_PTR_TO_BTF_ID': 'BtfId',
    'RET_PTR_TO_BTF_ID_OR_NULL': 'BtfId',
    'RET_PTR_TO_BTF_ID_TRUSTED': 'BtfId',
}


def arg_entry(token):
    """'ARG_PTR_TO_MEM|MEM_RDONLY[size=8]' -> C++ initializer of HelperArg."""
    if token in ('-', ''):
        return None
    extra = ''
    m = re.match(r'^(.*?)(\[(.*)\])?$', token)
    token, extra = m.group(1), m.group(3) or ''
    parts = token.split('|')
    base = [p for p in parts if p.startswith('ARG_')]
    flags = [p for p in parts if not p.startswith('ARG_')]
    if not base:
        raise SystemExit(f'{PROTOS}: no ARG_ in {token!r}')
    b = base[0]
    maybe_null = 'PTR_MAYBE_NULL' in flags or b.endswith('_OR_NULL')
    b = b.replace('_OR_NULL', '')
    kind = ARG_KINDS.get(b)
    if kind is None:
        raise SystemExit(f'{PROTOS}: unknown argument type {b}')
    access = 'Read'
    if b == 'ARG_PTR_TO_UNINIT_MEM' or 'MEM_UNINIT' in flags:
        access = 'Write'
    elif kind in ('Mem', 'FixedMem', 'MapValue', 'Stack') and 'MEM_RDONLY' not in flags and 'MEM_WRITE' in flags:
        access = 'ReadWrite'
    elif kind in ('Mem', 'Stack') and 'MEM_RDONLY' not in flags and b == 'ARG_PTR_TO_MEM':
        access = 'ReadWrite'
    size = 0
    sm = re.search(r'size=(\d+)', extra)
    if sm:
        size = int(sm.group(1))
    if b == 'ARG_PTR_TO_LONG':
        size, access = 8, 'Write'
    if b == 'ARG_PTR_TO_INT':
        size, access = 4, 'Write'
    btf = re.search(r'btf=(\w+)', extra)
    params = [f'A::{kind}']
    if access != 'Read' or size or btf:
        params.append({'Read': 'R', 'Write': 'W', 'ReadWrite': 'RW'}[access])
    if size or btf:
        params.append(str(size))
    if btf:
        params.append(f'"{btf.group(1)}"')
    out = f'arg({", ".join(params)})'
    if maybe_null:
        out = f'or_null({out})'
    if 'OBJ_RELEASE' in flags:
        out = f'released({out})'
    return out


def ret_entry(token):
    parts = token.split('|')
    base = [p for p in parts if p.startswith('RET_')]
    if not base:
        raise SystemExit(f'{PROTOS}: no RET_ in {token!r}')
    b = base[0]
    kind = RET_KINDS.get(b)
    if kind is None:
        raise SystemExit(f'{PROTOS}: unknown return type {b}')
    maybe_null = 'PTR_MAYBE_NULL' in parts or b.endswith('_OR_NULL')
    return kind, maybe_null


def parse_protos():
    """id -> list of variants (dict); the first line of an id is its main proto."""
    try:
        rows = [l.rstrip('\n').split('\t') for l in open(PROTOS) if l.strip()]
    except FileNotFoundError:
        return {}
    head = rows[0]
    out = {}
    for r in rows[1:]:
        r += ['-'] * (len(head) - len(r))
        d = dict(zip(head, r))
        if d['ret'] == 'REMOVED':
            continue
        out.setdefault(int(d['id']), []).append(d)
    return out


def parse_probe():
    variants = []  # (label, type, attach, sleepable, set or None)
    for l in open(PROBED):
        if l.startswith('#') or not l.strip():
            continue
        head, ids = l.split(':', 1)
        label, t, a, s = head.split()
        allowed = None if 'unprobed' in ids else {int(x) for x in ids.split()}
        variants.append((label, int(t), int(a), int(s), allowed))
    by_label = {v[0]: v for v in variants}
    for label, t, a, base, add, remove, _why in DERIVED:
        if by_label.get(label, (0, 0, 0, 0, None))[4] is not None:
            continue  # this kernel answered: keep its answer
        s = (set(by_label[base][4]) | set(add)) - set(remove)
        v = (label, t, a, 0, s)
        if label in by_label:
            variants[variants.index(by_label[label])] = v
        else:
            variants.append(v)
        by_label[label] = v
    for label, add, _why in CONFIG_ADDED:
        v = by_label[label]
        if v[4] is not None:
            variants[variants.index(v)] = (v[0], v[1], v[2], v[3], v[4] | set(add))
    return variants


def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def rule_rows(variants):
    """One row per program type (its first probed variant), plus one per attach type whose set
    differs from that row. Sleepable variants add nothing: the kernel decides those by proto flags.
    The exception is a type probed only sleepable: syscall programs must be sleepable ("Syscall
    programs can only be sleepable"), so their sleepable variant is their only row."""
    rows, default_of = [], {}
    has_plain = {t for _l, t, _a, s, allowed in variants if allowed is not None and not s}
    for label, t, a, s, allowed in variants:
        if allowed is None or (s and t in has_plain):
            continue
        if t not in default_of:
            default_of[t] = allowed
            rows.append((label, t, a, True, allowed))
        elif allowed != default_of[t]:
            rows.append((label, t, a, False, allowed))
    return rows


def enum_names(enum):
    """{number: 'Name'} for an enum class of core/loader/prog_types.hpp."""
    src = open('core/loader/prog_types.hpp').read()
    body = re.search(r'enum class ' + enum + r' : uint32_t \{(.*?)\};', src, re.S).group(1)
    return {int(v): n for n, v in re.findall(r'(\w+) = (\d+),', body)}


def words(ids):
    w = [0, 0, 0, 0]
    for i in ids:
        w[i // 64] |= 1 << (i % 64)
    return ', '.join(f'0x{x:016x}ull' for x in w)


def main():
    names, docs = parse_header()
    names += [NEWER[i][0] for i in sorted(NEWER) if i >= len(names)]
    if len(names) != HELPER_COUNT + 1:
        sys.exit(f'expected {HELPER_COUNT} helper names, found {len(names) - 1}')
    for i, (name, sig, desc, ret) in NEWER.items():
        docs.setdefault(name, (sig, desc, ret))
    protos = parse_protos()
    variants = parse_probe()
    rules = rule_rows(variants)

    data = ['// Generated by tools/helper_catalog/gen_helper_catalog.py from linux/bpf.h, the kernel\'s',
            '// struct bpf_func_proto definitions (kernel_protos.tsv) and the running kernel\'s answers',
            '// (kernel_prog_types.txt). Do not edit: change the inputs and run the script again.',
            '#include "core/helpers/helper_catalog.hpp"', '', 'namespace bpfplay::catalog_data {', '',
            'using A = ArgKind;', 'using Ret = RetKind;', '',
            '// Argument access: read, written (MEM_UNINIT), read and written.',
            'constexpr ArgAccess R = ArgAccess::Read, W = ArgAccess::Write, RW = ArgAccess::ReadWrite;', '',
            'constexpr HelperArg arg(ArgKind kind, ArgAccess access = R, uint16_t size = 0, const char* btf = nullptr) {',
            '    return {kind, access, false, false, size, btf};', '}',
            'constexpr HelperArg or_null(HelperArg a) {', '    a.maybe_null = true;', '    return a;', '}',
            'constexpr HelperArg released(HelperArg a) {', '    a.release = true;', '    return a;', '}', '']
    data.append('constexpr HelperProto kProtos[] = {')
    data.append('    {0, "bpf_unspec", 0, Ret::Integer, false, false, {}},')
    for i in range(1, HELPER_COUNT + 1):
        name = names[i]
        sig = docs.get(name, ('', '', ''))[0]
        nargs = signature_nargs(sig) if sig else 0
        variants_of = protos.get(i, [])
        if variants_of:
            p = variants_of[0]
            args = [arg_entry(p[f'arg{k}']) for k in range(1, 6)]
            nargs = max([k + 1 for k, a in enumerate(args) if a] or [0])
            rk, null = ret_entry(p['ret'])
            gpl = p['gpl_only'] == '1'
            arg_init = '{' + ', '.join(a or '{}' for a in args[:nargs]) + '}'
            data.append(f'    {{{i}, "{name}", {nargs}, Ret::{rk}, {str(null).lower()}, {str(gpl).lower()}, {arg_init}}},')
        else:
            data.append(f'    {{{i}, "{name}", {nargs}, Ret::Integer, false, false, {{}}}},  // proto not recorded')
    data.append('};')
    data.append(f'static_assert(std::size(kProtos) == {HELPER_COUNT + 1});')
    data.append('')
    data.append('// Which helpers a program type may call (bit i of the 256-bit set: helper id i), as the')
    data.append('// kernel\'s get_func_proto for that type answers. A type\'s first row is its default; further')
    data.append('// rows hold the attach types whose sets differ from it.')
    data.append('constexpr HelperRule kRules[] = {')
    types, attaches = enum_names('ProgType'), enum_names('AttachType')
    for label, t, a, default, allowed in rules:
        data.append(f'    {{ProgType::{types[t]}, AttachType::{attaches[a]}, {str(default).lower()}, "{label}",')
        data.append(f'     {{{words(allowed)}}}}},')
    data.append('};')
    data.append('')
    data.append('}  // namespace bpfplay::catalog_data')
    data.append('')
    data.append('namespace bpfplay {')
    data.append('std::span<const HelperProto> helper_protos() { return catalog_data::kProtos; }')
    data.append('std::span<const HelperRule> helper_rules() { return catalog_data::kRules; }')
    data.append('}  // namespace bpfplay')
    data.append('')
    open(OUT_DATA, 'w').write('\n'.join(data))

    d = ['// Generated by tools/helper_catalog/gen_helper_catalog.py from the helper documentation in',
         '// linux/bpf.h (Linux 6.1 uapi; 210-211 from Linux 6.2). Do not edit.',
         '#include "core/helpers/helper_catalog.hpp"', '', 'namespace bpfplay {', '', 'namespace {', '',
         'constexpr HelperDoc kDocs[] = {', '    {"", "", ""},']
    for i in range(1, HELPER_COUNT + 1):
        sig, desc, ret = docs.get(names[i], ('', '', ''))
        d.append(f'    {{{c_str(sig)},\n     {c_str(desc)},\n     {c_str(ret)}}},')
    d += ['};', f'static_assert(std::size(kDocs) == {HELPER_COUNT + 1});', '', '}  // namespace', '',
          'const HelperDoc& helper_doc(int32_t id) {',
          '    return id > 0 && size_t(id) < std::size(kDocs) ? kDocs[id] : kDocs[0];', '}', '',
          '}  // namespace bpfplay', '']
    open(OUT_DOCS, 'w').write('\n'.join(d))
    missing = [names[i] for i in range(1, HELPER_COUNT + 1) if names[i] not in docs]
    print(f'{OUT_DATA}: {HELPER_COUNT} helpers, {len(protos)} with protos, {len(rules)} rule rows')
    print(f'{OUT_DOCS}: {HELPER_COUNT - len(missing)} documented' + (f'; missing: {missing}' if missing else ''))


if __name__ == '__main__':
    main()
