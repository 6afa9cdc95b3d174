#!/usr/bin/env python3
"""Regenerates core/helpers/kernel_helper_names.cpp from the installed uapi header.

Run from the repository root: python3 tools/gen_helper_names.py
"""
import re

src = open('/usr/include/linux/bpf.h').read()
mapper = re.search(r'#define __BPF_FUNC_MAPPER\(FN\)(.*?)\n\n', src, re.S).group(1)
names = re.findall(r'FN\((\w+)\)', mapper)
out = ['// Generated from /usr/include/linux/bpf.h (Linux 6.1 uapi, __BPF_FUNC_MAPPER) by tools/gen_helper_names.py.',
       '// The index is the helper id; the kernel names them bpf_<name>.',
       '#include "core/helpers/kernel_helper_names.hpp"', '', 'namespace bpfplay {', '',
       'namespace {', 'constexpr const char* kNames[] = {']
out += [f'    "bpf_{n}",  // {i}' for i, n in enumerate(names)]
out += ['};', '}  // namespace', '',
        'const char* kernel_helper_name(int64_t id) {',
        '    if (id <= 0 || id >= int64_t(sizeof kNames / sizeof kNames[0])) return nullptr;',
        '    return kNames[id];', '}', '', '}  // namespace bpfplay', '']
open('core/helpers/kernel_helper_names.cpp', 'w').write('\n'.join(out))
