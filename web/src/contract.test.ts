// The contract between core and the page: tests/contract/*.json are what core writes for each
// view (tests/contract/contract_test.cpp checks them against core's output), and here the page
// checks each against the view's schema (vm_types.ts) and decodes it as the page does. A field
// renamed in core or in a schema fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCoreJson, decode, mismatches } from './normalize';
import { cValueJson, cValueText } from './c_value_text';
import type { Field, Schema } from './view_schema';
import * as views from './vm_types';
import { kCoreDefaults, kErrorView, kExplainView, kListing, kStateView, kMapCommandView, kObjectSummary, kScenarioReport, kStopView, kStopsView, kTcpFlowReport, kVerdictView } from './vm_types';
import { hostDocument, hostFieldsOf } from './host_fields';
import { decodeLink } from './session_link';
import { networkJson, networkOf } from './host_network';

const core = (name: string): unknown =>
  parseCoreJson(readFileSync(new URL(`../../tests/contract/${name}`, import.meta.url), 'utf8'));

// A golden read through a view's schema: every key the schema declares is where core writes it,
// of the kind it says (mismatches lists what is not), then decoded as the page decodes it.
function read<S extends Schema>(schema: S, name: string) {
  const json = core(name);
  expect(mismatches(schema, json)).toEqual([]);
  return decode(schema, json);
}

const sampleError = {
  kind: 'runtime', what: 'out-of-bounds read of 4 bytes', hint: 'check data + 14 <= data_end first', pc: 7, address: 0x8000000f0n, line: 3,
  section: 'xdp', map: 'counts', source: 'prog.c:42',
  message: 'section "xdp", map "counts", line 3: out-of-bounds read of 4 bytes. check data + 14 <= data_end first',
};

// Each view the page decodes, with the golden core writes for it. A schema in vm_types.ts that
// no golden reaches (directly or nested) would be checked against nothing: the test below fails.
const kGoldens: readonly (readonly [Schema, string])[] = [
  [kErrorView, 'error.json'], [kStopView, 'stop.json'], [kStopsView, 'stops.json'], [kStateView, 'debug_state.json'],
  [kObjectSummary, 'object_summary.json'], [kListing, 'listing.json'], [kVerdictView, 'verdict.json'],
  [kExplainView, 'explain.json'], [kMapCommandView, 'map_command.json'], [kCoreDefaults, 'defaults.json'],
  [kScenarioReport, 'scenario_report.json'], [kTcpFlowReport, 'tcp_flow_report.json'],
];
// Written by wasm-bindings/bindings.cpp itself rather than by a core to_json with a golden.
const kBindingsOnly: readonly Schema[] = [views.kMapSetView, views.kObjectScripts];

function reachable(f: Field, into: Set<unknown>): void {
  if (typeof f !== 'object' || into.has(f)) return;
  into.add(f);
  for (const sub of Object.values(f)) if (typeof sub === 'object' && !Array.isArray(sub)) reachable(sub as Field, into);
}

describe('contract: every view schema against its golden', () => {
  it.each(kGoldens.map(([schema, file]) => [file, schema] as const))('%s has every key its schema declares', (file, schema) => {
    expect(mismatches(schema, core(file))).toEqual([]);
  });
  it('leaves no schema of vm_types.ts unchecked', () => {
    const checked = new Set<unknown>(kBindingsOnly);
    for (const [schema] of kGoldens) reachable(schema, checked);
    const schemas = Object.entries(views).filter(([name, v]) => /^k[A-Z]/.test(name) && typeof v === 'object');
    expect(schemas.length).toBeGreaterThan(20);
    expect(schemas.filter(([, v]) => !checked.has(v)).map(([name]) => name)).toEqual([]);
  });
});

