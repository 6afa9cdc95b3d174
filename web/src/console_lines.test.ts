import { describe, expect, it } from 'vitest';
import { hostEventLine, perfEventLine } from './console_lines';

describe('console lines', () => {
  it('sets the packet fate apart from the helper events', () => {
    expect(hostEventLine({ executed: 20, pc: 19, helper: 'exit', text: 'XDP_REDIRECT: the packet is sent out of eth1 (ifindex 3)' }))
      .toEqual({ tag: 'packet', kind: 'host-exit', text: 'XDP_REDIRECT: the packet is sent out of eth1 (ifindex 3)' });
    expect(hostEventLine({ executed: 12, pc: 11, helper: 'bpf_redirect_map', text: 'tx_ports[1] is eth1 (ifindex 3)' }))
      .toEqual({ tag: 'host', kind: 'host-event', text: 'bpf_redirect_map at pc 11: tx_ports[1] is eth1 (ifindex 3)' });
    expect(hostEventLine({ executed: 30, pc: 29, helper: 'exit', text: 'the program exits still holding the socket with cookie 4097: ...' }).kind)
      .toBe('host-leak');
  });

  it('shows a perf sample as its bytes, counted', () => {
    expect(perfEventLine({ map: 'events', cpu: 1, pc: 14, executed: 15, data: '010000002a000000' }))
      .toEqual({ tag: 'perf', kind: 'perf', text: 'events, cpu 1, pc 14: 8 bytes 01 00 00 00 2a 00 00 00' });
  });
});
