// Browser tests of the Host tab's network: the ingress device reaches xdp_md, a device added
// or removed decides where XDP_REDIRECT sends the packet (the console's packet line), core's
// error for a malformed MAC is shown next to the tab, and a share link carries the network.
// With public/examples/xdp_redirect_map.o (examples/cases/xdp_redirect_map.json): its preset
// packet is UDP to port 53, bucket 53 % 4 = 1, so tx_ports[1] names the device it leaves by.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from './page_harness.mjs';

let h, url, page, consoleErrors, shot, andWait, openExample;

before(async () => {
  h = await openHarness();
  ({ url, page, consoleErrors, shot, andWait, openExample } = h);
});

after(async () => {
  await h?.close();
});

const hostTab = () => page.locator('#input button[role="tab"]', { hasText: 'Host' });
const deviceNames = () => page.$$eval('#host-devices tbody tr', (rows) =>
  rows.map((r) => [r.querySelector('[aria-label$=".ifindex"]').value, r.querySelector('[aria-label$=".name"]').value]));
const ctxField = (name) => page.textContent(`#context-fields tr[data-field="${name}"] .ctx-value`);
// The console's line for what became of the packet, without its tag.
const packetFate = () => page.$eval('#run-log .host-exit', (e) => e.lastChild.textContent);

async function setTxPort(bucket, ifindex) {
  const map = page.locator('section[data-map="tx_ports"]');
  await map.locator('textarea[aria-label="new key for tx_ports"]').fill(String(bucket));
  await map.locator('textarea[aria-label="new value for tx_ports"]').fill(String(ifindex));
  await andWait(() => map.locator('.map-add button.save').click());
  await page.waitForSelector(`section[data-map="tx_ports"] tr[data-key="0${bucket}000000"]`);
}

test('the Host tab shows core\'s network; the ingress device reaches xdp_md.ingress_ifindex', async () => {
  await openExample('xdp_redirect_map.o');
  await hostTab().click();
  await page.waitForSelector('#host-devices tbody tr');
  assert.deepEqual(await deviceNames(), [['1', 'lo'], ['2', 'eth0'], ['3', 'eth1']]);
  assert.equal(await page.inputValue('[aria-label="devices[2].mac"]'), '02:00:00:00:01:02');
  assert.equal(await page.inputValue('[aria-label="devices[1].ipv4"]'), '10.0.0.2/24');
  assert.equal(await page.inputValue('#host-ingress'), '1', 'packets arrive on lo by default, as under BPF_PROG_TEST_RUN');
  assert.deepEqual(await page.$$eval('#host-ingress option', (os) => os.map((o) => o.textContent)),
    ['lo (ifindex 1)', 'eth0 (ifindex 2)', 'eth1 (ifindex 3)']);
  assert.equal(await page.$$eval('#host-sockets tbody tr', (rows) => rows.length), 3);
  assert.equal(await page.inputValue('[aria-label="sockets[0].local_port"]'), '80');
  assert.equal(await page.inputValue('[aria-label="sockets[1].state"]'), 'established');
  assert.match(await page.inputValue('#host-routes'), /^\{"dst":"0\.0\.0\.0\/0","via":"10\.0\.0\.1","dev":2/);
  assert.equal(await ctxField('ingress_ifindex'), '1');
  await shot('60-host-tab-defaults');

  await page.selectOption('#host-ingress', '2');
  await andWait(() => page.click('#apply-input'));
  assert.equal(await ctxField('ingress_ifindex'), '2');
  await shot('61-host-ingress-eth0');
});

test('a device added to the host takes the redirected packet; removed, the packet is dropped', async () => {
  await page.click('#host-add-device');
  assert.deepEqual(await deviceNames(), [['1', 'lo'], ['2', 'eth0'], ['3', 'eth1'], ['4', 'eth2']]);
  assert.equal(await page.inputValue('[aria-label="devices[3].mac"]'), '02:00:00:00:04:02');
  await andWait(() => page.click('#apply-input'));
  await setTxPort(1, 4);
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_REDIRECT/);
  assert.equal(await packetFate(), 'XDP_REDIRECT: the packet is sent out of eth2 (ifindex 4)');
  await shot('62-host-redirect-to-eth2');

  await page.click('[aria-label="remove devices[3]"]');
  assert.deepEqual(await deviceNames(), [['1', 'lo'], ['2', 'eth0'], ['3', 'eth1']]);
  await andWait(() => page.click('#apply-input'));
  // The object was loaded again on the new host: its maps start empty.
  assert.equal(await page.locator('section[data-map="tx_ports"] tbody tr').count(), 0);
  await setTxPort(1, 4);
  await andWait(() => page.click('#btn-continue'));
  assert.equal(await packetFate(), 'XDP_REDIRECT: the packet is dropped: there is no device with ifindex 4');
  await shot('63-host-redirect-no-device');
});