describe('contract: core\'s views as the page decodes them', () => {
  it('reads an error', () => {
    expect(read(kErrorView, 'error.json')).toEqual(sampleError);
  });

  it('reads a stop', () => {
    expect(read(kStopView, 'stop.json')).toEqual({ reason: 'breakpoint', id: 2, steps: 17n, fast: true, fast_insns: 15n });
  });

  it('reads every field of the debug state', () => {
    const s = read(kStateView, 'debug_state.json');
    expect(s.program).toBe('xdp_prog');
    expect(s.timer).toBe('timer in map timers, key 00000000');
    expect(s.pc).toBe(5);
    expect(s.status).toBe('exited');
    expect(s.executed).toBe(12);
    expect(s.history_start).toBe(2);
    expect(s.stop_reason).toBe('exit');
    expect(s.fault).toEqual(sampleError);
    expect(s.fault_explanation).toBe('the read goes past data_end');
    expect(s.return).toBe(0xffffffffffffffffn);
    expect(s.return_name).toBe('XDP_DROP');
    expect(s.regs).toHaveLength(11);
    expect(s.regs[1]).toEqual({ value: 0x8000000000000001n, kind: 'packet', points_to: 'packet+14', changed: true });
    expect(s.regs[10]).toEqual({ value: 0x800000200n, kind: 'stack', points_to: 'fp-0 (frame 0)', changed: false });
    expect(s.checker).toEqual({ on_path: true, path_index: 1, path_length: 2, at_failure: true,
      message: 'invalid access to packet, off=100 size=1, R1(id=0,off=100,r=0)', kept: true, frame: 1,
      regs: ['', 'pkt(r=0)', '', '', '', '', '', '', '', '', 'fp0'] });
    expect(s.source).toEqual({ file: 'prog.c', line: 3, text: 'return XDP_DROP;' });
    expect(s.frames).toHaveLength(1);
    const f = s.frames[0];
    expect(f?.depth).toBe(1);
    expect(f?.function).toBe('describe');
    expect(f?.callback).toBe('bpf_loop: call 3 of 16');
    expect(f?.pc).toBe(58);
    expect(f?.source).toEqual({ file: 'prog.c', line: 52, text: 'info->sport = sport;' });
    expect(f?.fp).toBe(0x800000400n);
    expect([...(f?.stack ?? [])]).toEqual([0, 255]);
    expect(f?.changed).toEqual([1]);
    expect([...s.packet]).toEqual([0xaa, 0xbb]);
    expect(s.packet_changed).toEqual([0]);
    expect([...s.context]).toEqual([0x10, 0x20]);
    expect(s.context_struct).toBe('xdp_md');
    expect(s.context_fields).toEqual([
      { name: 'data', offset: 0, size: 4, kind: 'packet_start', about: "the packet's first byte" },
      { name: 'ingress_ifindex', offset: 12, size: 4, kind: 'value', about: 'the ifindex of the device the packet arrived on' },
    ]);
    const m = s.maps[0];
    expect(m).toMatchObject({
      id: 3, name: 'stats', type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 16, key_type: '__u32',
      value_type: 'struct stat', percpu: true, count: 1, summary: '1 of 16 slots used', occupancy: '1 entry', user_update: true, truncated: true, changed: true,
    });
    const e = m?.entries[0];
    expect([...(e?.key_hex ?? [])]).toEqual([2, 0, 0, 0]);
    expect(e?.values_hex.map((v) => [...v])).toEqual([[1, 0, 0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0, 0]]);
    expect(e?.label).toBe('slot 2');
    expect(cValueJson(e?.key)).toBe('2');
    // A u64 past 2^53 stays exact: parseCoreJson keeps its digits.
    expect(e?.values.map(cValueText)).toEqual(['{"packets":1}', '{"packets":"18446744073709551615"}']);
    expect(e?.values.map(cValueJson)).toEqual(['{"packets":1}', '{"packets":"18446744073709551615"}']);
    expect(e?.changed).toBe(true);
    expect(s.printk).toEqual(['hello 42\n']);
    expect(s.events).toEqual(['abcd']);
    expect(s.perf_events).toEqual([{ map: 'events', cpu: 1, data: '01020304', executed: 9, pc: 7 }]);
    expect(s.host_events).toEqual([{ executed: 3, pc: 2, helper: 'bpf_redirect', text: 'the packet goes to eth1 (ifindex 3)' }]);
    expect(s.timers).toHaveLength(1);
    const t = s.timers[0];
    expect(t?.map).toBe('timers');
    expect([...(t?.key ?? [])]).toEqual([0, 0, 0, 0]);
    expect(t?.armed).toBe(true);
    expect(t?.due).toBe(true);
    expect(t?.expires_ns).toBe(18446744073709551615n);
    expect(t?.callback).toBe(40);
    expect(s.clock_ns).toBe(18446744073709551614n);
  });

  it("reads an object's summary: programs, their status and load errors, maps", () => {
    const o = read(kObjectSummary, 'object_summary.json');
    expect(o.entry_program).toBe('count_packets');
    expect(o.programs.map((p) => [p.name, p.section, p.type, p.context, p.runnable])).toEqual([
      ['count_packets', 'xdp', 'xdp', 'xdp_md', true],
      ['signal_opener', 'fentry/do_sys_openat2', 'tracing', 'raw memory', false],
      ['redirect_socket', 'socket', 'socket_filter', '__sk_buff', false],
    ]);
    expect(o.programs[0]?.status).toBe('runnable');
    expect(o.programs.every((p) => p.type_known)).toBe(true);
    expect(o.programs[0]?.load_error).toBeUndefined();
    // An fentry program's context by argument name (do_sys_openat2's prototype), with defaults.
    expect(o.programs[0]?.args).toBeUndefined();
    expect(o.programs[1]?.args_of).toBe('do_sys_openat2');
    expect(o.programs[1]?.args).toEqual([
      { name: 'dfd', type: 'int', offset: 0, width: 8, kind: '', value: 0n, text: '0', pointer: false, signed: true, size: 4, register: '' },
      { name: 'filename', type: 'const char *', offset: 8, width: 8, kind: '', value: 0n, text: 'NULL', pointer: true, signed: false, size: 8, register: '' },
      { name: 'how', type: 'struct open_how *', offset: 16, width: 8, kind: '', value: 0n, text: 'NULL', pointer: true, signed: false, size: 8, register: '' },
    ]);
    const refused = o.programs[2];
    expect(refused?.status).toMatch(/^cannot run: insn 2 \(\.\/tests\/loader\/fixtures\/refused_sibling\.c:36\): /);
    expect(refused?.load_error).toMatchObject({
      kind: 'verify', what: 'program of type socket_filter cannot use helper bpf_redirect#23', pc: 2, section: 'socket',
      source: './tests/loader/fixtures/refused_sibling.c:36',
    });
    expect(refused?.load_error?.hint).not.toBe('');
    expect(refused?.load_error?.message).toContain('bpf_redirect#23');
    expect(o.maps).toEqual([{ id: 0, name: 'counts', type: 'array', key_size: 4, value_size: 8, max_entries: 1,
      key_type: '__u32', value_type: '__u64' }]);
  });

  it("reads a program's listing: functions, second slots and source lines", () => {
    const l = read(kListing, 'listing.json').insns;
    expect(l[0]).toEqual({ pc: 0, text: 'w1 = 0', line: 16,
      file: './tests/loader/fixtures/refused_sibling.c', source: 'int count_packets(struct xdp_md *ctx)', function: 'count_packets' });
    expect(l[5]).toEqual({ pc: 5, text: '', second_slot: true });
    expect(l[6]?.text).toBe('call 1 ; bpf_map_lookup_elem');
    // The function is named where it starts.
    expect(l.flatMap((x) => x.function ?? [])).toEqual(['count_packets']);
  });

  it("reads the verifier's verdict: the instruction, the kernel's message, why, the fix, the C line, the path", () => {
    const v = read(kVerdictView, 'verdict.json');
    expect(v).toMatchObject({ program: 'oob_read', verdict: 'refuse', insn: 1, processed: 2, path: [0, 1],
      message: 'invalid access to packet, off=100 size=1, R1(id=0,off=100,r=0)' });
    expect(v.source).toMatchObject({ line: 12, text: '\treturn data[100] == 0x45 ? XDP_DROP : XDP_PASS;  // no check against data_end' });
    expect(v.why).toMatch(/data_end/);
    expect(v.fix).toMatch(/^Before reading, check/);
    // The checker's registers before each path entry, in the kernel log's notation.
    expect(v.path_states_from).toBe(0);
    expect(v.path_states?.map((p) => [p.kept, p.frame, p.regs[1], p.regs[10]])).toEqual([[true, 0, 'ctx()', 'fp0'], [true, 0, 'pkt(r=0)', 'fp0']]);
  });

  it("reads a map command's answer (bpf(2)'s lookup_batch from user space)", () => {
    expect(read(kMapCommandView, 'map_command.json')).toEqual({
      ret: -2, errno: '-ENOENT', changed: false,
      lines: ['lookup_batch: -ENOENT (no such entry; or the end of the walk)', 'count: 1  out_batch: 00000000',
        'key: 00 00 00 00  value: 00 00 00 00 00 00 00 00'],
    });
  });

  it('reads a session link as core decodes it', async () => {
    const golden = readFileSync(new URL('../../tests/contract/share_link.json', import.meta.url), 'utf8');
    const codec = { decode: async () => `{"ok":true,"link":${golden}}`, encode: async () => '' };
    expect(await decodeLink('#z=x', codec)).toEqual({
      source: { kind: 'object', name: 'prog.o', bytes: Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]), c: 'int x;\n' },
      program: 'xdp_prog', packet: Uint8Array.from([1, 2]), ctx: Uint8Array.from([3]),
      host: { pid: '7', hostJson: '{}' },
      breakpoints: [{ pc: 4, condition: '' }, { pc: 9, condition: 'r1 == 0' }], lesson: '01_return',
    });
  });

  it('reads an instruction explained, a helper call with its arguments', () => {
    const e = read(kExplainView, 'explain.json');
    expect(e).toMatchObject({ pc: 6, text: 'call 1', class: 'jmp', valid: true, current: true,
      values: 'r1 = map counts, r2 = fp-4 (frame 0)' });
    expect(e.summary).toMatch(/^call the kernel helper bpf_map_lookup_elem \(#1\): /);
    expect(e.details).toHaveLength(2);
    expect(e.helper).toMatchObject({ id: 1, name: 'bpf_map_lookup_elem', ret_kind: 'map_value', gpl_only: false,
      returns: 'Map value associated to key, or NULL if no entry was found.' });
    expect(e.helper?.args).toEqual([
      { reg: 'r1', name: 'map', type: 'struct bpf_map *', kind: 'map',
        meaning: 'the map (an lddw of the map loads its address)', value: 'map counts' },
      { reg: 'r2', name: 'key', type: 'const void *', kind: 'map_key',
        meaning: "a pointer to a key: the map's key_size bytes", value: 'fp-4 (frame 0): 00 00 00 00' },
    ]);
  });

  it('reads the breakpoints and watchpoints', () => {
    expect(read(kStopsView, 'stops.json')).toEqual({
      breakpoints: [{ id: 1, pc: 3, condition: 'r1 == 0', hits: 0 }],
      watchpoints: [{ id: 2, label: 'fp-8 of frame 0 (8 bytes)', address: 0x8000001f8n, length: 8, hits: 0 }],
    });
  });

  it("reads core's default host network", () => {
    const text = readFileSync(new URL('../../tests/contract/host.json', import.meta.url), 'utf8');
    const net = networkOf(text);
    expect(net.devices.map((d) => d['name'])).toEqual(['lo', 'eth0', 'eth1']);
    expect(net.ingress_ifindex).toBe(1);
    expect(net.rx_queue_index).toBe(0);
    expect(net.sockets.map((s) => s['local_port'])).toEqual([80, 8080, 53]);
    expect(net.routes).toHaveLength(2);
    expect(net.neighbours).toHaveLength(3);
  });
});

