// Every lesson's solution object satisfies its goal and every starter does not, run in the real
// wasm module (BPFPLAY_WASM_DIR, or build-wasm/wasm-bindings); skipped when it is not built.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BpfplayModule } from '@bpfplay/wasm/bpfplay.mjs';
import { checkLesson } from './lesson_checks';
import { runLesson } from './lesson_runner';
import { kLessons } from './lessons/index';

const root = new URL('../../', import.meta.url);
const dir = process.env['BPFPLAY_WASM_DIR'] ?? new URL('build-wasm/wasm-bindings', root).pathname;
const built = existsSync(`${dir}/bpfplay.mjs`) && existsSync(`${dir}/bpfplay.wasm`);

describe.skipIf(!built)('lessons in the wasm module', async () => {
  const create = built ? (await import(/* @vite-ignore */ pathToFileURL(`${dir}/bpfplay.mjs`).href)).default as
    (o: { wasmBinary: Uint8Array }) => Promise<BpfplayModule> : undefined;
  const m = await create?.({ wasmBinary: readFileSync(`${dir}/bpfplay.wasm`) });
  const host = m?.Playground.default_host_json() ?? '';
  for (const l of kLessons) {
    it(`${l.id}: the solution is done, the starter is not yet`, () => {
      const p = new (m as BpfplayModule).Playground();
      const obj = (kind: string): Uint8Array => readFileSync(new URL(`public/lessons/${l.id}.${kind}.o`, root));
      const solved = checkLesson(l.goal, runLesson(p, l, obj('solution'), `${l.id}.solution.o`, host));
      expect(solved.message).toBe('Done! Every check passes.');
      const starter = checkLesson(l.goal, runLesson(p, l, obj('starter'), `${l.id}.starter.o`, host));
      expect(starter.done).toBe(false);
      expect(starter.message).toMatch(/^Not yet, because /);
      p.delete();
    });
  }
  it('runs a case on the CPU it names, and refuses a CPU the host does not have', () => {
    const p = new (m as BpfplayModule).Playground();
    const bytes = readFileSync(new URL('public/lessons/09_percpu.solution.o', root));
    expect(JSON.parse(p.load_object(bytes, '09_percpu.solution.o', host)).ok).toBe(true);
    const refused = JSON.parse(p.set_cpu(4)) as { ok: boolean; error: { what: string } };
    expect(refused.ok).toBe(false);
    expect(refused.error.what).toBe('CPU 4 is not one of the host\'s CPUs (0 to 3).');
    expect(JSON.parse(p.set_cpu(1.5)).ok).toBe(false);
    expect(JSON.parse(p.set_cpu(3)).ok).toBe(true);
    p.delete();
  });
});
