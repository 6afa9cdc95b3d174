// The Context tab's named arguments (ctx_args.ts) over the hex, with the layout core writes in
// the object summary (kProgramArg in vm_types.ts).
import { describe, expect, it } from 'vitest';
import { argEditable, argsBytes, argsHead, argText, argValue, parseArgValue, setArg } from './ctx_args';
import { decode } from './normalize';
import { kObjectSummary } from './vm_types';

// What bpfvm info --json writes for public/examples/fentry_unlink.o's unlink_exit.
const summary = decode(kObjectSummary, {
  programs: [{
    name: 'unlink_exit', section: 'fexit/do_unlinkat', type: 'tracing', context: 'raw memory', type_known: true, runnable: true,
    status: 'runnable', args_of: 'do_unlinkat',
    args: [
      { name: 'dfd', type: 'int', offset: 0, width: 8, kind: '', value: 0, text: '0', pointer: false, signed: true, size: 4, register: '' },
      { name: 'name', type: 'struct filename *', offset: 8, width: 8, kind: '', value: 17179913640, text: '0x40000ada8', pointer: true, signed: false, size: 8, register: '' },
      { name: 'ret', type: 'int', offset: 16, width: 8, kind: '', value: 0, text: '0', pointer: false, signed: true, size: 4, register: '' },
    ],
  }],
  maps: [], entry_program: 'unlink_exit',
});

