// Browser tests of an object with programs that cannot run (tests/loader/fixtures/
// refused_sibling.c: an XDP program, an fentry program calling the kfunc bpf_cpumask_create, which bpfplay lacks, and a
// socket filter calling bpf_redirect, which the kernel's verifier refuses): the picker marks the
// refused ones with core's reason, choosing one shows its load error by the picker and its
// code, and the rest of the page stays usable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtures, openHarness, repo } from './page_harness.mjs';

const fixture = `${repo}tests/loader/fixtures/refused_sibling.o`;

let h, url, page, consoleErrors, shot, andWait;

before(async () => {
  h = await openHarness();
  ({ url, page, consoleErrors, shot, andWait } = h);
});

after(async () => {
  await h?.close();
});

const optionOf = (name) => page.locator(`#program-select option[value="${name}"]`);

test('an object with refused programs opens on the program that can run; the others say why not', async () => {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.setInputFiles('#file-input', fixture);
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'refused_sibling.o');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.inputValue('#program-select'), 'count_packets', 'core\'s entry program is chosen');
  assert.ok(await page.$eval('#program-error', (e) => e.hidden), 'no error for a program that runs');

  assert.equal(await optionOf('count_packets').getAttribute('data-refused'), null);
  assert.equal(await optionOf('signal_opener').getAttribute('data-refused'), 'true');
  assert.match(await optionOf('signal_opener').textContent(), /cannot run: kfunc bpf_cpumask_create is not available here\./);
  assert.match(await optionOf('redirect_socket').textContent(),
    /cannot run: program of type socket_filter cannot use helper bpf_redirect#23/);
  assert.match(await optionOf('redirect_socket').getAttribute('title'),
    /^cannot run: insn 2 \(\.\/tests\/loader\/fixtures\/refused_sibling\.c:36\)/);
  assert.match(await page.textContent('#messages'), /Loaded refused_sibling\.o: 3 program\(s\) \(2 cannot run\), 1 map\(s\)\./);
  await shot('30-refused-programs-loaded');
});

test('choosing a refused program shows its load error by the picker and its refused instruction', async () => {
  await page.selectOption('#program-select', 'redirect_socket');
  await page.waitForSelector('body[data-ready="refused"]');
  const box = page.locator('#program-error');
  assert.ok(await box.isVisible());
  const text = await box.textContent();
  assert.match(text, /^redirect_socket cannot run \(insn 2, \.\/tests\/loader\/fixtures\/refused_sibling\.c:36\): /);
  assert.match(text, /program of type socket_filter cannot use helper bpf_redirect#23/);
  assert.match(await box.locator('.hint').textContent(), /bpf_redirect is available to sched_cls, sched_act, xdp and lwt_xmit programs/);
  // Its code is shown with the refused call marked; nothing runs.
  await page.waitForSelector('.insn.fault');
  assert.equal(await page.$eval('.insn.fault', (e) => e.dataset.pc), '2');
  assert.match(await page.textContent('.insn.fault'), /call 23 ; bpf_redirect/);
  assert.match(await page.textContent('#refused-note'), /refused_sibling\.c:36: program of type socket_filter/);
  assert.ok(await page.$eval('#btn-step', (b) => b.disabled), 'stepping waits for a program that can run');
  assert.match(await page.textContent('#status'), /redirect_socket cannot run/);
  // F11 does nothing either.
  await page.keyboard.press('F11');
  assert.equal(await page.$eval('.insn.fault', (e) => e.dataset.pc), '2');
  await shot('31-refused-program-chosen');
});

test('a program bpfplay lacks a kfunc for says so, and the page goes on with the one that runs', async () => {
  await page.selectOption('#program-select', 'signal_opener');
  await page.waitForFunction(() => /signal_opener cannot run/.test(document.querySelector('#program-error')?.textContent ?? ''));
  const text = await page.textContent('#program-error');
  assert.match(text, /\(insn 0, \.\/tests\/loader\/fixtures\/refused_sibling\.c:29\): kfunc bpf_cpumask_create is not available here\./);
  assert.match(text, /bpfplay does not implement it yet/);

  // Back to the program that runs: it starts, steps and exits as before.
  await page.selectOption('#program-select', 'count_packets');
  await page.waitForSelector('body[data-ready="true"]');
  assert.ok(await page.$eval('#program-error', (e) => e.hidden), 'the error box goes away');
  assert.ok(!await page.$eval('#btn-step', (b) => b.disabled));
  assert.equal(await page.$eval('.insn.current', (e) => e.dataset.pc), '0');
  assert.equal(await page.$$eval('.insn.fault', (els) => els.length), 0);
  await andWait(() => page.click('#btn-step'));
  assert.equal(await page.$eval('.insn.current', (e) => e.dataset.pc), '1');
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#status'), /exited: r0 = 2 \(XDP_PASS\)/);
  // The bundled examples still open.
  await page.selectOption('#example-select', 'xdp_drop_port.o');
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'xdp_drop_port.o');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.inputValue('#program-select'), 'xdp_drop_port');
  assert.deepEqual(consoleErrors, []);
  await shot('32-refused-then-runnable');
});

