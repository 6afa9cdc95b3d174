// The status line's account of a fast continue (core's cont_fast): how many instructions ran,
// in what wall time, how many of them as WebAssembly, and the price -- the history before it
// is gone, so stepping back stops where it ended. stopped: the user's Stop ended it midway.
export function fastRunText(steps: number, fastInsns: number, runMs: number, stopped = false): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const ms = runMs < 10 ? runMs.toFixed(2) : runMs.toFixed(0);
  // Below a few thousand instructions the per-instruction figure is the call's overhead.
  const rate = steps >= 10_000 ? `, ${((runMs * 1e6) / steps).toFixed(2)} ns each` : '';
  const wasm = fastInsns === steps ? 'all as WebAssembly' : `${n(fastInsns)} as WebAssembly`;
  return `fast run${stopped ? ' stopped' : ''}: ${n(steps)} instructions in ${ms} ms${rate} (${wasm}) · not recorded: step back stops here`;
}
