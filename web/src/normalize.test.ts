import { describe, expect, it } from 'vitest';
import { decode, mismatches } from './normalize';
import { cValueJson, cValueText, entryKeyText } from './c_value_text';
import { kObjectSummary, kStateView, kStopView } from './vm_types';

// Shapes as core/debugger/debug_json.hpp documents them.
const state = {
  program: 'xdp_prog', pc: 5, status: 'exited', executed: 12, history_start: 0, journal_bytes: 100,
  stop_reason: 'exit', fault: null, fault_explanation: '', return: '0xffffffffffffffff', return_name: 'XDP_DROP',
  regs: [{ name: 'r0', value: '0x8000000000000001', kind: 'packet', points_to: 'packet+14', offset: 14, changed: true }],
  source: { file: 'a.c', line: 3, column: 1, text: 'return 1;' },
  frames: [{ depth: 0, function: 'xdp_prog', pc: 5, source: { file: 'a.c', line: 3, column: 1, text: '' }, fp: '0x800000200', stack: '00ff', changed: [1] }],
  packet: 'aabb', packet_changed: [0], context: '',
  maps: [{ id: 0, name: 'm', type: 'percpu_array', key_size: 4, value_size: 1, max_entries: 1, key_type: 'u32', value_type: 'u8',
    percpu: true, count: 1, truncated: false, changed: true,
    entries: [{ key_hex: '00000000', key: 0, values_hex: ['01', '02'], values: [1, { a: 2 }], changed: true }] }],
  printk: ['hi\n'], events: ['abcd'],
  perf_events: [{ map: 'events', cpu: 1, data: '01020304', executed: 9, pc: 7 }],
  host_events: [{ executed: 3, pc: 2, helper: 'bpf_redirect', text: 'the packet goes to eth1 (ifindex 3) if the program returns XDP_REDIRECT' }],
};

describe('decode', () => {
  it('reads a debug state with 64-bit values intact', () => {
    const s = decode(kStateView, state);
    expect(s.status).toBe('exited');
    expect(s.return).toBe(0xffffffffffffffffn);
    expect(s.regs[0]?.value).toBe(0x8000000000000001n);
    expect(s.regs[0]?.points_to).toBe('packet+14');
    expect(s.frames[0]?.fp).toBe(0x800000200n);
    expect([...(s.frames[0]?.stack ?? [])]).toEqual([0, 255]);
    const e = s.maps[0]?.entries[0];
    expect(e?.values_hex.map((v) => [...v])).toEqual([[1], [2]]);
    expect(e?.values.map(cValueText)).toEqual(['1', '{"a":2}']);
    expect(e && entryKeyText(e)).toBe('0');
    expect(s.perf_events).toEqual([{ map: 'events', cpu: 1, data: '01020304', executed: 9, pc: 7 }]);
    expect(s.host_events).toEqual([{ executed: 3, pc: 2, helper: 'bpf_redirect',
      text: 'the packet goes to eth1 (ifindex 3) if the program returns XDP_REDIRECT' }]);
  });

  it("shows core's label for an entry and the map's summary when there are some", () => {
    const routes = { id: 1, name: 'routes', type: 'lpm_trie', key_size: 8, value_size: 4, max_entries: 16,
      key_type: 'struct route_key', value_type: '__u32', percpu: false, count: 1, summary: '', truncated: false,
      changed: false, entries: [{ key_hex: '180000000a010200', key: { prefixlen: 24, addr: 131338 }, label: '10.1.2.0/24',
        values_hex: ['02000000'], values: [2], changed: false }] };
    const fifo = { ...routes, id: 2, name: 'fifo', type: 'queue', key_size: 0, summary: '1 of 3 values, listed in pop order: first in, first out',
      entries: [{ key_hex: '', key: '', label: '#0 (front: popped next)', values_hex: ['d0070000'], values: [2000], changed: false }] };
    const s = decode(kStateView, { ...state, maps: [routes, fifo] });
    const [route, queued] = [s.maps[0]?.entries[0], s.maps[1]?.entries[0]];
    expect(route && entryKeyText(route)).toBe('10.1.2.0/24');
    expect(cValueJson(route?.key)).toBe('{"prefixlen":24,"addr":131338}');  // still edited as the C key
    expect(s.maps[0]?.summary).toBe('');
    expect(queued && entryKeyText(queued)).toBe('#0 (front: popped next)');
    expect(s.maps[1]?.summary).toBe('1 of 3 values, listed in pop order: first in, first out');
  });

  it('reads each program\'s status and load error from the object summary', () => {
    // Trimmed from `bpfvm info --json tests/loader/fixtures/refused_sibling.o` (object_info_json).
    const o = decode(kObjectSummary, {
      object: 'refused_sibling', loads: true, entry_program: 'count_packets',
      programs: [
        { name: 'count_packets', section: 'xdp', type: 'xdp', type_known: true, context: 'xdp_md', runnable: true, status: 'runnable' },
        { name: 'redirect_socket', section: 'socket', type: 'socket_filter', type_known: true, context: '__sk_buff', runnable: false,
          status: 'cannot run: insn 2 (./tests/loader/fixtures/refused_sibling.c:36): program of type socket_filter cannot use helper bpf_redirect#23. The kernel\'s verifier refuses the call.',
          load_error: { kind: 'verify', what: 'program of type socket_filter cannot use helper bpf_redirect#23',
            hint: 'The kernel\'s verifier refuses the call.', pc: 2, section: 'socket',
            source: './tests/loader/fixtures/refused_sibling.c:36', message: 'section "socket", insn 2 (...)' } },
      ],
      maps: [{ id: 0, name: 'counts', type: 'array', key_size: 4, value_size: 8, max_entries: 1, created: true }],
    });
    expect(o.entry_program).toBe('count_packets');
    expect(o.programs[0]?.runnable).toBe(true);
    expect(o.programs[0]?.load_error).toBeUndefined();
    const refused = o.programs[1];
    expect(refused?.runnable).toBe(false);
    expect(refused?.status).toMatch(/^cannot run: insn 2 /);
    expect(refused?.load_error).toEqual({
      kind: 'verify', what: 'program of type socket_filter cannot use helper bpf_redirect#23',
      hint: 'The kernel\'s verifier refuses the call.', pc: 2, section: 'socket',
      source: './tests/loader/fixtures/refused_sibling.c:36', message: 'section "socket", insn 2 (...)',
    });
  });

  it('reads stop info with a string step count', () => {
    expect(decode(kStopView, { reason: 'breakpoint', id: 2, steps: '17', fast: false, fast_insns: '0' }))
      .toEqual({ reason: 'breakpoint', id: 2, steps: 17n, fast: false, fast_insns: 0n });
  });
});

