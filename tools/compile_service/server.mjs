// The playground's compile service: POST /api/compile {source, name?} compiles BPF C with the
// machine's clang and answers {ok, object (base64), diagnostics, stderr}. Run by
// tools/playground.sh next to `vite preview` (which proxies /api here) and by the browser tests.
//
// What keeps it safe to run on a developer's machine:
// - it listens on 127.0.0.1 only, and answers only requests whose Host is localhost/127.0.0.1 on
//   its own or the page's port (DNS rebinding) and whose Origin, when a browser sends one, is the
//   page's (other sites): 403 with the reason otherwise;
// - clang runs through execFile (no shell), with -nostdinc and only the shipped include folders,
//   a clean environment (no CPATH), in a fresh temporary folder deleted afterwards; a source
//   that names a header by an absolute path or "..", uses #line, #embed, or builds an assembler
//   .incbin/.include, is refused before clang reads anything (policy.mjs);
// - limits: 64 KiB of source, 10 s of wall time (the process group is killed), 1 GiB of address
//   space, 10 s of CPU and 16 MiB per written file (the prlimit(1) binary from util-linux; without
//   it the wall-time limit alone), one compile at a time (a second request gets 429).
//
// Usage: node tools/compile_service/server.mjs [--port 8089] [--page-port 8080]
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHost, checkOrigin, checkPreprocessed, checkSource, kMaxSourceBytes, parseDiagnostics, safeName } from './policy.mjs';

const kWallMs = 10_000;
const kMemoryBytes = 1024 * 1024 * 1024;
const kFileBytes = 16 * 1024 * 1024;
const kMultiarch = '/usr/include/x86_64-linux-gnu';

// The folders a program may include from, by the name it includes them as: <linux/...> the
// kernel's uapi, <asm/...> its x86-64 part, <asm-generic/...>, <bpf/...> libbpf's headers. They
// are linked into a private include root so that -I names nothing else (no <stdio.h>, no
// /usr/include/*). clang's own headers (stddef.h, stdbool.h ...) come from its resource folder.
export const kIncludeFolders = {
  linux: '/usr/include/linux',
  asm: `${kMultiarch}/asm`,
  'asm-generic': '/usr/include/asm-generic',
  bpf: '/usr/include/bpf',
};

function run(file, args, options) {
  return new Promise((resolve) => {
    // detached: the child leads its own process group, so a timeout kills clang and its children.
    const child = spawn(file, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { if (stdout.length < 4 << 20) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 256 << 10) stderr += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, options.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, stdout, stderr: `${stderr}${e.message}\n`, timedOut }); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? -1, signal, stdout, stderr, timedOut }); });
  });
}

function execText(file, args) {
  return new Promise((resolve) => execFile(file, args, { timeout: 5000 }, (e, out) => resolve(e ? '' : String(out).trim())));
}

export async function clangSetup(clang = process.env.CLANG ?? 'clang') {
  const resourceDir = await execText(clang, ['-print-resource-dir']);
  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
  return { clang, resourceDir, prlimit };
}