// tests/browser/fixtures/oob_read.c: 0: r1 = ctx->data; 1: r1 = *(u8 *)(r1 + 100), which the
// kernel's verifier refuses (no data_end check). The page still runs it; the registers panel
// shows, beside each real value, the register state core's checker inferred there.
const verifierCell = (reg) => page.textContent(`#reg-${reg} .reg-verifier`);
const verifierNote = () => page.textContent('#reg-verifier-note');

test('stepping a refused program along the checker\'s path shows the registers the checker inferred beside the real ones', async () => {
  await page.setInputFiles('#file-input', `${fixtures}/oob_read.o`);
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'oob_read.o');
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#verifier-note');
  await page.waitForFunction(() => document.querySelector('#reg-verifier-note')?.hidden === false);
  assert.equal(await page.$eval('.insn.current', (e) => e.dataset.pc), '0');
  assert.equal(await verifierNote(), 'verifier: registers it inferred before this instruction (path step 1 of 2)');
  assert.equal(await verifierCell('r1'), 'ctx()');
  assert.equal(await verifierCell('r10'), 'fp0');
  assert.equal(await verifierCell('r0'), '', 'r0 is not initialised for the checker');

  await andWait(() => page.click('#btn-step'));
  assert.equal(await page.$eval('.insn.current', (e) => e.dataset.pc), '1');
  assert.equal(await verifierNote(),
    'verifier refuses this instruction (path step 2 of 2): invalid access to packet, off=100 size=1, R1(id=0,off=100,r=0)');
  assert.ok(await page.$eval('#reg-verifier-note', (e) => e.classList.contains('refused')));
  // The refused register: the checker's packet pointer with no bytes proven (r=0) beside the
  // real pointer to the packet's start.
  assert.equal(await verifierCell('r1'), 'pkt(r=0)');
  assert.match(await page.textContent('#reg-r1 .reg-value'), /^0x[0-9a-f]+$/);
  assert.equal(await page.textContent('#reg-r1 .reg-kind'), 'packet+0');
  assert.equal(await page.getAttribute('#reg-r1 .reg-verifier', 'title'), 'the kernel\'s verifier: r1 = pkt(r=0)');
  await shot('33-verifier-column-at-refused-insn');

  // Back to the entry: the first path step again.
  await andWait(() => page.click('#btn-step-back'));
  assert.equal(await verifierCell('r1'), 'ctx()');

  // A program the checker accepts has no verifier column.
  await page.selectOption('#example-select', 'xdp_drop_port.o');
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'xdp_drop_port.o');
  await page.waitForSelector('body[data-ready="true"]');
  assert.ok(await page.$eval('#reg-verifier-note', (e) => e.hidden));
  assert.ok(await page.$eval('#reg-r1 .reg-verifier', (e) => e.hidden));
  assert.deepEqual(consoleErrors, []);
});