// The page keeps no copy of core's defaults (core/debugger/page_defaults.hpp): it reads them.
describe("contract: core's defaults and the Host tab's fields", () => {
  const hostText = readFileSync(new URL('../../tests/contract/host.json', import.meta.url), 'utf8');
  it('decodes the enumerations', () => {
    const d = read(kCoreDefaults, 'defaults.json');
    expect(d.tcp_states.slice(0, 2)).toEqual(['established', 'syn_sent']);
    expect(d.tcp_states).toContain('listen');
    expect(d.prog_types).toContain('xdp');
    expect(d.map_types).toContain('percpu_array');
  });
  it("gives the Host tab the state a socket takes by protocol, and the dialog the sections to paste under", () => {
    const d = read(kCoreDefaults, 'defaults.json');
    expect(d.socket_protocols).toEqual([
      { name: 'tcp', has_state: true, listening_state: 'listen', connected_state: 'established' },
      { name: 'udp', has_state: false, listening_state: '', connected_state: '' },
    ]);
    expect(d.assembly_sections).toEqual([
      { section: '', type: 'unspec', context: 'raw memory' },
      { section: 'xdp', type: 'xdp', context: 'xdp_md' },
      { section: 'tc', type: 'sched_cls', context: '__sk_buff' },
      { section: 'socket', type: 'socket_filter', context: '__sk_buff' },
      { section: 'kprobe/x', type: 'kprobe', context: 'pt_regs' },
    ]);
  });
  it("finds every Host tab field in core's host document", () => {
    expect(hostFieldsOf(hostText)).toEqual({
      comm: 'bpfplay-demo', pid: '4242', tgid: '4242', uid: '1000', gid: '1000', cpu: '0', ncpus: '4',
      clockStartNs: '1000000000', prandomSeed: '1',
    });
  });
  it('writes the fields where core reads them, 64-bit numbers as exact digits', () => {
    const doc = JSON.parse(hostDocument({ pid: '7', comm: 'nginx', cpu: ' 1 ', clockStartNs: '18446744073709551615', uid: 'x1', hostJson: networkJson(networkOf(hostText)) })) as Record<string, unknown>;
    expect(doc['task']).toEqual({ pid: 7, comm: 'nginx', uid: 'x1' });
    expect(doc['cpu']).toBe(1);
    expect(doc['clock_start_ns']).toBe('18446744073709551615');
    expect(doc['ncpus']).toBeUndefined();
    expect((doc['devices'] as unknown[]).length).toBe(3);
  });
});

