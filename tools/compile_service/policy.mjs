// The compile service's security rules, as pure functions (no I/O) so tests can pin them:
// which requests may ask (Host and Origin: no DNS rebinding, no other site), which sources may
// reach clang (headers only from the shipped folders, nothing that makes clang read or embed
// another file), and how clang's diagnostics become {line, column, severity, message}.

export const kMaxSourceBytes = 64 * 1024;

// Host must name this machine's loopback by a name the attacker cannot point elsewhere:
// "localhost" or "127.0.0.1", on one of the ports the page or the service listen on. A DNS
// rebinding page (evil.example resolving to 127.0.0.1) sends Host: evil.example and is refused.
export function checkHost(host, ports) {
  if (!host) return 'the request has no Host header';
  const m = /^(localhost|127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(host);
  if (!m || !ports.includes(Number(m[2]))) return `Host "${host}" is not this service (localhost or 127.0.0.1 on port ${ports.join(' or ')})`;
  return undefined;
}

// A browser sends Origin with every POST from a page; it must be the playground's own page.
// No Origin (curl, node): allowed, since only a browser carries another site's intent.
export function checkOrigin(origin, pagePorts) {
  if (origin === undefined) return undefined;
  const m = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(origin);
  if (!m || !pagePorts.includes(Number(m[2]))) return `Origin "${origin}" is not the playground's page`;
  return undefined;
}

// A diagnostic on a line of the user's source, as the page shows it.
const diag = (line, message, column = 1) => ({ line, column, severity: 'error', message });

// Joins backslash-newline continuations (as the preprocessor does first) and keeps a map to
// the original line of every character, so a refusal names the line the user wrote.
function splice(source) {
  let text = '';
  const lineOf = [];
  let line = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && (source[i + 1] === '\n' || (source[i + 1] === '\r' && source[i + 2] === '\n'))) {
      i += source[i + 1] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    text += c;
    lineOf.push(line);
    if (c === '\n') line++;
  }
  return { text, lineOf };
}

// Comments become spaces (their newlines kept), so `#include /* x */ "/etc/passwd"` and a
// directive hidden after a comment are seen as the preprocessor sees them. Strings are kept.
function stripComments(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') { out += ' '; i++; }
      i--;
    } else if (c === '/' && text[i + 1] === '*') {
      let j = i + 2;
      while (j < text.length && !(text[j] === '*' && text[j + 1] === '/')) j++;
      for (let k = i; k < Math.min(j + 2, text.length); k++) out += text[k] === '\n' ? '\n' : ' ';
      i = j + 1;
    } else {
      out += c;
    }
  }
  return out;
}

// The header name of an include-like operand, or why it is refused.
function headerOperand(rest) {
  const m = /^\s*(?:<([^>\n]*)>|"([^"\n]*)")/.exec(rest);
  if (!m) return { why: 'names its header through a macro; write the header name as <...> or "..."' };
  const name = m[1] ?? m[2];
  if (name.startsWith('/')) return { why: `names an absolute path ("${name}"); only the shipped headers can be included` };
  if (name.split(/[\\/]/).includes('..') || name.includes('..')) return { why: `climbs out of the include folders ("${name}" has ..)` };
  if (name.includes('\\')) return { why: `"${name}" has a backslash` };
  return { name };
}

