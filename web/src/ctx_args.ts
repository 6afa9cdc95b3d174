// A fentry / fexit / lsm / tp_btf ... program's context as named arguments over the Context
// tab's hex: each argument is a u64 slot at its offset (core/run/btf_args_context.hpp), so an
// edited field rewrites those 8 bytes. The hex stays the one input the run gets; a hex shorter
// than the layout is read (and completed) with core's defaults.
import type { ProgramArg } from './vm_types';

// The context bytes with every slot present: `bytes` over the defaults.
export function argsBytes(args: readonly ProgramArg[], bytes: Uint8Array): Uint8Array {
  const size = args.reduce((n, a) => Math.max(n, a.offset + 8), 0);
  const out = new Uint8Array(Math.max(size, bytes.length));
  const view = new DataView(out.buffer);
  for (const a of args) view.setBigUint64(a.offset, a.value, true);
  out.set(bytes);
  return out;
}

export function argValue(arg: ProgramArg, bytes: Uint8Array): bigint {
  const full = argsBytes([arg], bytes);
  return new DataView(full.buffer).getBigUint64(arg.offset, true);
}

// `bytes` with `arg`'s slot set to `value` (the other slots as they were, or their defaults).
export function setArg(args: readonly ProgramArg[], bytes: Uint8Array, arg: ProgramArg, value: bigint): Uint8Array {
  const out = argsBytes(args, bytes);
  new DataView(out.buffer).setBigUint64(arg.offset, BigInt.asUintN(64, value), true);
  return out;
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
