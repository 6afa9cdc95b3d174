// The call stack, and the 512-byte stack of the frame picked in it (the current one unless the
// learner clicks another) as a hex dump: addresses as fp-N, changed bytes marked, only the rows
// in use plus the one above. Selected bytes (click, shift-click) can be watched in that frame.
import { h } from './dom';
import { HexDump, type Selection } from './hex_dump';
import type { Session } from './session';
import type { FrameView, Snapshot } from './vm_types';

export class StackPanel {
  private readonly calls = h('ol', { class: 'callstack', id: 'call-stack' });
  private readonly title = h('h3', { id: 'stack-title' });
  private readonly dump: HexDump;
  private readonly watch = h('button', { id: 'stack-watch', text: 'Watch selection', disabled: true,
    title: 'Stop continue and reverse when these bytes of this frame change' });
  private readonly error = h('span', { class: 'watch-error', id: 'stack-watch-error', hidden: true });
  private picked: number | undefined;  // the frame depth the learner clicked; undefined: follow the current
  private shown: FrameView | undefined;

  constructor(root: HTMLElement, private readonly session: Session) {
    this.dump = new HexDump('stack-dump', (s) => this.selected(s));
    root.append(h('h3', { text: 'Call stack (click a frame to see its stack)' }), this.calls, this.title, this.dump.root,
      h('div', { class: 'packet-tools' }, this.watch, this.error));
    this.watch.addEventListener('click', () => void this.addWatch());
    session.events.on('snapshot', (s: Snapshot) => this.render(s));
    session.events.on('program', () => { this.picked = undefined; });
  }

  private render(s: Snapshot): void {
    const frames = s.state.frames;
    const current = frames[frames.length - 1];
    if (this.picked !== undefined && !frames.some((f) => f.depth === this.picked)) this.picked = undefined;
    const f = this.picked === undefined ? current : frames.find((x) => x.depth === this.picked);
    if (f?.depth !== this.shown?.depth) this.dump.clear();
    this.calls.replaceChildren(...[...frames].reverse().map((fr) => {
      const where = fr.source.line ? ` ${fr.source.file.split('/').pop() ?? ''}:${fr.source.line}` : '';
      const li = h('li', { class: fr === f ? 'frame picked' : 'frame', 'data-depth': fr.depth, tabindex: 0,
        title: fr.callback ? `a callback: ${fr.callback}. Show its stack` : 'show this frame\'s stack',
        text: `#${fr.depth} ${fr.function || 'func'}${fr.callback ? ` (${fr.callback})` : ''} at insn ${fr.pc}${where}` });
      const pick = (): void => {
        this.picked = fr === current ? undefined : fr.depth;
        if (this.session.snapshot) this.render(this.session.snapshot);
      };
      li.addEventListener('click', pick);
      li.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(); });
      return li;
    }));
    this.shown = f;
    if (!f) {
      this.title.textContent = 'Stack';
      this.dump.render(new Uint8Array(0), new Set(), () => ({}), { width: 8, from: 0, address: () => '' });
      return;
    }
    this.title.textContent = `Stack of frame #${f.depth} ${f.function}${f === current ? ' (current)' : ''}`;
    this.renderDump(f);
  }

  private renderDump(f: FrameView): void {
    const changed = new Set(f.changed);
    const size = f.stack.length;
    // Skip the untouched (all-zero) rows at the low end: stacks grow down from fp.
    let first = 0;
    while (first + 8 < size && f.stack.subarray(first, first + 8).every((b) => b === 0) &&
           ![...Array(8).keys()].some((k) => changed.has(first + k))) first += 8;
    first = Math.max(0, first - 8);
    const sel = this.dump.selected;
    if (sel && sel.start < first) first = sel.start - (sel.start % 8);
    this.dump.render(f.stack, changed, (i) => ({ title: `fp-${size - i} of frame #${f.depth}` }),
      { width: 8, from: first, address: (off) => `fp-${String(size - off).padEnd(3)}` });
  }

  private selected(s: Selection | undefined): void {
    const size = this.shown?.stack.length ?? 512;
    this.watch.disabled = !s;
    this.watch.textContent = s ? `Watch fp-${size - s.start} (${s.end - s.start} byte${s.end - s.start === 1 ? '' : 's'}) of frame #${this.shown?.depth ?? 0}`
      : 'Watch selection';
  }

  private async addWatch(): Promise<void> {
    const s = this.dump.selected;
    const f = this.shown;
    if (!s || !f) return;
    const err = await this.session.addWatch({ kind: 'stack', fpOffset: s.start - f.stack.length, length: s.end - s.start, frame: f.depth });
    this.error.textContent = err ? err.what : '';
    this.error.hidden = !err;
  }
}
