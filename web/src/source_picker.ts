// Where a program comes from: a bundled example, a .o from the file picker or dropped on the
// page, or assembly text (llvm-objdump syntax) pasted into a dialog.
import { h } from './dom';
import { kExamples } from './examples';
import type { CoreDefaults } from './vm_types';

export type Picked =
  | { kind: 'example'; file: string }
  | { kind: 'object'; name: string; bytes: Uint8Array }
  | { kind: 'assembly'; text: string; section: string };

export class SourcePicker {
  readonly exampleSelect = h('select', { id: 'example-select', 'aria-label': 'bundled example' },
    h('option', { value: '', text: '(your file)' }),
    ...kExamples.map((e) => h('option', { value: e.file, text: `${e.file.replace(/\.o$/, '')} — ${e.teaches}` })));
  private readonly fileInput = h('input', { type: 'file', id: 'file-input', accept: '.o,.elf,application/octet-stream', hidden: true });
  private readonly dialog = h('dialog', { id: 'asm-dialog' });
  private readonly sectionSelect = h('select', { id: 'asm-section', 'aria-label': 'program type' });

  // The example shown as picked: what is loaded now ('' = the user's file or assembly).
  private loadedExample: string;

  // onPick resolves to whether the program was loaded: when it was not (a file that is not a
  // BPF object), the page keeps the old program and the picker goes back to naming it.
  constructor(root: HTMLElement, private readonly onPick: (p: Picked) => Promise<boolean>) {
    this.loadedExample = this.exampleSelect.value;
    this.exampleSelect.addEventListener('change', () => {
      if (this.exampleSelect.value) void this.pick({ kind: 'example', file: this.exampleSelect.value }, this.exampleSelect.value);
    });
    this.fileInput.addEventListener('change', () => {
      const f = this.fileInput.files?.[0];
      if (f) void this.openFile(f);
      this.fileInput.value = '';
    });
    const asmText = h('textarea', { id: 'asm-text', rows: 14, cols: 60, spellcheck: 'false',
      placeholder: 'r0 = 0\nr1 = 5\nr0 += r1\nexit' });
    // Filled with core's sections (setAssemblySections) once the VM is ready.
    const section = this.sectionSelect;
    this.dialog.append(h('h3', { text: 'Paste assembly (llvm-objdump syntax)' }), asmText,
      h('label', { class: 'field inline' }, h('span', { text: 'runs as' }), section),
      h('div', { class: 'dialog-buttons' },
        h('button', { text: 'Cancel', onclick: () => this.dialog.close() }),
        h('button', { class: 'primary', id: 'asm-run', text: 'Load', onclick: () => {
          this.dialog.close();
          void this.pick({ kind: 'assembly', text: asmText.value, section: section.value }, '');
        } })));
    root.append(
      h('label', { class: 'field inline' }, h('span', { text: 'example' }), this.exampleSelect),
      h('button', { id: 'btn-open', text: 'Open .o…', title: 'or drop a .o file anywhere on the page', onclick: () => this.fileInput.click() }),
      h('button', { id: 'btn-paste', text: 'Paste assembly…', onclick: () => this.dialog.showModal() }),
      this.fileInput, this.dialog);

    document.addEventListener('dragover', (e) => {
      e.preventDefault();
      document.body.classList.add('dropping');
    });
    document.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      document.body.classList.remove('dropping');
      const f = e.dataTransfer?.files[0];
      if (f) void this.openFile(f);
    });
  }

  private async openFile(f: File): Promise<void> {
    await this.pick({ kind: 'object', name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }, '');
  }

  // What a pasted program may run as (core's defaults_json "assembly_sections"): its section
  // name, the program type core reads from it and the context r1 points at.
  setAssemblySections(sections: CoreDefaults['assembly_sections']): void {
    this.sectionSelect.replaceChildren(...sections.map((s) => h('option', { value: s.section,
      text: s.context === 'raw memory' ? 'raw memory (r1 = context bytes, r2 = their length)'
        : `${s.section.replace(/\/.*/, '')}: ${s.type} (r1 = struct ${s.context})` })));
  }

  // The picker names what is loaded: the example, or "(your file)".
  shown(example: string): void {
    this.exampleSelect.value = example;
    this.loadedExample = example;
  }

  private async pick(p: Picked, example: string): Promise<void> {
    this.exampleSelect.value = example;
    if (await this.onPick(p)) this.loadedExample = example;
    else this.exampleSelect.value = this.loadedExample;
  }
}