// Every method the page declares is bound in wasm-bindings/bindings.cpp, and every bound method
// is declared: a method missing on one side would fail only at run time in the browser.
// (Names only: an argument's type or count is not compared.)
describe('contract: bpfplay.d.mts and the Embind bindings', () => {
  const bindings = readFileSync(new URL('../../wasm-bindings/bindings.cpp', import.meta.url), 'utf8');
  const dts = readFileSync(new URL('./wasm_types/bpfplay.d.mts', import.meta.url), 'utf8').replace(/\/\/.*$/gm, '');
  const bound = (kind: string): string[] =>
    [...bindings.matchAll(new RegExp(`\\.${kind}\\("([A-Za-z_0-9]+)"`, 'g'))].map((m) => m[1] ?? '').sort();
  const body = (name: string): string => dts.match(new RegExp(`${name}[^{]*\\{([^}]*)\\}`))?.[1] ?? '';
  const declared = (text: string): string[] =>
    [...text.matchAll(/^\s*([A-Za-z_0-9]+)\s*\(/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'delete').sort();

  it('declares exactly the bound instance methods', () => {
    expect(bound('function').length).toBeGreaterThan(10);
    expect(declared(body('export interface Playground '))).toEqual(bound('function'));
  });

  it('declares exactly the bound class functions', () => {
    const members = body('Playground: ').split(';').map((s) => s.trim().match(/^([A-Za-z_0-9]+)\s*\(/)?.[1])
      .filter((n): n is string => n !== undefined);
    // `new (): Playground` is the constructor Embind binds with .constructor<>().
    expect(members.includes('new')).toBe(/\.constructor<>\(\)/.test(bindings));
    expect(members.filter((n) => n !== 'new').sort()).toEqual(bound('class_function'));
  });
});
