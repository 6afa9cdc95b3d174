// The C editor (web/src/editor_pane.ts) with the compile service (tools/compile_service/) behind
// the site's /api/, as tools/playground.sh serves it: C written in the page compiles with the
// machine's clang and runs; clang's errors land on their lines; a source naming a file outside
// the shipped headers is refused before clang runs; another site's request gets 403; a copy of
// the site without the service says how to compile and offers the .o picker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { openHarness, dist } from './page_harness.mjs';
import { serve } from './static_server.mjs';

let h, url, page, consoleErrors, shot, andWait;

before(async () => {
  h = await openHarness({ compile: true });
  ({ url, page, consoleErrors, shot, andWait } = h);
});

after(async () => {
  await h?.close();
});

const kDropUdp7 = `#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int drop_udp7(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return udp->dest == bpf_htons(7) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;

// Replaces the editor's text as a user typing it would (CodeMirror sees input events).
async function writeC(text) {
  await page.click('.cm-content');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  assert.equal(await page.evaluate(() => window.bpfplayEditorText()), text);
}

async function compile() {
  await page.evaluate(() => { delete document.body.dataset.compile; });
  await page.click('#btn-compile');
  await page.waitForFunction(() => ['loaded', 'error'].includes(document.body.dataset.compile ?? ''), null, { timeout: 20000 });
  return page.getAttribute('body', 'data-compile');
}

test('C written in the editor compiles through the local service, loads and runs to its verdict', async () => {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.click('#btn-editor');
  await page.waitForFunction(() => /clang ready/.test(document.querySelector('#compile-status')?.textContent ?? ''));
  assert.ok(await page.isVisible('#code'), 'the program\'s code stays in view next to the editor');
  assert.ok(await page.isHidden('#compile-help'));
  assert.ok(await page.$$eval('.cm-line span', (spans) => spans.some((s) => s.textContent === 'return'
    && getComputedStyle(s).color !== getComputedStyle(s.closest('.cm-line')).color)), 'C is highlighted (return is a keyword)');
  await writeC(kDropUdp7);
  await page.selectOption('#packet-preset', 'IPv4 UDP echo (port 7)');
  assert.equal(await compile(), 'loaded');
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'prog.o');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.inputValue('#program-select'), 'drop_udp7');
  assert.match(await page.textContent('#messages'), /Loaded prog\.o: 1 program\(s\), 0 map\(s\)\./);
  // The object's line info names the C the user wrote: the code view shows it.
  assert.match(await page.textContent('#code'), /return udp->dest == bpf_htons\(7\) \? XDP_DROP : XDP_PASS;/);
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#status'), /exited: r0 = 1 \(XDP_DROP\)/);
  assert.equal(await page.$$eval('#compile-diagnostics li', (l) => l.length), 0);
  await shot('70-editor-compiled-and-run');
});

test('a program with an error shows clang\'s message on its line and keeps the loaded program', async () => {
  const broken = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\nSEC("xdp")\nint broken(struct xdp_md *ctx)\n{\n\treturn missing_verdict;\n}\n';
  await writeC(broken);
  assert.equal(await compile(), 'error');
  await page.waitForSelector('.cm-diag-line');
  assert.deepEqual(await page.$$eval('.cm-diag-line', (els) => els.map((e) => e.dataset.diagLine)), ['7']);
  assert.match(await page.textContent('.cm-diag-line'), /return missing_verdict;/);
  // The gutter's error marker sits on that line, the word is underlined.
  const marker = await page.locator('.cm-lint-marker-error').boundingBox();
  const line = await page.locator('.cm-diag-line').boundingBox();
  assert.ok(marker && line && Math.abs((marker.y + marker.height / 2) - (line.y + line.height / 2)) < line.height, 'marker on line 7');
  assert.equal(await page.textContent('.cm-lintRange-error'), 'missing_verdict');
  assert.match(await page.textContent('#compile-diagnostics'), /line 7:9 error: use of undeclared identifier 'missing_verdict'/);
  assert.match(await page.textContent('#messages'), /prog\.c:7:9: error: use of undeclared identifier 'missing_verdict'/);
  assert.equal(await page.textContent('#object-name'), 'prog.o');
  assert.equal(await page.inputValue('#program-select'), 'drop_udp7', 'the last good program stays loaded');
  await shot('71-editor-clang-error');
});

test('an #include of a file outside the shipped headers is refused; nothing of the file is shown', async () => {
  await writeC('#include <linux/bpf.h>\n#include "/etc/passwd"\nint x;\n');
  assert.equal(await compile(), 'error');
  await page.waitForSelector('.cm-diag-line');
  assert.deepEqual(await page.$$eval('.cm-diag-line', (els) => els.map((e) => e.dataset.diagLine)), ['2']);
  assert.match(await page.textContent('#compile-diagnostics'), /line 2:1 error: #include names an absolute path \("\/etc\/passwd"\); only the shipped headers can be included\./);
  const body = await page.textContent('body');
  assert.doesNotMatch(body, /root:x?:0:0|\/bin\/(ba)?sh|nologin/, 'no line of /etc/passwd reaches the page');
  assert.equal(await page.textContent('#object-name'), 'prog.o');
  assert.deepEqual(consoleErrors, []);
  await shot('72-editor-include-refused');
});

function post(headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: h.compileService.port, method: 'POST', path: '/api/compile',
      headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ source: 'int x;\n' }));
  });
}

test('the service refuses another site (Origin) and a rebinding name (Host) with 403', async () => {
  const pagePort = new URL(url).port;
  const foreign = await post({ origin: 'http://evil.example', host: `127.0.0.1:${pagePort}` });
  assert.equal(foreign.status, 403);
  assert.match(foreign.body.error, /^refused: Origin "http:\/\/evil\.example" is not the playground's page/);
  const rebound = await post({ host: `evil.example:${pagePort}` });
  assert.equal(rebound.status, 403);
  assert.match(rebound.body.error, /Host "evil\.example:\d+" is not this service/);
  const own = await post({ origin: `http://127.0.0.1:${pagePort}`, host: `127.0.0.1:${pagePort}` });
  assert.equal(own.status, 200);
  assert.equal(own.body.ok, true);
});

test('a copy of the site without the service says how to compile and offers the .o picker', async () => {
  const { server, url: staticUrl } = await serve(dist);
  try {
    await page.goto(staticUrl);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.click('#btn-editor');
    await page.waitForSelector('#compile-help', { state: 'visible' });
    assert.match(await page.textContent('#compile-help .clang-command'), /^clang -O2 -g -target bpf -mcpu=v3 -I\/usr\/include\/x86_64-linux-gnu -c prog\.c -o prog\.o$/);
    assert.ok(await page.isVisible('#btn-open-compiled'));
    assert.match(await page.textContent('#compile-status'), /no compile service/);
  } finally {
    server.close();
  }
});