// Compiles one checked source. Returns the JSON the service answers.
export async function compile(setup, source, requestedName) {
  const name = safeName(requestedName);
  const file = `${name}.c`;
  const refused = checkSource(source);
  if (refused.length) {
    return { ok: false, refused: true, diagnostics: refused, stderr: refused.map((d) => `${file}:${d.line}:${d.column}: error: ${d.message}`).join('\n') };
  }
  const dir = await mkdtemp(join(tmpdir(), 'bpfplay-cc-'));
  try {
    const inc = join(dir, 'include');
    await mkdir(inc);
    for (const [as, target] of Object.entries(kIncludeFolders)) if (existsSync(target)) await symlink(target, join(inc, as));
    await writeFile(join(dir, file), source);
    const flags = ['-nostdinc', '-isystem', `${setup.resourceDir}/include`, '-I', 'include',
      '-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-fno-color-diagnostics', '-fdebug-compilation-dir=.'];
    const limited = (args) => setup.prlimit
      ? [setup.prlimit, [`--as=${kMemoryBytes}`, '--cpu=10', `--fsize=${kFileBytes}`, '--core=0', '--', setup.clang, ...args]]
      : [setup.clang, args];
    const opts = { cwd: dir, env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' }, timeoutMs: kWallMs };
    // First the preprocessor alone: what the assembler would see, after every macro.
    const [pFile, pArgs] = limited([...flags, '-E', file]);
    const pre = await run(pFile, pArgs, opts);
    if (pre.timedOut) return timeoutAnswer();
    if (pre.code === 0) {
      const why = checkPreprocessed(pre.stdout);
      if (why) return { ok: false, refused: true, diagnostics: [{ line: 1, column: 1, severity: 'error', message: why }], stderr: `${file}: error: ${why}` };
    }
    const [cFile, cArgs] = limited([...flags, '-c', file, '-o', `${name}.o`]);
    const cc = await run(cFile, cArgs, opts);
    if (cc.timedOut) return timeoutAnswer();
    const diagnostics = parseDiagnostics(cc.stderr, file);
    if (cc.code !== 0) {
      const why = cc.signal ? `clang stopped by ${cc.signal} (a resource limit?)` : undefined;
      return { ok: false, diagnostics, stderr: why ? `${cc.stderr}${why}\n` : cc.stderr };
    }
    const object = await readFile(join(dir, `${name}.o`));
    return { ok: true, name: `${name}.o`, object: object.toString('base64'), diagnostics, stderr: cc.stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const timeoutAnswer = () => ({ ok: false, diagnostics: [{ line: 1, column: 1, severity: 'error', message: `clang took longer than ${kWallMs / 1000} s and was stopped` }], stderr: 'timeout\n' });

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

// Starts the service. pagePorts: the ports the page is served on (its Origin); the service's own
// port is allowed as Host too. Resolves to {server, port, url, allowPagePort, close}.
export async function startCompileService({ port = 0, pagePorts = [], clang } = {}) {
  const setup = await clangSetup(clang);
  const pages = [...pagePorts];
  let busy = false;
  let ownPort = 0;
  const server = createServer((req, res) => {
    const hostWhy = checkHost(req.headers.host, [ownPort, ...pages]);
    if (hostWhy) return answer(res, 403, { ok: false, error: `refused: ${hostWhy}` });
    const originWhy = checkOrigin(req.headers.origin, pages);
    if (originWhy) return answer(res, 403, { ok: false, error: `refused: ${originWhy}` });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api/health' && req.method === 'GET') return answer(res, 200, { ok: true, clang: Boolean(setup.resourceDir), limits: { sourceBytes: kMaxSourceBytes, wallMs: kWallMs, memoryBytes: setup.prlimit ? kMemoryBytes : null } });
    if (path !== '/api/compile') return answer(res, 404, { ok: false, error: 'not found' });
    if (req.method !== 'POST') return answer(res, 405, { ok: false, error: 'POST only' });
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return answer(res, 415, { ok: false, error: 'send application/json' });
    if (busy) return answer(res, 429, { ok: false, error: 'another compile is running; try again in a moment' });
    busy = true;
    const chunks = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > kMaxSourceBytes * 2 + 4096) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', async () => {
      try {
        if (tooBig) return answer(res, 413, { ok: false, error: `the source is larger than ${kMaxSourceBytes / 1024} KiB` });
        let body;
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return answer(res, 400, { ok: false, error: 'the body is not JSON' }); }
        if (!setup.resourceDir) return answer(res, 503, { ok: false, error: `${setup.clang} was not found: apt-get install clang libbpf-dev` });
        answer(res, 200, await compile(setup, body?.source, body?.name));
      } catch (e) {
        answer(res, 500, { ok: false, error: String(e?.message ?? e) });
      } finally {
        busy = false;
      }
    });
    req.on('error', () => { busy = false; });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  ownPort = server.address().port;
  return {
    server, port: ownPort, url: `http://127.0.0.1:${ownPort}/`, setup,
    allowPagePort: (p) => { pages.push(p); },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (flag, dflt) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const service = await startCompileService({ port: arg('--port', 8089), pagePorts: [arg('--page-port', 8080)] });
  const { setup } = service;
  console.log(`bpfplay compile service: ${service.url}api/compile (clang ${setup.resourceDir ? 'found' : 'MISSING'}; memory limit ${setup.prlimit ? `by ${setup.prlimit}` : 'none: prlimit not found'})`);
  const stop = () => service.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
