// The playground page: builds the panes, loads the program (the default example, a shared
// link's, or the user's), and keeps the share link current.
import './style.css';
import { CodePanel } from './code_panel';
import { ConsolePanel } from './console_panel';
import type { EditorPane } from './editor_pane';
import { ExplainPanel } from './explain_panel';
import { byId } from './dom';
import { parseHex } from './hex';
import { fetchExample, findExample, kDefaultExample } from './examples';
import { HostPanel } from './host_panel';
import { InputPanel } from './input_panel';
import { LessonPanel, needsCompile } from './lesson_panel';
import { kLessons } from './lessons/index';
import { MapPanel } from './map_panel';
import { PacketPanel } from './packet_panel';
import { RegisterPanel } from './register_panel';
import { ScriptPanel } from './script_panel';
import { Session } from './session';
import { decodeLink, encodeLink, type LinkSource } from './session_link';
import { SourcePicker, type Picked } from './source_picker';
import { StackPanel } from './stack_panel';
import { Toolbar } from './toolbar';
import { WatchPanel } from './watch_panel';
import type { BreakpointSpec, ProgramSource } from './worker_protocol';

const session = new Session();
(window as unknown as { bpfplayTimings: Session['timings'] }).bpfplayTimings = session.timings;
const consolePanel = new ConsolePanel(byId('console'), session);
const say = (text: string, kind: 'error' | 'info' = 'info'): void => consolePanel.say(text, kind);
new CodePanel(byId('code'), session);
new ExplainPanel(byId('explain'), session);
new RegisterPanel(byId('registers'), session);
new StackPanel(byId('stack'), session);
new PacketPanel(byId('packet'), session);
new WatchPanel(byId('watches'), session);
new MapPanel(byId('maps'), session, say);
new Toolbar(byId('controls'), byId('history-bar'), session);

// How many snapshots the page has rendered: tests wait for it to move after a command.
let rendered = 0;
session.events.on('snapshot', () => { document.body.dataset['snapshots'] = String(++rendered); });

let current: LinkSource | undefined;
let currentSource: ProgramSource | undefined;
const hostPanel = new HostPanel(session, (shown) => input.markHostError(shown), (json) => input.hostDefaultsShown(json));
const input = new InputPanel(byId('input'), (reloadHost) => void restart(reloadHost), say, hostPanel);
new ScriptPanel(byId('input'), session, () => input.runBudget());
const picker = new SourcePicker(byId('source'), (p) => pick(p));
void session.defaults.then((d) => {
  input.setProgTypeNames(d.prog_types);
  picker.setAssemblySections(d.assembly_sections);
});
// The editor's C when the object now loaded was loaded (its own C for one compiled in the editor
// or a lesson's starter): Check compiles the editor's text first when it was edited since.
let loadedC: string | undefined;
const lessons = new LessonPanel(byId('source'), byId('lesson'), {
  open: async (lesson, starter, first) => {
    input.setPacket(first.packet);
    input.setCtx(first.ctx);
    picker.shown('');
    const ok = await load({ kind: 'object', ...starter });
    // Compiled, the learner's object is named after the lesson ("01_return.o").
    void showEditor(true).then((editor) => editor?.setName(lesson.id));
    return ok;
  },
  beforeCheck: async () => {
    const editing = document.body.classList.contains('editing') ? openedEditor : undefined;
    if (!editing || !needsCompile(editing.text, loadedC)) return 'ok';
    return await editing.compile() === 'failed' ? 'failed' : 'ok';
  },
  check: (lesson, program) => session.checkLesson(lesson.id, program),
}, say);

