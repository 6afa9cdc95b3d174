// Runs a lesson's inputs on an object in a Playground of its own (fresh maps, the debugger's run
// untouched): the verifier's verdict, then each case to its exit. The outcome goes to
// lesson_checks.ts. Used by the page's worker and by the tests with the real wasm module.
import type { Playground } from '@bpfplay/wasm/bpfplay.mjs';
import { parseHex } from './hex';
import { decode, parseCoreJson } from './normalize';
import { kErrorView, kStateView, kVerdictView } from './vm_types';
import type { LessonOutcome, RunOutcome } from './lesson_checks';
import type { Lesson } from './lessons/index';

const kMaxSteps = 1_000_000;

export function runLesson(p: Playground, lesson: Lesson, bytes: Uint8Array, name: string, hostJson: string): LessonOutcome {
  const loaded = JSON.parse(p.load_object(bytes, name, hostJson)) as Record<string, unknown>;
  if (loaded['ok'] === false) return { loadError: decode(kErrorView, loaded['error']), runs: [] };
  const v = JSON.parse(p.verify(lesson.program)) as Record<string, unknown>;
  if (v['ok'] === false) return { loadError: decode(kErrorView, v['error']), runs: [] };
  const verdict = decode(kVerdictView, v['verdict']);
  if (verdict.verdict === 'refuse') return { verdict, runs: [] };
  const runs: RunOutcome[] = lesson.inputs.map((input) => {
    const cpu = JSON.parse(p.set_cpu(input.cpu ?? 0)) as Record<string, unknown>;
    if (cpu['ok'] === false) return { error: decode(kErrorView, cpu['error']) };
    const started = JSON.parse(p.start(lesson.program, input.packet, parseHex(input.ctx ?? ''), 0)) as Record<string, unknown>;
    if (started['ok'] === false) return { error: decode(kErrorView, started['error']) };
    p.cont(kMaxSteps);
    return { state: decode(kStateView, parseCoreJson(p.state())) };
  });
  return { verdict, runs };
}
