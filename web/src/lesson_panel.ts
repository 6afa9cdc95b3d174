// The lessons in the page: a picker in the header and, above the C editor, the lesson's title,
// text and task, a Check button and each goal as passed or "not yet, because …". Opening a
// lesson puts its starter C in the editor and loads its starter object (public/lessons/) so it
// can be stepped; Check runs the lesson's cases on the program loaded now (the learner's
// compiled C, an opened .o, or the starter) in the worker, apart from the run on screen.
import { h } from './dom';
import { parseHex } from './hex';
import type { CheckResult } from './lesson_checks';
import { kLessons, type Lesson } from './lessons/index';

export interface LessonObject {
  readonly name: string;
  readonly bytes: Uint8Array;
}

// What the page does for the panel (main.ts): load the starter, compile the editor's C if it
// changed, run the check in the worker.
export interface LessonHost {
  open(lesson: Lesson, starter: LessonObject & { c: string }, input: { packet: Uint8Array; ctx: Uint8Array }): Promise<boolean>;
  // Before a check: 'failed' when the editor's changed C did not compile (nothing to check).
  beforeCheck(): Promise<'ok' | 'failed'>;
  check(lesson: Lesson, program: LessonObject): Promise<CheckResult>;
}

// The starters' C, bundled with the page (each its own chunk, fetched when the lesson opens).
const kStarterSources = import.meta.glob<string>('../../examples/lessons/*.starter.c', { query: '?raw', import: 'default' });

export async function starterSource(id: string): Promise<string> {
  const load = kStarterSources[`../../examples/lessons/${id}.starter.c`];
  if (!load) throw new Error(`examples/lessons/${id}.starter.c is not bundled`);
  return load();
}

export const starterObjectName = (l: Lesson): string => `${l.id}.starter.o`;

// The input the page starts the lesson with: its first case's packet and context.
export function lessonInput(l: Lesson): { packet: Uint8Array; ctx: Uint8Array } {
  const first = l.inputs[0];
  return {
    packet: first?.packet ?? new Uint8Array(0),
    ctx: parseHex(first?.ctx ?? ''),
  };
}

export const lessonLabel = (l: Lesson, i: number): string => `${i + 1}. ${l.title}`;

// Check compiles first when the editor's C was edited since the object now loaded was loaded
// (loadedC: the editor's text then; undefined when the editor was not open, as for a .o opened
// before it: that object is what the learner means to check).
export function needsCompile(editorText: string | undefined, loadedC: string | undefined): boolean {
  return editorText !== undefined && loadedC !== undefined && editorText !== loadedC;
}

export interface GoalRow { readonly ok: boolean; readonly text: string }
export interface ResultView { readonly done: boolean; readonly heading: string; readonly rows: readonly GoalRow[] }

// Each goal line as the learner reads it: passed, or not yet and why.
export function resultView(r: CheckResult, checked: string): ResultView {
  return {
    done: r.done,
    heading: r.done ? `Done! ${checked} passes every check.` : `Not yet: ${checked}`,
    rows: r.lines.map((l) => ({ ok: l.ok, text: l.ok ? `pass: ${l.text}` : `not yet, because ${l.text}` })),
  };
}

