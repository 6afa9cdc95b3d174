// Types of the Embind module built by wasm-bindings/ (bpfplay.mjs). Keep in step with
// wasm-bindings/bindings.cpp (web/src/contract.test.ts fails when the two differ). Methods
// returning string return JSON made by core.
export interface Playground {
  load_object(bytes: Uint8Array, name: string, host: string): string;
  load_assembly(text: string, section: string, host: string): string;
  listing(program: string): string;
  // Host scripts through the object opened afresh on its host: {"ok":true,"report":...} or a
  // failure. script: core's scenario JSON / the host JSON's "tcp_flow" (host_scripts.ts).
  play_scenario(script: string): string;
  run_tcp_flow(script: string, budget: number): string;
  // JSON {"ok":true,"verdict":...}: core's checker on the program (VerdictView).
  verify(program: string): string;
  // The CPU the next runs execute on (0 .. ncpus - 1); the maps carry over.
  set_cpu(cpu: number): string;
  start(program: string, packet: Uint8Array, ctx: Uint8Array, budget: number): string;
  start_timer(): string;
  step(): string;
  step_over(): string;
  step_out(): string;
  step_line(): string;
  next_line(): string;
  reset(): string;
  step_back(): string;
  step_back_over(): string;
  step_back_line(): string;
  step_back_line_over(): string;
  cont(maxSteps: number): string;
  // The rest of the run unrecorded, as WebAssembly: JSON stop with "fast" and "fast_insns".
  cont_fast(maxSteps: number): string;
  reverse_cont(maxSteps: number): string;
  goto_count(count: number): string;
  state(): string;
  hit_counts(): string;
  // pc < 0: the current instruction, with the values now. JSON: core's explain_json (ExplainView).
  explain(pc: number): string;
  add_breakpoint(pc: number, condition: string): string;
  remove_breakpoint(id: number): boolean;
  add_stack_watch(fpOffset: number, length: number, frame: number): string;
  add_packet_watch(offset: number, length: number): string;
  add_map_watch(map: string, key: Uint8Array): string;
  remove_watch(id: number): boolean;
  stops(): string;
  // valuesJson: a JSON array of value texts (one, or one per CPU); answers ok and the key's hex, or an error.
  set_map_entry(map: string, keyJson: string, valuesJson: string, flags: number): string;
  delete_map_entry(map: string, key: Uint8Array): number;
  // One of bpf(2)'s map commands ("lookup_batch counts 4"): {"ok":true,"result":MapCommandView} or a failure.
  map_command(line: string): string;
  executed(): number;
  delete(): void;
}

export interface BpfplayModule {
  // default_scenario_json / default_tcp_flow_json: the scripts the page's editor starts with.
  // share_link_*: core/share/share_link.hpp. decode: {"ok":true,"link":ShareLinkView|null} or a
  // failure; encode takes a ShareLinkView's JSON and answers {"ok":true,"hash":"z=..."} or a failure.
  Playground: {
    new (): Playground; default_host_json(): string; defaults_json(): string;
    default_scenario_json(): string; default_tcp_flow_json(): string;
    share_link_decode(hash: string): string; share_link_encode(viewJson: string): string;
  };
}

export interface ModuleOptions {
  locateFile?: (path: string, prefix: string) => string;
  wasmBinary?: ArrayBuffer | Uint8Array;
}

declare const createModule: (options?: ModuleOptions) => Promise<BpfplayModule>;
export default createModule;
