// The compile service's security rules (tools/compile_service/policy.mjs), without clang:
// node --test tests/compile_service/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHost, checkOrigin, checkPreprocessed, checkSource, parseDiagnostics, safeName } from '../../tools/compile_service/policy.mjs';

const lines = (src) => checkSource(src).map((d) => d.line);

test('Host: only localhost or 127.0.0.1 on the service\'s or the page\'s port', () => {
  assert.equal(checkHost('localhost:8080', [8089, 8080]), undefined);
  assert.equal(checkHost('127.0.0.1:8089', [8089, 8080]), undefined);
  assert.match(checkHost('evil.example:8080', [8089, 8080]), /not this service/);  // DNS rebinding
  assert.match(checkHost('localhost:9999', [8089, 8080]), /not this service/);
  assert.match(checkHost('localhost', [8089]), /not this service/);
  assert.match(checkHost(undefined, [8089]), /no Host/);
});

test('Origin: absent (not a browser) or the page\'s own', () => {
  assert.equal(checkOrigin(undefined, [8080]), undefined);
  assert.equal(checkOrigin('http://localhost:8080', [8080]), undefined);
  assert.equal(checkOrigin('http://127.0.0.1:8080', [8080]), undefined);
  assert.match(checkOrigin('http://evil.example', [8080]), /not the playground's page/);
  assert.match(checkOrigin('https://localhost:8080', [8080]), /not the playground's page/);
  assert.match(checkOrigin('http://localhost:8081', [8080]), /not the playground's page/);
  assert.match(checkOrigin('null', [8080]), /not the playground's page/);
});

test('the shipped headers pass; absolute paths, "..", computed names are refused on their line', () => {
  assert.deepEqual(checkSource('#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include "bpf/bpf_endian.h"\nint x;\n'), []);
  assert.deepEqual(lines('int a;\n#include "/etc/passwd"\n'), [2]);
  assert.deepEqual(lines('#include <linux/../../../etc/shadow>\n'), [1]);
  assert.deepEqual(lines('#define F "/etc/passwd"\n#include F\n'), [2]);
  assert.deepEqual(lines('#include_next </etc/x>\n#import "../y"\n'), [1, 2]);
  assert.deepEqual(lines('#if __has_include("/etc/passwd")\n#endif\n#if __has_include_next(<../x>)\n#endif\n'), [1, 3]);
  const d = checkSource('#include "/etc/passwd"')[0];
  assert.equal(d.severity, 'error');
  assert.match(d.message, /absolute path/);
});

test('spellings the preprocessor accepts are seen too: continuations, digraphs, comments', () => {
  assert.deepEqual(lines('int a;\n#inc\\\nlude "/etc/passwd"\n'), [2]);
  assert.deepEqual(lines('%:include "/etc/passwd"\n'), [1]);
  assert.deepEqual(lines('  #  /* c */ include /* c */ "/etc/passwd"\n'), [1]);
  assert.deepEqual(lines('// #include "/etc/passwd"\n/* #include "/etc/passwd" */\n'), []);
});

test('#line, GNU line markers, #embed, pragma dependency and .incbin are refused', () => {
  assert.deepEqual(lines('#line 1 "/etc/passwd"\n# 7 "/etc/passwd"\n#embed "/etc/passwd"\n#pragma GCC dependency "/etc/passwd"\n'), [1, 2, 3, 4]);
  assert.deepEqual(lines('int f(void) {\n  asm volatile(".incbin \\"/etc/passwd\\"");\n  return 0;\n}\n'), [2]);
  assert.match(checkSource('x'.repeat(70 * 1024))[0].message, /larger than 64 KiB/);
  assert.deepEqual(lines('// no .incbin here, only in a comment\nint x;\n'), []);
});

test('the preprocessed text: .incbin built by pasting or escapes, directives in asm, are refused', () => {
  assert.match(checkPreprocessed('int f() { asm volatile(".inc" "\\x62in \\"/etc/passwd\\""); }'), /incbin/);
  assert.match(checkPreprocessed('char c = \'"\'; asm volatile(".irp a,b\\n.endr");'), /directives/);
  assert.match(checkPreprocessed('__asm__ __volatile__ ("\\056include \\"x.s\\"");'), /directives/);
  // What libbpf's headers and the examples use is fine: asm labels, barriers, BPF instructions.
  assert.equal(checkPreprocessed('unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");\n'
    + 'asm volatile("" ::: "memory"); asm volatile("r0 = 0; exit"); bpf_printk("a.b %d", 1);'), undefined);
});

test('clang\'s diagnostics of the source become line, column, severity, message', () => {
  const stderr = 'prog.c:12:5: error: use of undeclared identifier \'x\'\n    x = 1;\n    ^\n'
    + '/usr/include/bpf/bpf_helpers.h:3:1: warning: in a header\nprog.c:3:10: fatal error: \'nope.h\' file not found\n'
    + 'prog.c:4:1: warning: unused [-Wunused]\n';
  assert.deepEqual(parseDiagnostics(stderr, 'prog.c'), [
    { line: 12, column: 5, severity: 'error', message: 'use of undeclared identifier \'x\'' },
    { line: 3, column: 10, severity: 'error', message: '\'nope.h\' file not found' },
    { line: 4, column: 1, severity: 'warning', message: 'unused [-Wunused]' },
  ]);
  assert.equal(safeName('my_prog.c'), 'my_prog');
  assert.equal(safeName('../../etc/x'), 'prog');
});