// The C editor: a toggled pane next to the program's code (body.editing). CodeMirror is most of
// the page's script, so it loads the first time the editor opens (or a link brings C source).
let editorPane: Promise<EditorPane> | undefined;
const getEditor = (): Promise<EditorPane> => editorPane ??= import('./editor_pane').then(({ EditorPane: Pane }) => new Pane(byId('editor'),
  (name, bytes, c) => {
    picker.shown('');
    return load({ kind: 'object', name, bytes, c });
  },
  (t) => {
    lessons.close();  // a template is not the lesson's program
    const ex = t.ctxOf ? findExample(t.ctxOf) : undefined;
    if (t.preset) input.usePacketPreset(t.preset);
    input.setCtx(parseHex(ex?.ctxHex ?? ''));
  },
  say, () => byId('file-input').click()));
let openedEditor: EditorPane | undefined;
const editorButton = byId('btn-editor');
async function showEditor(on: boolean): Promise<EditorPane | undefined> {
  document.body.classList.toggle('editing', on);
  editorButton.setAttribute('aria-pressed', String(on));
  editorButton.textContent = on ? 'Hide C' : 'Write C';
  if (!on) return undefined;
  const editor = await getEditor();
  openedEditor = editor;
  void editor.probe();
  return editor;
}
// What the editor holds (read by the browser tests).
(window as unknown as { bpfplayEditorText: () => string }).bpfplayEditorText = () => openedEditor?.text ?? '';
editorButton.addEventListener('click', () => void showEditor(!document.body.classList.contains('editing')));

async function startProgram(breakpoints?: readonly BreakpointSpec[]): Promise<void> {
  let values;
  try {
    values = input.values();
  } catch (e) {
    say((e as Error).message, 'error');
    return;
  }
  if (!values.program) return;
  // A program core says cannot run: show why by the picker and its code; the rest of the page
  // (other programs, examples, the input, the maps of the last run) stays as it was.
  const chosen = input.selectedProgram();
  if (chosen && !chosen.runnable) {
    input.showProgramError(chosen);
    document.body.classList.add('program-refused');
    await session.showRefused(chosen);
    document.body.dataset['ready'] = 'refused';
    return;
  }
  input.showProgramError(undefined);
  document.body.classList.remove('program-refused');
  const started = await session.start({ program: values.program, packet: values.packet, ctx: values.ctx, budget: values.budget }, breakpoints);
  document.body.dataset['ready'] = started ? 'true' : 'error';
  if (!started) return;
  // Milliseconds from navigation start to the first program on screen (read by the browser tests).
  const w = window as unknown as { bpfplayFirstShownMs?: number };
  w.bpfplayFirstShownMs ??= performance.now();
}

async function restart(reloadHost: boolean): Promise<void> {
  if (reloadHost && currentSource) {
    const program = input.programSelect.value;
    const loaded = await session.load(currentSource, session.loaded?.sourceName ?? '', input.host());
    if (!loaded) {
      input.hostLoadFailed();
      return;
    }
    input.setPrograms(loaded.summary, program);
  }
  await startProgram();
}

// Resolves to whether core loaded the object (false: the page goes on showing what it showed).
async function load(source: LinkSource, program?: string, breakpoints?: readonly BreakpointSpec[]): Promise<boolean> {
  document.body.dataset['ready'] = 'false';
  let wire: ProgramSource;
  let name: string;
  try {
    if (source.kind === 'example') {
      wire = { kind: 'object', name: source.name, bytes: await fetchExample(source.name) };
      name = source.name;
    } else if (source.kind === 'object') {
      wire = { kind: 'object', name: source.name, bytes: source.bytes };
      name = source.name;
    } else {
      wire = source;
      name = 'pasted assembly';
    }
  } catch (e) {
    say(`Could not fetch ${source.kind === 'example' ? source.name : 'the program'}: ${(e as Error).message}`, 'error');
    return false;
  }
  let host;
  try {
    host = input.host();
  } catch (e) {
    say((e as Error).message, 'error');
    document.body.dataset['ready'] = session.snapshot ? 'true' : 'error';
    return false;
  }
  const loaded = await session.load(wire, name, host);
  if (!loaded) {
    input.hostLoadFailed();
    // The worker keeps what was open before: the page goes on showing it.
    document.body.dataset['ready'] = session.snapshot ? 'true' : 'error';
    return false;
  }
  current = source;
  currentSource = wire;
  loadedC = source.kind === 'object' && source.c !== undefined ? source.c : openedEditor?.text;
  lessons.programLoaded(wire.kind === 'object' ? { name: wire.name, bytes: wire.bytes } : undefined);
  // An object compiled in the editor (or a link to one) brings its C source into the editor.
  if (source.kind === 'object' && source.c !== undefined) {
    const c = source.c;
    // The template menu names where the C came from (the lesson, a link), not a template.
    const lesson = lessons.current;
    const origin = lesson ? `(lesson ${kLessons.indexOf(lesson) + 1})` : '(shared C)';
    void showEditor(true).then((editor) => {
      if (editor && editor.text !== c) editor.setText(c, origin);
      editor?.setName(name);
    });
  }
  byId('object-name').textContent = name;
  if (loaded.summary.programs.length === 0) {
    say(`${name} has no programs to run.`, 'error');
    return true;
  }
  input.setPrograms(loaded.summary, program);
  const refused = loaded.summary.programs.filter((p) => !p.runnable).length;
  say(`Loaded ${name}: ${loaded.summary.programs.length} program(s)${refused ? ` (${refused} cannot run)` : ''}, ${loaded.summary.maps.length} map(s).`);
  await startProgram(breakpoints);
  return true;
}

