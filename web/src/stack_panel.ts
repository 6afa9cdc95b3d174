// The current frame's 512-byte stack as a hex dump (addresses as fp-N, changed bytes marked),
// only the rows in use plus the one above, and the call stack.
import { h } from './dom';
import { printable } from './hex';
import type { Session } from './session';
import type { FrameView, Snapshot } from './vm_types';

export class StackPanel {
  private readonly dump = h('div', { class: 'hexdump', id: 'stack-dump' });
  private readonly calls = h('ol', { class: 'callstack', id: 'call-stack' });

  constructor(root: HTMLElement, session: Session) {
    root.append(h('h3', { text: 'Call stack' }), this.calls, h('h3', { text: 'Stack (current frame)' }), this.dump);
    session.events.on('snapshot', (s: Snapshot) => this.render(s));
  }

  private render(s: Snapshot): void {
    const frames = s.state.frames;
    this.calls.replaceChildren(...[...frames].reverse().map((f) => {
      const where = f.source.line ? ` ${f.source.file.split('/').pop() ?? ''}:${f.source.line}` : '';
      return h('li', { text: `#${f.depth} ${f.fn || 'func'} at insn ${f.pc}${where}` });
    }));
    const f = frames[frames.length - 1];
    if (f) this.renderDump(f);
    else this.dump.replaceChildren();
  }

  private renderDump(f: FrameView): void {
    const changed = new Set(f.changed);
    const size = f.stack.length;
    // Skip the untouched (all-zero) rows at the low end: stacks grow down from fp.
    let first = 0;
    while (first + 8 < size && f.stack.subarray(first, first + 8).every((b) => b === 0) &&
           ![...Array(8).keys()].some((k) => changed.has(first + k))) first += 8;
    first = Math.max(0, first - 8);
    const rows: HTMLElement[] = [];
    for (let off = first; off < size; off += 8) {
      const cells: (Node | string)[] = [];
      let ascii = '';
      for (let i = off; i < off + 8 && i < size; i++) {
        const b = f.stack[i] ?? 0;
        const cell = h('span', { class: changed.has(i) ? 'byte changed' : b ? 'byte' : 'byte zero', text: b.toString(16).padStart(2, '0') });
        cells.push(cell, ' ');
        ascii += printable(b);
      }
      rows.push(h('div', { class: 'hexrow' }, h('span', { class: 'addr', text: `fp-${String(size - off).padEnd(3)}` }), ...cells,
        h('span', { class: 'ascii', text: ascii })));
    }
    this.dump.replaceChildren(...rows);
  }
}
