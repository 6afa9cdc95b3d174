// How a view of core's JSON is declared once (vm_types.ts): each key with what it holds. The
// TypeScript type of a view is derived from its schema (Decoded), normalize.ts's decode reads
// core's JSON by it, and its mismatches checks core's goldens against it (contract.test.ts).
// No imports: vm_types.ts and normalize.ts both build on it.

// What a key holds. A schema (an object of fields) is a field too: a nested view.
export type Field =
  | 'string' | 'number' | 'boolean'
  | 'u64'     // a 64-bit value: "0x..." or decimal digits (or a JSON number when small)
  | 'bytes'   // a byte buffer as hex
  | 'json'    // any JSON value, read as it is (a C value decoded through BTF)
  | 'object'  // a JSON object read as it is (a part of a host document)
  | { readonly oneOf: readonly string[] }
  | { readonly list: Field }
  | { readonly opt: Field }     // the key is absent when core has nothing to say
  | { readonly orNull: Field }  // the key is always there, null when core has nothing to say
  | Schema;
export interface Schema { readonly [key: string]: Field }

export const oneOf = <const T extends readonly string[]>(...values: T) => ({ oneOf: values });
export const list = <const F extends Field>(of: F) => ({ list: of });
export const opt = <const F extends Field>(of: F) => ({ opt: of });
export const orNull = <const F extends Field>(of: F) => ({ orNull: of });

type OptKeys<S> = { [K in keyof S]: S[K] extends { readonly opt: Field } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
type ViewOf<S> = Flat<
  { readonly [K in Exclude<keyof S, OptKeys<S>>]: Decoded<S[K]> } &
  { readonly [K in OptKeys<S>]?: S[K] extends { readonly opt: infer E } ? Decoded<E> : never }>;

// The TypeScript type of what `decode` makes of a field.
export type Decoded<F> =
  F extends 'string' ? string :
  F extends 'number' ? number :
  F extends 'boolean' ? boolean :
  F extends 'u64' ? bigint :
  F extends 'bytes' ? Uint8Array :
  F extends 'json' ? unknown :
  F extends 'object' ? Readonly<Record<string, unknown>> :
  F extends { readonly oneOf: readonly (infer S)[] } ? S :
  F extends { readonly list: infer E } ? readonly Decoded<E>[] :
  F extends { readonly orNull: infer E } ? Decoded<E> | null :
  F extends { readonly opt: infer E } ? Decoded<E> :
  F extends Schema ? ViewOf<F> :
  never;