describe('ctx_args: a tracing program\'s arguments over the context hex', () => {
  const p = summary.programs[0];
  const args = p?.args ?? [];
  const [dfd, name, ret] = args;

  it('reads the layout and defaults from the object summary', () => {
    expect(p?.args_of).toBe('do_unlinkat');
    expect(args.map((a) => `${a.name}@${a.offset}`)).toEqual(['dfd@0', 'name@8', 'ret@16']);
    expect(name?.value).toBe(0x40000ada8n);
  });

  it('fills an empty hex with the defaults and rewrites one slot', () => {
    expect(argsBytes(args, new Uint8Array(0))).toEqual(new Uint8Array([
      0, 0, 0, 0, 0, 0, 0, 0, 0xa8, 0xad, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const v = parseArgValue('-2');
    expect(v).toBe(0xfffffffffffffffen);
    const edited = setArg(args, new Uint8Array(0), ret!, v!);
    expect([...edited.subarray(16)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(argValue(name!, edited)).toBe(0x40000ada8n);
    expect(argText(ret!, argValue(ret!, edited))).toBe('-2');
    // An int is its slot's low 4 bytes, as core reads it: 0xfffffffe is -2 too.
    expect(argText(ret!, 0xfffffffen)).toBe('-2');
    // A hex of the first slot only keeps it; the rest are the defaults.
    const short = setArg(args, new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]), name!, 0n);
    expect(argValue(dfd!, short)).toBe(5n);
    expect(argText(name!, argValue(name!, short))).toBe('NULL');
  });

  it('takes the values bpfvm --arg takes', () => {
    expect(parseArgValue('0x1f')).toBe(31n);
    expect(parseArgValue('NULL')).toBe(0n);
    expect(parseArgValue('42')).toBe(42n);
    expect(parseArgValue('12a')).toBeUndefined();
    expect(parseArgValue('')).toBeUndefined();
  });
});

// A kprobe's arguments are registers of struct pt_regs (168 bytes): kprobe_regs.o's trace_openat2.
describe('ctx_args: a kprobe\'s arguments in their pt_regs registers', () => {
  const kprobe = decode(kObjectSummary, {
    programs: [{
      name: 'trace_openat2', section: 'kprobe/do_sys_openat2', type: 'kprobe', type_known: true, context: 'pt_regs', runnable: true,
      status: 'runnable', args_of: 'do_sys_openat2',
      args: [
        { name: 'dfd', type: 'int', offset: 112, width: 8, kind: '', value: 0, text: '0', pointer: false, signed: true, size: 4, register: 'di' },
        { name: 'filename', type: 'const char *', offset: 104, width: 8, kind: '', value: 0, text: 'NULL', pointer: true, signed: false, size: 8, register: 'si' },
      ],
    }],
    maps: [], entry_program: 'trace_openat2',
  }).programs[0]?.args ?? [];
  const [dfd, filename] = kprobe;

  it('reads each register at its pt_regs offset and keeps the other registers', () => {
    expect(kprobe.map((a) => `${a.name}@${a.offset}/${a.register}`)).toEqual(['dfd@112/di', 'filename@104/si']);
    const regs = new Uint8Array(168);
    regs[0] = 0x77;  // r15: not an argument, kept
    const edited = setArg(kprobe, regs, dfd!, parseArgValue('-100')!);
    expect(edited.length).toBe(168);
    expect(edited[0]).toBe(0x77);
    expect([...edited.subarray(112, 120)]).toEqual([0x9c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(argText(filename!, argValue(filename!, edited))).toBe('NULL');
    expect(argText(dfd!, argValue(dfd!, edited))).toBe('-100');
  });
});

// A tracepoint's record (bpfvm info --json of tests/run/bpf/tracepoint_records.o's irq_entry):
// each field its own width, the __data_loc name shown as core spells it.
describe('ctx_args: a tracepoint record by field', () => {
  const record = decode(kObjectSummary, {
    programs: [{
      name: 'irq_entry', section: 'tracepoint/irq/irq_handler_entry', type: 'tracepoint', context: 'raw memory', type_known: true, runnable: true,
      status: 'runnable', args_of: 'irq/irq_handler_entry',
      args: [
        { name: 'common_type', type: 'unsigned short', offset: 0, width: 2, kind: 'number', value: 225, text: '225', pointer: false, signed: false, size: 2, register: '' },
        { name: 'common_flags', type: 'unsigned char', offset: 2, width: 1, kind: 'number', value: 0, text: '0', pointer: false, signed: false, size: 1, register: '' },
        { name: 'common_preempt_count', type: 'unsigned char', offset: 3, width: 1, kind: 'number', value: 0, text: '0', pointer: false, signed: false, size: 1, register: '' },
        { name: 'common_pid', type: 'int', offset: 4, width: 4, kind: 'number', value: 4242, text: '4242', pointer: false, signed: true, size: 4, register: '' },
        { name: 'irq', type: 'int', offset: 8, width: 4, kind: 'number', value: 0, text: '0', pointer: false, signed: true, size: 4, register: '' },
        { name: 'name', type: '__data_loc char[]', offset: 12, width: 4, kind: 'data_loc', value: 65552, text: '"" (1 byte at 16)', pointer: false, signed: false, size: 4, register: '' },
      ],
    }],
    maps: [], entry_program: 'irq_entry',
  }).programs[0];
  const args = record?.args ?? [];
  const irq = args[4]!;
  const name = args[5]!;

  it('writes an edit to the field\'s own bytes, not the next field\'s', () => {
    expect(argsBytes(args, new Uint8Array(0))).toEqual(new Uint8Array([225, 0, 0, 0, 0x92, 0x10, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0]));
    const edited = setArg(args, new Uint8Array(0), irq, parseArgValue('-1')!);
    expect([...edited.subarray(8, 16)]).toEqual([0xff, 0xff, 0xff, 0xff, 16, 0, 1, 0]);
    expect(argText(irq, argValue(irq, edited))).toBe('-1');
    expect(argValue(name, edited)).toBe(0x10010n);
  });

  it('edits numbers only and says the context is the record', () => {
    expect(argEditable(irq)).toBe(true);
    expect(argEditable(name)).toBe(false);
    expect(argsHead(record?.args_of ?? '', args)).toBe("irq/irq_handler_entry's record (its tracefs format; a value rewrites its bytes in the hex below)");
  });
});
