import { describe, expect, it } from 'vitest';
import { decode, stateView } from './normalize';
import { kObjectSummary, kStopView } from './vm_types';

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

describe('normalize', () => {
  it('reads a debug state with 64-bit values intact', () => {
    const s = stateView(state);
    expect(s.status).toBe('exited');
    expect(s.r0).toBe(0xffffffffffffffffn);
    expect(s.regs[0]?.value).toBe(0x8000000000000001n);
    expect(s.regs[0]?.pointsTo).toBe('packet+14');
    expect(s.frames[0]?.framePointer).toBe(0x800000200n);
    expect([...(s.frames[0]?.stack ?? [])]).toEqual([0, 255]);
    const e = s.maps[0]?.entries[0];
    expect(e?.values.map((v) => [...v])).toEqual([[1], [2]]);
    expect(e?.valueTexts).toEqual(['1', '{"a":2}']);
    expect(e?.keyText).toBe('0');
    expect(s.perfEvents).toEqual([{ map: 'events', cpu: 1, data: '01020304', executed: 9, pc: 7 }]);
    expect(s.hostEvents).toEqual([{ executed: 3, pc: 2, helper: 'bpf_redirect',
      text: 'the packet goes to eth1 (ifindex 3) if the program returns XDP_REDIRECT' }]);
  });

  it("shows core's label for an entry and the map's summary when there are some", () => {
    const routes = { id: 1, name: 'routes', type: 'lpm_trie', key_size: 8, value_size: 4, max_entries: 16,
      key_type: 'struct route_key', value_type: '__u32', percpu: false, count: 1, summary: '', truncated: false,
      changed: false, entries: [{ key_hex: '180000000a010200', key: { prefixlen: 24, addr: 131338 }, label: '10.1.2.0/24',
        values_hex: ['02000000'], values: [2], changed: false }] };
    const fifo = { ...routes, id: 2, name: 'fifo', type: 'queue', key_size: 0, summary: '1 of 3 values, listed in pop order: first in, first out',
      entries: [{ key_hex: '', key: '', label: '#0 (front: popped next)', values_hex: ['d0070000'], values: [2000], changed: false }] };
    const s = stateView({ ...state, maps: [routes, fifo] });
    expect(s.maps[0]?.entries[0]?.keyText).toBe('10.1.2.0/24');
    expect(s.maps[0]?.entries[0]?.keyJson).toBe('{"prefixlen":24,"addr":131338}');  // still edited as the C key
    expect(s.maps[0]?.summary).toBe('');
    expect(s.maps[1]?.entries[0]?.keyText).toBe('#0 (front: popped next)');
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

describe('parseCoreJson', () => {
  it('keeps integers past 2^53 exact (as strings) and leaves strings and small numbers alone', async () => {
    const { parseCoreJson } = await import('./normalize');
    expect(parseCoreJson('{"a":18446744073709551615,"b":[-9223372036854775808,12],"c":"x:18446744073709551615,","d":1.5e300}'))
      .toEqual({ a: '18446744073709551615', b: ['-9223372036854775808', 12], c: 'x:18446744073709551615,', d: 1.5e300 });
    expect(parseCoreJson('{"s":"a\\"9007199254740993","n":9007199254740991}')).toEqual({ s: 'a"9007199254740993', n: 9007199254740991 });
  });
});
