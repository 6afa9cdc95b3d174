// A hex dump the packet and stack panes share: rows of bytes after an address column, a class
// and a tooltip per byte, and a byte range selected by clicking (a byte's whole field, or the
// byte alone) and extended by shift-clicking, so the pane can offer "watch these bytes".
import { h } from './dom';
import { printable } from './hex';

export interface ByteLook {
  readonly cls?: string;                       // e.g. "layer-ipv4"
  readonly title?: string;                     // the tooltip: what the byte is
  readonly field?: readonly [number, number];  // [start, end): what a click on it selects
}

export interface DumpLayout {
  readonly width: number;                      // bytes a row
  readonly from: number;                       // the first byte shown (a multiple of width)
  readonly address: (offset: number) => string;
  readonly ascii?: boolean;                    // a printable-characters column (default: shown)
}

export interface Selection {
  readonly start: number;
  readonly end: number;  // exclusive
}

export class HexDump {
  readonly root: HTMLElement;
  private selection: Selection | undefined;
  private anchor = 0;
  private size = 0;

  constructor(id: string, private readonly onChange: (s: Selection | undefined) => void,
              private readonly onHover: (offset: number | undefined) => void = () => {}) {
    this.root = h('div', { class: 'hexdump', id });
    this.root.addEventListener('click', (e) => {
      const i = this.byteOf(e.target);
      if (i === undefined) return;
      const field = this.fields[i];
      if (e.shiftKey && this.selection) this.select(Math.min(this.anchor, i), Math.max(this.anchor, i) + 1);
      else if (field && !(this.selection?.start === field[0] && this.selection.end === field[1])) this.select(field[0], field[1]);
      else this.select(i, i + 1);
      if (!e.shiftKey) this.anchor = i;
    });
    this.root.addEventListener('mouseover', (e) => this.onHover(this.byteOf(e.target)));
    this.root.addEventListener('mouseleave', () => this.onHover(undefined));
  }

  private fields: (readonly [number, number] | undefined)[] = [];

  get selected(): Selection | undefined {
    return this.selection;
  }

  clear(): void {
    this.setSelection(undefined);
  }

  select(start: number, end: number): void {
    this.setSelection({ start: Math.max(0, start), end: Math.min(this.size, end) });
  }

  private setSelection(s: Selection | undefined): void {
    this.selection = s && s.end > s.start ? s : undefined;
    for (const el of this.root.querySelectorAll<HTMLElement>('.byte')) {
      const i = Number(el.dataset['i']);
      el.classList.toggle('selected', !!this.selection && i >= this.selection.start && i < this.selection.end);
    }
    this.onChange(this.selection);
  }

  private byteOf(target: EventTarget | null): number | undefined {
    if (!(target instanceof HTMLElement) || !target.classList.contains('byte')) return undefined;
    return Number(target.dataset['i']);
  }

  render(bytes: Uint8Array, changed: ReadonlySet<number>, look: (i: number) => ByteLook, layout: DumpLayout): void {
    this.size = bytes.length;
    this.fields = new Array<readonly [number, number] | undefined>(bytes.length);
    const sel = this.selection && this.selection.end <= bytes.length ? this.selection : undefined;
    const rows: HTMLElement[] = [];
    for (let off = layout.from; off < bytes.length; off += layout.width) {
      const cells: (Node | string)[] = [];
      let ascii = '';
      for (let i = off; i < off + layout.width && i < bytes.length; i++) {
        const b = bytes[i] ?? 0;
        const l = look(i);
        this.fields[i] = l.field;
        const cls = ['byte', b ? '' : 'zero', l.cls ?? '', changed.has(i) ? 'changed' : '',
          sel && i >= sel.start && i < sel.end ? 'selected' : ''].filter(Boolean).join(' ');
        cells.push(h('span', { class: cls, 'data-i': i, title: l.title, text: b.toString(16).padStart(2, '0') }), ' ');
        ascii += printable(b);
      }
      rows.push(h('div', { class: 'hexrow' }, h('span', { class: 'addr', text: layout.address(off) }), ...cells,
        layout.ascii === false ? undefined : h('span', { class: 'ascii', text: ascii })));
    }
    this.root.replaceChildren(...rows);
    if (sel !== this.selection) this.setSelection(sel);
  }
}