async function pick(p: Picked): Promise<boolean> {
  if (p.kind === 'example') {
    lessons.close();  // an example is not the lesson's program
    const ex = findExample(p.file);
    if (ex?.preset) input.usePacketPreset(ex.preset);
    else if (ex?.packetHex !== undefined) input.setPacket(parseHex(ex.packetHex));
    // A syscall program's test run takes no packet (the kernel refuses one): its input is
    // the context alone.
    else if (ex?.noPacket) input.setPacket(new Uint8Array(0));
    input.setCtx(parseHex(ex?.ctxHex ?? ''));
    return load({ kind: 'example', name: p.file });
  } else if (p.kind === 'object') {
    return load({ kind: 'object', name: p.name, bytes: p.bytes });
  }
  return load({ kind: 'assembly', text: p.text, section: p.section });
}

byId('btn-share').addEventListener('click', () => void share());

async function share(): Promise<void> {
  if (!current) return;
  let values;
  try {
    values = input.values();
  } catch (e) {
    say((e as Error).message, 'error');
    return;
  }
  let hash;
  try {
    hash = await encodeLink({
      source: current, program: values.program, packet: values.packet, ctx: values.ctx, host: values.host,
      breakpoints: session.breakpointList(),
      ...(lessons.current ? { lesson: lessons.current.id } : {}),
    }, session.links);
  } catch (e) {
    say(`No link made: ${(e as Error).message}`, 'error');
    return;
  }
  history.replaceState(null, '', `#${hash}`);
  const url = location.href;
  (byId('share-url') as HTMLInputElement).value = url;
  try {
    await navigator.clipboard.writeText(url);
    say('Link copied: it opens this program with this input and these breakpoints (with their conditions).');
  } catch {
    say('Link ready in the box next to the Share button.');
  }
}

async function boot(): Promise<void> {
  try {
    const link = await decodeLink(location.hash, session.links);
    if (link) {
      input.setHost(link.host);
      input.setPacket(link.packet);
      input.setCtx(link.ctx);
      picker.shown(link.source.kind === 'example' ? link.source.name : '');
      // The lesson open when the link was made, around the link's program (not its starter).
      const lesson = kLessons.find((l) => l.id === link.lesson);
      if (lesson) lessons.show(lesson);
      else if (link.lesson !== undefined) say(`The link's lesson "${link.lesson}" is not in this playground.`, 'error');
      await load(link.source, link.program, link.breakpoints);
      return;
    }
  } catch (e) {
    say(`The link could not be read (${(e as Error).message}); opening the default example.`, 'error');
  }
  picker.shown(kDefaultExample);
  await pick({ kind: 'example', file: kDefaultExample });
}

void boot();
