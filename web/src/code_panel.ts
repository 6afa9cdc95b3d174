// The disassembly with the C source lines interleaved (BTF line_info), the current instruction,
// hit counts, breakpoints (click the gutter; shift-click or right-click for a condition), a
// fault's line with its reason, and the instruction picked to read about (click its text).
import { hintUnlessSaid } from './console_panel';
import { h } from './dom';
import type { ProgramView, Session } from './session';
import type { ErrorView, Snapshot, VerdictView } from './vm_types';

export class CodePanel {
  private rows: HTMLElement[] = [];        // by pc
  private hitCells: HTMLElement[] = [];
  private hitShown: number[] = [];
  private current = -1;
  private selected: HTMLElement | undefined;  // the instruction clicked for the explain box
  private faultRow: HTMLElement | undefined;
  private faultNote: HTMLElement | undefined;
  private editor: HTMLElement | undefined;  // the inline condition input, under its row
  // What the kernel's verifier would say, by the pane's title ("would refuse it").
  private readonly verdictStatus = document.getElementById('verifier-status');

  constructor(private readonly root: HTMLElement, private readonly session: Session) {
    session.events.on('program', (p) => this.renderProgram(p));
    session.events.on('snapshot', (s) => this.render(s));
    session.events.on('breakpoints', () => this.renderBreakpoints());
    session.events.on('verdict', (v) => this.renderVerdict(v));
    // A click on an instruction's gutter, or on a C source line (its first instruction),
    // toggles a breakpoint; shift-click or right-click opens the condition input.
    root.addEventListener('click', (e) => {
      const pc = this.pcOf(e.target as HTMLElement);
      if (pc === undefined) {
        this.select(e.target as HTMLElement);
        return;
      }
      if (e.shiftKey) this.editCondition(pc);
      else void session.toggleBreakpoint(pc);
    });
    // The explain box under the code fills in after the step (a round trip to the worker) and
    // the pane's height changes with it: the line shown then keeps its place in view.
    new ResizeObserver(() => {
      const row = this.selected ?? this.rows[this.current];
      if (row && !this.fullyShown(row)) this.reveal(row);
    }).observe(root);
    root.addEventListener('contextmenu', (e) => {
      const pc = this.pcOf(e.target as HTMLElement);
      if (pc === undefined) return;
      e.preventDefault();
      this.editCondition(pc);
    });
  }

  // Inside the pane's visible height (clientHeight: a horizontal scroll bar hides what is under it).
  private fullyShown(row: HTMLElement): boolean {
    const r = row.getBoundingClientRect();
    const top = this.root.getBoundingClientRect().top;
    return r.top >= top && r.bottom <= top + this.root.clientHeight;
  }

  // Scrolls the row fully into view, with its C line (the source-line row right above it) when
  // both fit: the line is read with the source it came from.
  private reveal(row: HTMLElement): void {
    const paneTop = this.root.getBoundingClientRect().top;
    const height = this.root.clientHeight;
    const r = row.getBoundingClientRect();
    const prev = row.previousElementSibling;
    const top = prev?.classList.contains('src-line') ? prev.getBoundingClientRect().top : r.top;
    if (r.bottom - top > height) this.root.scrollTop += r.top - paneTop;  // no room for both: the row
    else if (top < paneTop) this.root.scrollTop += top - paneTop;
    else if (r.bottom > paneTop + height) this.root.scrollTop += r.bottom - (paneTop + height);
  }

  private pcOf(target: HTMLElement): number | undefined {
    if (target.closest('.bp-editor')) return undefined;
    let pc = target.closest<HTMLElement>('.gutter')?.dataset['pc'];
    const src = target.closest<HTMLElement>('.src-line');
    if (pc === undefined && src) {
      let next = src.nextElementSibling;
      while (next && !next.classList.contains('insn')) next = next.nextElementSibling;
      pc = (next as HTMLElement | null)?.dataset['pc'];
    }
    return pc === undefined ? undefined : Number(pc);
  }

  // A click on an instruction's text (not its gutter): explain it.
  private select(target: HTMLElement): void {
    if (target.closest('.bp-editor')) return;
    const row = target.closest<HTMLElement>('.insn');
    const pc = row?.dataset['pc'];
    if (!row || pc === undefined) return;
    this.selected?.classList.remove('selected');
    row.classList.add('selected');
    this.selected = row;
    this.session.events.emit('select', Number(pc));
  }