describe('mismatches: a schema checked against what core writes', () => {
  const schema = { id: 'number', addr: 'u64', data: 'bytes', kind: { oneOf: ['a', 'b'] }, note: { opt: 'string' } } as const;
  it('is empty when every declared key is there, of its kind (keys core writes beyond it are allowed)', () => {
    expect(mismatches(schema, { id: 1, addr: '0xffffffffffffffff', data: '00ff', kind: 'a', extra: true })).toEqual([]);
    expect(mismatches(schema, { id: 1, addr: '18446744073709551615', data: '', kind: 'b', note: 'x' })).toEqual([]);
  });
  it('names a key renamed on one side, a value of another kind, a name outside its list', () => {
    expect(mismatches(schema, { ID: 1, addr: 5, data: '0g', kind: 'c', note: 3 })).toEqual([
      '$.id: core does not write it',
      '$.data: not hex bytes, got "0g"',
      '$.kind: not one of a, b, got "c"',
      '$.note: not a string, got 3',
    ]);
    expect(mismatches({ regs: { list: { value: 'u64' } } }, { regs: [{ value: '0x1' }, { value: 'one' }] }))
      .toEqual(['$.regs[1].value: not a u64, got "one"']);
  });
  it('decodes no key the schema does not declare and invents none it lacks', () => {
    expect(decode(schema, { id: 1, addr: '0x10', data: '0102', kind: 'a', extra: true }))
      .toEqual({ id: 1, addr: 16n, data: Uint8Array.of(1, 2), kind: 'a' });
  });
});

describe('parseCoreJson', () => {
  it('keeps integers past 2^53 exact (as strings) and leaves strings and small numbers alone', async () => {
    const { parseCoreJson } = await import('./normalize');
    expect(parseCoreJson('{"a":18446744073709551615,"b":[-9223372036854775808,12],"c":"x:18446744073709551615,","d":1.5e300}'))
      .toEqual({ a: '18446744073709551615', b: ['-9223372036854775808', 12], c: 'x:18446744073709551615,', d: 1.5e300 });
    expect(parseCoreJson('{"s":"a\\"9007199254740993","n":9007199254740991}')).toEqual({ s: 'a"9007199254740993', n: 9007199254740991 });
  });
});
