// The C editor: BPF C written in the page (CodeMirror 6, C highlighting), templates per program
// type, and "Compile & load", which sends the source to the local compile service
// (tools/compile_service/, reached at ./api/ when tools/playground.sh serves the page), marks
// clang's diagnostics on their lines and loads the object like an opened .o. A static copy of
// the site has no service: the pane then says how to compile with clang and offers the .o picker.
import { EditorState, RangeSetBuilder, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, lineNumbers, highlightActiveLine, type DecorationSet } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { cpp } from '@codemirror/lang-cpp';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { kTemplates, type CTemplate } from './c_templates';
import { h } from './dom';

export interface ClangDiagnostic {
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'note';
  message: string;
}

interface CompileAnswer {
  ok: boolean;
  name?: string;
  object?: string;
  diagnostics?: ClangDiagnostic[];
  stderr?: string;
  error?: string;
}

export const kClangCommand = 'clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu -c prog.c -o prog.o';

// Whole lines with a diagnostic get a class and their line number (data-diag-line), next to
// the lint gutter's marker and underline.
const setErrorLines = StateEffect.define<readonly ClangDiagnostic[]>();
const errorLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (!e.is(setErrorLines)) continue;
      const b = new RangeSetBuilder<Decoration>();
      const seen = new Set<number>();
      for (const d of [...e.value].sort((x, y) => x.line - y.line)) {
        if (d.severity === 'note' || seen.has(d.line) || d.line < 1 || d.line > tr.state.doc.lines) continue;
        seen.add(d.line);
        const line = tr.state.doc.line(d.line);
        b.add(line.from, line.from, Decoration.line({ class: `cm-diag-line cm-diag-${d.severity}`, attributes: { 'data-diag-line': String(d.line) } }));
      }
      return b.finish();
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export class EditorPane {
  private readonly view: EditorView;
  private readonly templateSelect = h('select', { id: 'template-select', 'aria-label': 'C template' },
    ...kTemplates.map((t) => h('option', { value: t.id, text: t.label })));
  // Where C that came from elsewhere (a lesson, a link) came from: first in the template menu
  // and picked while that C is in the editor, so the menu does not claim a template it is not.
  private readonly originOption = h('option', { value: '', text: '' });
  private readonly nameInput = h('input', { id: 'c-name', value: 'prog', size: 10, 'aria-label': 'object name', title: 'the object\'s name (letters, digits, _ and -)' });
  private readonly compileButton = h('button', { id: 'btn-compile', class: 'primary', text: 'Compile & load', title: 'Compile with the local clang and load the object (Ctrl+Enter)' });
  private readonly status = h('span', { id: 'compile-status', class: 'muted', role: 'status' });
  private readonly diagList = h('ul', { id: 'compile-diagnostics', class: 'compile-diagnostics' });
  private readonly help = h('div', { id: 'compile-help', class: 'compile-help', hidden: true });
  private serviceState: 'unknown' | 'up' | 'down' = 'unknown';

  constructor(root: HTMLElement,
              private readonly onCompiled: (name: string, bytes: Uint8Array, source: string) => Promise<boolean>,
              private readonly onTemplate: (t: CTemplate) => void,
              private readonly say: (text: string, kind?: 'error' | 'info') => void,
              openFilePicker: () => void) {
    const host = h('div', { id: 'c-editor', class: 'c-editor' });
    const extensions: Extension[] = [
      lineNumbers(), history(), highlightActiveLine(), bracketMatching(), indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }), cpp(), lintGutter(), errorLines,
      keymap.of([{ key: 'Mod-Enter', run: () => { void this.compile(); return true; } }, indentWithTab, ...defaultKeymap, ...historyKeymap]),
      EditorView.contentAttributes.of({ 'aria-label': 'C source' }),
    ];
    this.view = new EditorView({ parent: host, state: EditorState.create({ doc: kTemplates[0]?.source ?? '', extensions }) });
    this.compileButton.addEventListener('click', () => void this.compile());
    this.templateSelect.addEventListener('change', () => {
      const t = kTemplates.find((x) => x.id === this.templateSelect.value);
      if (t) this.useTemplate(t);
    });
    this.help.append(
      h('p', { text: 'This copy of the playground has no compile service (tools/playground.sh starts one next to the page). Compile on your machine, then open the object:' }),
      h('pre', { class: 'clang-command', text: kClangCommand }),
      h('p', { class: 'muted', text: 'Needs clang and libbpf\'s headers: apt-get install clang libbpf-dev.' }),
      h('button', { id: 'btn-open-compiled', text: 'Open .o…', onclick: openFilePicker }));
    root.append(
      h('div', { class: 'editor-bar bar' },
        h('label', { class: 'field inline' }, h('span', { text: 'template' }), this.templateSelect),
        h('label', { class: 'field inline' }, h('span', { text: 'name' }), this.nameInput),
        this.compileButton, this.status),
      host, this.diagList, this.help);
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  // origin: what the template menu shows for this text (a template's own text passes none).
  setText(text: string, origin?: string): void {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    this.markDiagnostics([]);
    if (origin === undefined) {
      this.originOption.remove();
      return;
    }
    this.originOption.textContent = origin;
    this.templateSelect.prepend(this.originOption);
    this.templateSelect.value = '';
  }

  setName(name: string): void {
    this.nameInput.value = name.replace(/\.o$/, '');
  }

  private useTemplate(t: CTemplate): void {
    this.setText(t.source);
    this.nameInput.value = t.id === 'xdp' ? 'prog' : t.id;
    this.onTemplate(t);
  }

  // Asks the service whether it is there (once; again after a failure).
  async probe(): Promise<boolean> {
    if (this.serviceState === 'up') return true;
    try {
      const res = await fetch('./api/health', { cache: 'no-store' });
      const body = res.ok ? await res.json() as { ok?: boolean } : undefined;
      this.serviceState = body?.ok ? 'up' : 'down';
    } catch {
      this.serviceState = 'down';
    }
    this.help.hidden = this.serviceState === 'up';
    this.status.textContent = this.serviceState === 'up' ? 'clang ready (local compile service)' : 'no compile service here';
    return this.serviceState === 'up';
  }

  private markDiagnostics(diags: readonly ClangDiagnostic[]): void {
    const doc = this.view.state.doc;
    const cm: Diagnostic[] = [];
    for (const d of diags) {
      if (d.line < 1 || d.line > doc.lines) continue;
      const line = doc.line(d.line);
      const from = Math.min(line.from + Math.max(0, d.column - 1), line.to);
      const word = /^\w+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 0;
      cm.push({ from, to: Math.max(from + word, Math.min(from + 1, line.to)), severity: d.severity === 'note' ? 'info' : d.severity, message: d.message });
    }
    this.view.dispatch(setDiagnostics(this.view.state, cm), { effects: setErrorLines.of(diags) });
    this.diagList.replaceChildren(...diags.map((d) => h('li', { class: `diag ${d.severity}`, 'data-line': d.line,
      onclick: () => this.goTo(d.line, d.column) },
    h('span', { class: 'diag-where', text: `line ${d.line}:${d.column}` }), ` ${d.severity}: ${d.message}`)));
  }

  private goTo(line: number, column: number): void {
    const doc = this.view.state.doc;
    if (line < 1 || line > doc.lines) return;
    const l = doc.line(line);
    this.view.dispatch({ selection: { anchor: Math.min(l.from + column - 1, l.to) }, scrollIntoView: true });
    this.view.focus();
  }

  // What became of it: no service here, clang or the load failed, or the object is loaded.
  async compile(): Promise<'no-service' | 'failed' | 'loaded'> {
    if (!await this.probe()) {
      this.say(`No compile service here: compile with "${kClangCommand}" and open the .o.`, 'error');
      return 'no-service';
    }
    const source = this.text;
    this.compileButton.disabled = true;
    this.status.textContent = 'compiling…';
    document.body.dataset['compile'] = 'running';
    let answer: CompileAnswer;
    try {
      const res = await fetch('./api/compile', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source, name: this.nameInput.value }) });
      answer = await res.json() as CompileAnswer;
      if (!res.ok && !answer.error) answer.error = `HTTP ${res.status}`;
    } catch (e) {
      this.serviceState = 'unknown';
      answer = { ok: false, error: `the compile service did not answer (${(e as Error).message})` };
    } finally {
      this.compileButton.disabled = false;
    }
    const diags = answer.diagnostics ?? [];
    this.markDiagnostics(diags);
    if (answer.error) {
      this.status.textContent = 'not compiled';
      this.say(`Compile: ${answer.error}`, 'error');
      document.body.dataset['compile'] = 'error';
      return 'failed';
    }
    const errors = diags.filter((d) => d.severity === 'error');
    const warnings = diags.filter((d) => d.severity === 'warning');
    for (const d of [...diags].reverse()) this.say(`${this.nameInput.value || 'prog'}.c:${d.line}:${d.column}: ${d.severity}: ${d.message}`, d.severity === 'error' ? 'error' : 'info');
    if (!answer.ok || !answer.object) {
      this.status.textContent = `${errors.length || 1} error(s)`;
      if (!errors.length) this.say(`clang failed: ${answer.stderr ?? ''}`.trim(), 'error');
      document.body.dataset['compile'] = 'error';
      return 'failed';
    }
    this.status.textContent = warnings.length ? `compiled, ${warnings.length} warning(s)` : 'compiled';
    const loaded = await this.onCompiled(answer.name ?? 'prog.o', fromBase64(answer.object), source);
    document.body.dataset['compile'] = loaded ? 'loaded' : 'error';
    return loaded ? 'loaded' : 'failed';
  }
}
