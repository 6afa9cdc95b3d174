// A fentry / fexit / lsm / tp_btf ... program's context as named arguments over the Context
// tab's hex: each argument is a u64 slot at its offset (core/run/btf_args_context.hpp), so an
// edited field rewrites those 8 bytes; a tracepoint record's field its own `width` bytes. The
// hex stays the one input the run gets; a hex shorter than the layout is read (and completed)
// with core's defaults (a record's __data_loc data after its fixed part too).
import type { ProgramArg } from './vm_types';

// `value`'s low `width` bytes, little-endian, at `offset`.
function putLe(out: Uint8Array, offset: number, width: number, value: bigint): void {
  for (let i = 0; i < width; i++) out[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

// The context bytes with every slot present: `bytes` over the defaults.
export function argsBytes(args: readonly ProgramArg[], bytes: Uint8Array): Uint8Array {
  const size = args.reduce((n, a) => Math.max(n, a.offset + a.width), 0);
  const out = new Uint8Array(Math.max(size, bytes.length));
  for (const a of args) putLe(out, a.offset, a.width, a.value);
  out.set(bytes);
  return out;
}

// A slot's value in `bytes` (its default when `bytes` does not reach it).
export function argValue(arg: ProgramArg, bytes: Uint8Array): bigint {
  const full = argsBytes([arg], bytes);
  let v = 0n;
  for (let i = 0; i < arg.width; i++) v |= BigInt(full[arg.offset + i] ?? 0) << BigInt(8 * i);
  return v;
}

// `bytes` with `arg`'s slot set to `value` (the other slots as they were, or their defaults).
export function setArg(args: readonly ProgramArg[], bytes: Uint8Array, arg: ProgramArg, value: bigint): Uint8Array {
  const out = argsBytes(args, bytes);
  putLe(out, arg.offset, arg.width, BigInt.asUintN(64, value));
  return out;
}

// Whether the page edits `arg` as a number: a record's strings and arrays are shown as core
// spells their defaults (set them in the hex).
export function argEditable(arg: ProgramArg): boolean {
  return arg.kind === '' || arg.kind === 'number';
}

// The heading over the fields: what the context is and how an edit lands.
export function argsHead(argsOf: string, args: readonly ProgramArg[]): string {
  if (args.some((a) => a.kind !== '')) return `${argsOf}'s record (its tracefs format; a value rewrites its bytes in the hex below)`;
  return `${argsOf}'s arguments (${args.some((a) => a.register) ? 'registers of struct pt_regs' : 'u64 slots'}; a value rewrites the hex below)`;
}

// What a user types: "-100", "42", "0x1f", "NULL" (bpfvm's --arg takes the same). undefined
// for anything else.
export function parseArgValue(text: string): bigint | undefined {
  const t = text.trim();
  if (t === 'NULL') return 0n;
  const m = /^(-?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(t);
  if (!m) return undefined;
  const v = BigInt(m[2] as string);
  return BigInt.asUintN(64, m[1] ? -v : v);
}

// A value for its field as core spells it (btf_arg_value_text, by the type facts core gives):
// pointers in hex, integers in decimal from the slot's low `size` bytes, signed or not.
export function argText(arg: ProgramArg, value: bigint): string {
  if (arg.pointer) return value === 0n ? 'NULL' : `0x${value.toString(16)}`;
  const bits = 8 * arg.size;
  return (arg.signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value)).toString();
}