// Refusals before clang runs: every line that could make clang read a file that is not one of
// the shipped headers, or embed a file's bytes into the object. Returns diagnostics ([] = fine).
export function checkSource(source) {
  if (typeof source !== 'string') return [diag(1, 'the request has no C source')];
  if (Buffer.byteLength(source, 'utf8') > kMaxSourceBytes) return [diag(1, `the source is larger than ${kMaxSourceBytes / 1024} KiB`)];
  if (source.includes('\0')) return [diag(1, 'the source contains a NUL byte')];
  const { text, lineOf } = splice(source);
  const clean = stripComments(text);
  const out = [];
  const lineAt = (index) => lineOf[Math.min(index, lineOf.length - 1)] ?? 1;
  // Directives: "#" (or the digraph "%:") first on a line.
  const directive = /^[ \t\f\v]*(?:#|%:)[ \t\f\v]*([A-Za-z_]\w*|\d+)?(.*)$/gm;
  for (let m; (m = directive.exec(clean));) {
    const [, name = '', rest] = m;
    const line = lineAt(m.index);
    if (/^\d+$/.test(name) || name === 'line') {
      out.push(diag(line, '#line directives are not accepted here: they would make clang read another file as this one'));
    } else if (['include', 'include_next', 'import'].includes(name)) {
      const op = headerOperand(rest);
      if (op.why) out.push(diag(line, `#${name} ${op.why}.`));
    } else if (name === 'embed') {
      out.push(diag(line, '#embed is not accepted here: it reads a file into the program'));
    } else if (name === 'pragma' && /\bdependency\b/.test(rest)) {
      out.push(diag(line, '#pragma GCC dependency is not accepted here: it reads another file'));
    }
  }
  // __has_include(...) anywhere (in #if lines, or hidden in a macro that one expands later).
  const hasInclude = /\b(__has_include_next|__has_include|__has_embed)\b\s*(\(?)/g;
  for (let m; (m = hasInclude.exec(clean));) {
    const line = lineAt(m.index);
    if (m[1] === '__has_embed') { out.push(diag(line, '__has_embed is not accepted here')); continue; }
    const op = m[2] ? headerOperand(clean.slice(m.index + m[0].length)) : { why: 'has no (header) operand' };
    if (op.why) out.push(diag(line, `${m[1]} ${op.why}.`));
  }
  // _Pragma("GCC dependency ...") is a pragma spelled as an operator.
  const pragmaOp = /\b_Pragma\s*\(\s*"[^"\n]*\bdependency\b/g;
  for (let m; (m = pragmaOp.exec(clean));) out.push(diag(lineAt(m.index), '_Pragma("GCC dependency ...") is not accepted here: it reads another file'));
  out.push(...checkAssemblerDirectives(clean, lineAt));
  out.sort((a, b) => a.line - b.line);
  return out;
}

// Inline assembly reaches clang's assembler, whose .incbin copies a file's bytes into the
// object (and .include reads a file as assembly). The word is refused in the source, and the
// preprocessed text (checkPreprocessed) is checked again, where macros and string pasting have
// already built what the assembler will read.
function checkAssemblerDirectives(text, lineAt) {
  const out = [];
  const word = /incbin/gi;
  for (let m; (m = word.exec(text));) out.push(diag(lineAt(m.index), 'the assembler directive .incbin is not accepted here: it copies a file into the program'));
  return out;
}

// A C string literal's bytes as the compiler reads them (\x2e is "." too).
function unescape(body) {
  return body.replace(/\\(x[0-9A-Fa-f]+|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/gs, (_, e) => {
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16) & 0xff);
    if (e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', a: '\x07', b: '\b', e: '\x1b' }[e] ?? e;
  });
}

// The preprocessed text (clang -E of a source checkSource passed). Every run of adjacent string
// literals is joined and unescaped as the compiler does; none may mention incbin, and the
// template of every asm statement or top-level asm block may hold no assembler directive
// (a statement starting with "."), so .incbin/.include cannot be built by assembler macros
// (.irp, .macro) either. Returns a reason or undefined.
export function checkPreprocessed(text) {
  if (/incbin/i.test(text)) return 'an assembler .incbin directive is not accepted here: it copies a file into the program';
  // Character literals are matched (and skipped) so that '"' does not start a string.
  const literal = /'(?:[^'\\\n]|\\.)*'|(?:\b(?:u8|u|U|L))?"((?:[^"\\\n]|\\.)*)"/g;
  const runs = [];  // {start, end, value}
  for (let m; (m = literal.exec(text));) {
    if (m[1] === undefined) continue;
    const last = runs[runs.length - 1];
    const value = unescape(m[1]);
    if (last && /^\s*$/.test(text.slice(last.end, m.index))) {
      last.value += value;
      last.end = m.index + m[0].length;
    } else {
      runs.push({ start: m.index, end: m.index + m[0].length, value });
    }
  }
  if (runs.some((r) => /incbin/i.test(r.value))) return 'an assembler .incbin directive (built by macros or string pasting) is not accepted here: it copies a file into the program';
  const asmStart = /\b(?:asm|__asm|__asm__)\b(?:\s*\b(?:volatile|__volatile__|__volatile|goto|inline|__inline|__inline__)\b)*\s*\(\s*$/;
  for (const r of runs) {
    if (!asmStart.test(text.slice(Math.max(0, r.start - 200), r.start))) continue;
    if (r.value.split(/[\n;]/).some((stmt) => /^\s*\./.test(stmt)) || /\binclude\b/i.test(r.value)) {
      return 'inline assembly with assembler directives (".something") is not accepted here: directives such as .incbin and .include read other files';
    }
  }
  return undefined;
}

// clang's "FILE:LINE:COL: severity: message" lines for FILE (the user's source); notes and
// errors in headers stay in stderr only.
export function parseDiagnostics(stderr, file) {
  const out = [];
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^(?:\\./)?${esc}:(\\d+):(\\d+): (fatal error|error|warning|note): (.*)$`, 'gm');
  for (let m; (m = re.exec(stderr));) {
    const severity = m[3] === 'fatal error' ? 'error' : m[3];
    out.push({ line: Number(m[1]), column: Number(m[2]), severity, message: m[4] });
  }
  return out;
}

// The object's base name from the request: letters, digits, _ and -, else "prog".
export function safeName(name) {
  if (typeof name !== 'string') return 'prog';
  const base = name.replace(/\.(c|o)$/, '');
  return /^[A-Za-z0-9_-]{1,64}$/.test(base) ? base : 'prog';
}