async function fetchStarterObject(l: Lesson): Promise<Uint8Array> {
  const res = await fetch(`./lessons/${encodeURIComponent(starterObjectName(l))}`);
  if (!res.ok) throw new Error(`lessons/${starterObjectName(l)}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export class LessonPanel {
  readonly select = h('select', { id: 'lesson-select', 'aria-label': 'lesson' },
    h('option', { value: '', text: '(no lesson)' }),
    ...kLessons.map((l, i) => h('option', { value: l.id, text: lessonLabel(l, i) })));
  private readonly title = h('h3', { id: 'lesson-title' });
  private readonly text = h('p', { id: 'lesson-text' });
  private readonly task = h('p', { id: 'lesson-task', class: 'lesson-task' });
  private readonly checkButton = h('button', { id: 'btn-check', class: 'primary', text: 'Check',
    title: 'Run the lesson\'s packets on the program loaded now (the editor\'s C is compiled first when it changed)' });
  private readonly verdict = h('div', { id: 'lesson-verdict', role: 'status' });
  private readonly rows = h('ul', { id: 'lesson-results', class: 'lesson-results' });
  private lesson: Lesson | undefined;
  private program: LessonObject | undefined;  // what Check runs: the object loaded now

  constructor(pickerRoot: HTMLElement, private readonly root: HTMLElement, private readonly host: LessonHost,
              private readonly say: (text: string, kind?: 'error' | 'info') => void) {
    pickerRoot.append(h('label', { class: 'field inline' }, h('span', { text: 'lesson' }), this.select));
    this.select.addEventListener('change', () => {
      const l = kLessons.find((x) => x.id === this.select.value);
      if (l) void this.open(l);
      else this.close();
    });
    this.checkButton.addEventListener('click', () => void this.check());
    // Check and the results come first: on a short window the text scrolls, they stay in view.
    root.append(
      h('div', { class: 'lesson-head' }, this.title, this.checkButton,
        h('button', { id: 'btn-lesson-close', class: 'pane-head-button', text: '×', title: 'Close the lesson', 'aria-label': 'close the lesson',
          onclick: () => this.close() })),
      this.verdict, this.rows, this.text, this.task);
    root.hidden = true;
  }

  get current(): Lesson | undefined {
    return this.lesson;
  }

  async open(l: Lesson): Promise<void> {
    let starter: LessonObject & { c: string };
    try {
      const [bytes, c] = await Promise.all([fetchStarterObject(l), starterSource(l.id)]);
      starter = { name: starterObjectName(l), bytes, c };
    } catch (e) {
      this.say(`Could not open the lesson: ${(e as Error).message}`, 'error');
      this.select.value = this.lesson?.id ?? '';
      return;
    }
    this.show(l);
    if (!await this.host.open(l, starter, lessonInput(l))) this.say(`The starter of lesson ${kLessons.indexOf(l) + 1} did not load.`, 'error');
  }

  // The lesson's text, task and Check, for the program the page loads itself (a share link's:
  // the learner's C and object, not the starter).
  show(l: Lesson): void {
    this.lesson = l;
    this.select.value = l.id;
    this.title.textContent = `Lesson ${kLessons.indexOf(l) + 1} of ${kLessons.length}: ${l.title}`;
    this.text.textContent = l.text;
    this.task.replaceChildren(h('b', { text: 'Task: ' }), l.task);
    this.showResult(undefined);
    this.root.hidden = false;
    document.body.classList.add('lesson-open');
  }

  close(): void {
    this.lesson = undefined;
    this.select.value = '';
    this.root.hidden = true;
    document.body.classList.remove('lesson-open');
    delete document.body.dataset['lessonCheck'];
  }

  // The page loaded another program (compiled, opened, the starter): Check runs that one now.
  programLoaded(p: LessonObject | undefined): void {
    this.program = p;
    this.showResult(undefined);
  }

  async check(): Promise<void> {
    const l = this.lesson;
    if (!l) return;
    this.checkButton.disabled = true;
    document.body.dataset['lessonCheck'] = 'running';
    try {
      if (await this.host.beforeCheck() === 'failed') {
        this.showResult(undefined, 'Not yet: the C does not compile (see its errors in the editor).');
        return;
      }
      const p = this.program;
      if (!p) {
        this.showResult(undefined, 'Nothing to check: compile the C or open a .o first.');
        return;
      }
      this.showResult(resultView(await this.host.check(l, p), p.name));
    } catch (e) {
      this.showResult(undefined, `The check could not run: ${(e as Error).message}`);
    } finally {
      this.checkButton.disabled = false;
    }
  }

  private showResult(v: ResultView | undefined, message = ''): void {
    this.verdict.textContent = v ? v.heading : message;
    this.verdict.className = v?.done ? 'lesson-done' : message || v ? 'lesson-not-yet' : '';
    this.rows.replaceChildren(...(v?.rows ?? []).map((r) => h('li', { class: r.ok ? 'pass' : 'fail', text: r.text })));
    if (v) document.body.dataset['lessonCheck'] = v.done ? 'done' : 'not-yet';
    else if (message) document.body.dataset['lessonCheck'] = 'error';
    else delete document.body.dataset['lessonCheck'];
  }
}
