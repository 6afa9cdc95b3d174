// How the console words the host's events and perf samples for a learner (pure, unit-tested):
// what became of the packet stands apart from the helpers' events that led to it.
import type { HostEventView, PerfEventView } from './vm_types';

export interface ConsoleLine {
  tag: string;   // the short label in the left column
  kind: string;  // a class: host-exit (the packet's fate), host-leak, host-event, perf
  text: string;
}

export function hostEventLine(e: HostEventView): ConsoleLine {
  if (e.helper !== 'exit') return { tag: 'host', kind: 'host-event', text: `${e.helper} at pc ${e.pc}: ${e.text}` };
  // exit_report's sentences after the fate are about sockets the program still holds.
  if (e.text.startsWith('the program exits still holding')) return { tag: 'leak', kind: 'host-leak', text: e.text };
  return { tag: 'packet', kind: 'host-exit', text: e.text };
}

// "perf events_map, cpu 0, pc 14: 8 bytes 01 00 00 00 2a 00 00 00".
export function perfEventLine(e: PerfEventView): ConsoleLine {
  const bytes = e.data.match(/../g) ?? [];
  return { tag: 'perf', kind: 'perf', text: `${e.map}, cpu ${e.cpu}, pc ${e.pc}: ${bytes.length} bytes ${bytes.join(' ')}`.trimEnd() };
}
