// The host scripts through the real wasm module (BPFPLAY_WASM_DIR, or build-wasm/wasm-bindings;
// skipped when it is not built): what the page's worker calls, with core's default scripts.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BpfplayModule, Playground } from '@bpfplay/wasm/bpfplay.mjs';
import { decode, parseCoreJson } from './normalize';
import { scenarioLines, tcpFlowCells } from './host_scripts';
import { kScenarioReport, kTcpFlowReport } from './vm_types';

const root = new URL('../../', import.meta.url);
const dir = process.env['BPFPLAY_WASM_DIR'] ?? new URL('build-wasm/wasm-bindings', root).pathname;
const built = existsSync(`${dir}/bpfplay.mjs`) && existsSync(`${dir}/bpfplay.wasm`);

type Reply = { ok: boolean; error?: { what: string }; report?: unknown; scripts?: { scenario: boolean; tcp_flow: boolean } };

describe.skipIf(!built)('host scripts in the wasm module', async () => {
  const create = built ? (await import(/* @vite-ignore */ pathToFileURL(`${dir}/bpfplay.mjs`).href)).default as
    (o: { wasmBinary: Uint8Array }) => Promise<BpfplayModule> : undefined;
  const m = await create?.({ wasmBinary: readFileSync(`${dir}/bpfplay.wasm`) });
  const module = m as BpfplayModule;
  const host = m?.Playground.default_host_json() ?? '';
  const open = (example: string): { p: Playground; loaded: Reply } => {
    const p = new module.Playground();
    const loaded = JSON.parse(p.load_object(readFileSync(new URL(`public/examples/${example}`, root)), example, host)) as Reply;
    return { p, loaded };
  };

  it("plays core's default scenario through bootstrap.o, the same stream each time", () => {
    const { p, loaded } = open('bootstrap.o');
    expect(loaded.scripts).toEqual({ scenario: true, tcp_flow: false });
    const play = (): string[] => {
      const r = parseCoreJson(p.play_scenario(module.Playground.default_scenario_json())) as Reply;
      expect(r.ok).toBe(true);
      return scenarioLines(decode(kScenarioReport, r.report)).map((l) => `${l.tag} ${l.text}`);
    };
    // The wasm module's stream is the native build's (the contract's first nine events).
    const native = decode(kScenarioReport, parseCoreJson(readFileSync(new URL('tests/contract/scenario_report.json', root), 'utf8')));
    const first = play();
    expect(first).toEqual(scenarioLines({ events: native.events.slice(0, 9) }).map((l) => `${l.tag} ${l.text}`));
    expect(first.filter((l) => !l.startsWith('ringbuf'))).toEqual([
      'event event 1 at 1000000000 ns: exec: pid 4243 (ls) runs /usr/bin/ls',
      'run handle_exec: return 0 (60 instructions)',
      'event event 2 at 1001000060 ns: exec: pid 4244 (cat) runs /usr/bin/cat',
      'run handle_exec: return 0 (60 instructions)',
      'event event 3 at 1001200120 ns: open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3',
      'event event 4 at 1001500120 ns: open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13',
      'event event 5 at 1002000120 ns: switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs',
      'event event 6 at 1002500120 ns: wakeup: pid 4244 (cat) wakes pid 4243 (ls)',
      'event event 7 at 1003000120 ns: switch: pid 4244 (cat) is preempted (R), pid 4243 (ls) runs',
      'event event 8 at 1003500120 ns: exit: pid 4243 (ls) with status 0',
      'run handle_exit: return 0 (72 instructions)',
      'event event 9 at 1004000192 ns: exit: pid 4244 (cat) with status 1',
      'run handle_exit: return 0 (72 instructions)',
    ]);
    // Each play opens the object afresh: no exec_start entry or clock carries over.
    expect(play()).toEqual(first);
    p.delete();
  });

  it("runs core's default TCP flow through tcp_ca_reno.o on the default host's socket", () => {
    const { p, loaded } = open('tcp_ca_reno.o');
    expect(loaded.scripts).toEqual({ scenario: false, tcp_flow: true });
    const r = parseCoreJson(p.run_tcp_flow(module.Playground.default_tcp_flow_json(), 1_000_000)) as Reply;
    expect(r.ok).toBe(true);
    const cwnd = decode(kTcpFlowReport, r.report).rows.map((row) => tcpFlowCells(row).slice(0, 4).join(' '));
    expect(cwnd).toEqual([
      'start 0 10 2147483647', 'round 1 10000 20 2147483647', 'round 2 20000 40 2147483647', 'round 3 30000 80 2147483647',
      'round 4 40000 160 2147483647', 'round 5 50000 320 2147483647', 'fast_retransmit 50000 320 160', 'round 6 60000 160 160',
      'round 7 70000 161 160', 'rto 70000 1 80', 'round 8 80000 2 80', 'round 9 90000 4 80', 'round 10 100000 8 80',
      'round 11 110000 16 80', 'round 12 120000 32 80', 'round 13 130000 64 80', 'end 130000 64 80',
    ]);
    p.delete();
  });

  it('answers a bad script or an object without such programs with core\'s error, as a value', () => {
    const { p } = open('bootstrap.o');
    const bad = JSON.parse(p.play_scenario('{"events": [{"exit": 77}]}')) as Reply;
    expect(bad).toMatchObject({ ok: false, error: { what: 'scenario: event 1: no earlier exec started pid 77' } });
    const noCa = JSON.parse(p.run_tcp_flow('{"steps": []}', 1000)) as Reply;
    expect(noCa).toMatchObject({ ok: false, error: { what: 'the object has no tcp_congestion_ops struct_ops map to play the TCP flow with' } });
    const badFlow = JSON.parse(p.run_tcp_flow('{"steps": [{"loss": "timeout"}]}', 1000)) as Reply;
    expect(badFlow.error?.what).toBe('host JSON: tcp_flow.steps[0].loss: expected "fast_retransmit" or "rto"');
    p.delete();
    const fresh = new module.Playground();
    expect(JSON.parse(fresh.play_scenario(module.Playground.default_scenario_json()))).toMatchObject({
      ok: false, error: { what: 'No object is loaded.' } });
    fresh.delete();
  });
});