test('a malformed MAC is refused with core\'s words next to the Host tab', async () => {
  assert.equal(await page.isVisible('#host-error'), false);
  await page.fill('[aria-label="devices[1].mac"]', '02:00');
  await page.click('#apply-input');
  await page.waitForSelector('#host-error', { state: 'visible' });
  assert.equal(await page.textContent('#host-error'), 'Host: devices[1].mac: "02:00" is not a MAC address like 02:00:00:00:00:02');
  assert.equal(await hostTab().evaluate((b) => b.classList.contains('invalid')), true);
  assert.equal(await packetFate(), 'XDP_REDIRECT: the packet is dropped: there is no device with ifindex 4',
    'the run already on screen stays');
  await shot('64-host-bad-mac');

  await page.fill('[aria-label="devices[1].mac"]', '02:00:00:00:00:02');
  await andWait(() => page.click('#apply-input'));
  await page.waitForSelector('#host-error', { state: 'hidden' });
  assert.equal(await hostTab().evaluate((b) => b.classList.contains('invalid')), false);
});

test('socket edits reach core: UDP has no TCP state, a bad address is named', async () => {
  await page.selectOption('[aria-label="sockets[0].protocol"]', 'udp');
  assert.equal(await page.isDisabled('[aria-label="sockets[0].state"]'), true);
  await page.fill('[aria-label="sockets[0].local_addr"]', '10.0.0.300');
  await page.click('#apply-input');
  await page.waitForSelector('#host-error', { state: 'visible' });
  assert.equal(await page.textContent('#host-error'), 'Host: sockets[0].local_addr: "10.0.0.300" is not an IPv4 or IPv6 address');
  await shot('65-host-bad-socket-address');
  await page.fill('[aria-label="sockets[0].local_addr"]', '0.0.0.0');
  await page.selectOption('[aria-label="sockets[0].protocol"]', 'tcp');
  assert.equal(await page.inputValue('[aria-label="sockets[0].state"]'), 'listen', 'no remote port: a listener');
  await andWait(() => page.click('#apply-input'));
  await page.waitForSelector('#host-error', { state: 'hidden' });
});

test('a share link carries the host network', async () => {
  await page.click('#host-add-device');
  await page.fill('[aria-label="devices[3].name"]', 'wan0');
  await page.selectOption('#host-ingress', '4');
  await andWait(() => page.click('#apply-input'));
  assert.equal(await ctxField('ingress_ifindex'), '4');
  await page.click('#btn-share');
  await page.waitForFunction(() => /#[zj]=/.test(document.querySelector('#share-url').value));
  const link = await page.inputValue('#share-url');
  await page.goto('about:blank');
  await page.goto(link);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await hostTab().click();
  assert.deepEqual(await deviceNames(), [['1', 'lo'], ['2', 'eth0'], ['3', 'eth1'], ['4', 'wan0']]);
  assert.equal(await page.inputValue('#host-ingress'), '4');
  assert.equal(await ctxField('ingress_ifindex'), '4', 'the opened link ran on its host');
  await shot('66-host-from-link');
  assert.deepEqual(consoleErrors, []);
});