  private closeEditor(): void {
    this.editor?.remove();
    this.editor = undefined;
  }

  // The inline condition input under the instruction's row: Enter sets the breakpoint with
  // the condition (empty: always stops), Escape closes it; a bad condition shows core's error.
  private editCondition(pc: number): void {
    this.closeEditor();
    const row = this.rows[pc];
    if (!row) return;
    const input = h('input', { id: 'bp-condition', class: 'bp-cond-in', value: this.session.conditionAt(pc) ?? '',
      placeholder: 'condition, e.g. r1 == 0x800 && r2 > 10 (empty: always)', 'aria-label': `condition for the breakpoint at ${pc}` });
    const error = h('div', { class: 'bp-cond-error', hidden: true });
    const set = async (): Promise<void> => {
      const err = await this.session.setBreakpoint(pc, input.value.trim());
      if (!err) {
        this.closeEditor();
        return;
      }
      error.textContent = err.what + (err.hint ? ` (${err.hint})` : '');
      error.hidden = false;
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void set();
      else if (e.key === 'Escape') this.closeEditor();
      e.stopPropagation();  // keys typed here are not the toolbar's
    });
    const editor = h('div', { class: 'bp-editor', 'data-pc': pc },
      h('span', { class: 'muted', text: `break at ${pc} if ` }), input,
      h('button', { text: 'Set', id: 'bp-condition-set', onclick: () => void set() }),
      this.session.hasBreakpoint(pc)
        ? h('button', { text: 'Remove', onclick: () => { this.closeEditor(); void this.session.toggleBreakpoint(pc); } })
        : undefined,
      h('button', { text: 'Cancel', onclick: () => this.closeEditor() }), error);
    row.after(editor);
    this.editor = editor;
    input.focus();
  }

  private renderProgram(p: ProgramView): void {
    this.root.replaceChildren();
    if (this.verdictStatus) {
      this.verdictStatus.textContent = '';
      this.verdictStatus.title = '';
      this.verdictStatus.className = 'verifier-status';
    }
    this.rows = [];
    this.hitCells = [];
    this.hitShown = [];
    this.current = -1;
    this.selected = undefined;
    this.faultRow = undefined;
    this.editor = undefined;
    this.root.scrollTop = 0;  // a new program opens at its first C line, not where the last one was
    const frag = document.createDocumentFragment();
    let lastFn = '';
    for (const l of p.lines) {
      // core names the function where it starts and the C line where a new line_info record starts.
      if (l.function && l.function !== lastFn) {
        frag.append(h('div', { class: 'fn-head', text: `${l.function}:` }));
        lastFn = l.function;
      }
      if (l.line) {
        const path = l.file ?? '';
        frag.append(h('div', { class: 'src-line', title: `${path}:${l.line} (click: breakpoint)` },
          h('span', { class: 'src-loc', text: `${path.split('/').pop() ?? path}:${l.line}` }), h('span', { class: 'src-text', text: (l.source ?? '').trim() })));
      }
      const hits = h('span', { class: 'hits' });
      const row = h('div', { class: l.second_slot ? 'insn second-slot' : 'insn', 'data-pc': l.pc },
        h('span', { class: 'gutter', 'data-pc': l.pc, title: 'toggle breakpoint' }),
        hits,
        h('span', { class: 'pc', text: String(l.pc).padStart(4) }),
        h('span', { class: 'text', text: l.second_slot ? '' : l.text }));
      this.rows[l.pc] = row;
      this.hitCells[l.pc] = hits;
      frag.append(row);
    }
    this.root.append(frag);
    this.renderBreakpoints();
    if (p.refused) this.markRefused(p.refused);
  }

  // A program that cannot run: its instruction the verifier (or bpfplay) refused, with core's reason.
  private markRefused(e: ErrorView): void {
    const row = e.pc !== undefined ? this.rows[e.pc] : undefined;
    const note = h('div', { class: 'fault-note refused-note', id: 'refused-note' }, h('b', { text: 'Cannot run: ' }),
      `${e.source ? `${e.source}: ` : ''}${e.what}`, e.hint ? h('div', { class: 'hint', text: e.hint }) : undefined);
    if (row) {
      row.classList.add('fault');
      row.after(note);
      row.scrollIntoView({ block: 'nearest' });
    } else {
      this.root.prepend(note);
    }
    this.faultRow = row;
    this.faultNote = note;
  }

  // A program the kernel's verifier would refuse: the instruction and its C line marked, the path
  // the checker followed to it, the kernel's message, why the rule exists and how to fix it. The
  // program still runs, so the learner can step along that path and see what would go wrong.
  private renderVerdict(v: VerdictView): void {
    const status = this.verdictStatus;
    if (status) {
      status.className = `verifier-status ${v.verdict === 'accept' ? 'ok' : v.verdict === 'refuse' ? 'refused' : 'unknown'}`;
      status.textContent = v.verdict === 'accept' ? `· the kernel's verifier would accept it (${v.processed} instructions processed)`
        : v.verdict === 'refuse' ? `· the kernel's verifier would refuse it (insn ${v.insn})`
        : `· whether the kernel's verifier accepts it: cannot tell (insn ${v.insn}: ${v.message})`;
      status.title = status.textContent;  // one line by the title: the whole text on hover
    }
    // A refusal carries its instruction and path (core writes them for no other verdict).
    if (v.verdict !== 'refuse' || v.insn === undefined) return;
    for (const pc of v.path ?? []) this.rows[pc]?.classList.add('verifier-path');
    const row = this.rows[v.insn];
    const where = v.source ? ` (${v.source.file.split('/').pop() ?? v.source.file}:${v.source.line})` : '';
    const note = h('div', { class: 'verifier-note', id: 'verifier-note' },
      h('b', { text: `The kernel's verifier would refuse this${where}: ` }), h('span', { class: 'verifier-message', text: v.message ?? '' }),
      v.why ? h('div', { class: 'verifier-why', text: v.why }) : undefined,
      v.fix ? h('div', { class: 'verifier-fix' }, h('b', { text: 'Fix: ' }), v.fix) : undefined,
      h('div', { class: 'muted', text: 'bpfplay runs it anyway: step along the marked path to see what would go wrong.' }));
    if (row) {
      row.classList.add('verifier-refused');
      row.after(note);
      row.scrollIntoView({ block: 'nearest' });
    } else {
      this.root.prepend(note);
    }
  }

  private renderBreakpoints(): void {
    this.rows.forEach((row, pc) => {
      const cond = this.session.conditionAt(pc);
      row.classList.toggle('bp', cond !== undefined);
      row.classList.toggle('bp-cond', !!cond);
      const gutter = row.firstElementChild as HTMLElement | null;
      if (gutter) {
        gutter.title = cond ? `breakpoint if ${cond} (click: remove; shift-click or right-click: edit)`
          : cond === undefined ? 'click: breakpoint; shift-click or right-click: conditional breakpoint'
          : 'breakpoint (click: remove; shift-click or right-click: add a condition)';
      }
    });
  }

  private render(s: Snapshot): void {
    const st = s.state;
    this.selected?.classList.remove('selected');  // a step explains the current instruction again
    this.selected = undefined;
    const row = this.rows[st.pc];
    if (this.current !== st.pc) {
      this.rows[this.current]?.classList.remove('current');
      row?.classList.add('current');
      this.current = st.pc;
      if (row) this.reveal(row);
    }
    for (let pc = 0; pc < this.hitCells.length; pc++) {
      const n = s.hits[pc] ?? 0;
      if (this.hitShown[pc] !== n) {
        const cell = this.hitCells[pc];
        if (cell) cell.textContent = n ? String(n) : '';
        this.hitShown[pc] = n;
      }
    }
    this.faultRow?.classList.remove('fault');
    this.faultNote?.remove();
    this.faultRow = undefined;
    if (st.status === 'faulted' && row) {
      row.classList.add('fault');
      const reason = st.fault_explanation || st.fault?.what || 'the program faulted';
      this.faultNote = h('div', { class: 'fault-note' }, h('b', { text: 'Fault: ' }), reason,
        hintUnlessSaid(reason, st.fault?.hint));
      row.after(this.faultNote);
      this.faultRow = row;
      this.reveal(row);
    }
    this.renderBreakpoints();
  }
}
