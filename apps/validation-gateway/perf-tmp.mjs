// temporary perf harness (not committed)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
const KEY = 'bench-caller-key-0123456789abcdef';
const BODY = JSON.stringify({ email: 'ada@lovelace.dev' });
const extra = (process.env.GW_NODE_ARGS ?? '').split(' ').filter(Boolean);
import { openSync, closeSync } from 'node:fs';
function start(args, env) {
  if (process.env.TOFILE && args.some((a) => a.includes('main.js'))) {
    const path = join(tmpdir(), 'gw-log-' + process.pid + '.txt');
    const fd = openSync(path, 'w');
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    return new Promise((resolve) => { const t = setInterval(() => { const m = /"url":"(http:[^"]+)"/.exec(readFileSync(path, 'utf8')); if (m) { clearInterval(t); resolve({ url: m[1], child }); } }, 50); });
  }
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c) => { if (buf === undefined) return; buf += c; const m = /"url":"(http:[^"]+)"/.exec(buf); if (m) { buf = undefined; resolve({ url: m[1], child }); } });
    child.once('exit', (code) => reject(new Error('exit ' + code)));
  });
}
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 1e7; };
const dir = mkdtempSync(join(tmpdir(), 'gwp-'));
const up = createServer((_q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end(JSON.stringify({ valid: true, reason: 'accepted', disposable: false, domain: 'lovelace.dev' })); });
await new Promise((r) => up.listen(0, '127.0.0.1', r));
writeFileSync(join(dir, 'k'), 'bench-upstream-key-0123456789\n');
writeFileSync(join(dir, 'c.json'), JSON.stringify([{ id: 'bench', scopes: ['validate'], sha256: createHash('sha256').update(KEY).digest('hex') }]));
const gw = await start([...extra, 'dist/main.js'], { PORT: '0', UPSTREAM_URL: `http://127.0.0.1:${up.address().port}`, UPSTREAM_API_KEY_FILE: join(dir, 'k'), GATEWAY_API_KEYS_FILE: join(dir, 'c.json'), REDIS_URL: '', CALLER_RATE_PER_SECOND: '1000000', CALLER_BURST: '1000000', NODE_ENV: 'production' });
const bare = await start([...(process.env.BARE_NODE_ARGS ?? "").split(" ").filter(Boolean), 'bench/bare-fastify.mjs'], {});
const opts = (url) => ({ url: `${url}/v1/validate/email`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: BODY });
const r0 = await fetch(`${gw.url}/v1/validate/email`, { method: 'POST', headers: opts(gw.url).headers, body: BODY });
console.log('first', r0.status);
if (process.env.SHOW) { for (const s of [gw, bare]) { const net = await import("node:net"); const u = new URL(s.url); await new Promise((res) => { const c = net.connect(Number(u.port), "127.0.0.1", () => c.write(`POST /v1/validate/email HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${KEY}\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`)); c.once("data", (d) => { console.log(d.length, d.toString()); c.end(); res(); }); }); } }
const which = (process.env.WHICH ?? 'gw,bare').split(',');
const servers = { gw, bare };
for (const w of which) await autocannon({ ...opts(servers[w].url), connections: 50, duration: 3 });
const rate = Number(process.env.RATE ?? 3000);
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  for (const w of which) {
    const s = servers[w];
    const b = cpu(s.child.pid);
    const r = await autocannon({ ...opts(s.url), connections: 50, duration: 4, overallRate: rate });
    const us = (cpu(s.child.pid) - b) / r.requests.total / 1000;
    const t = await autocannon({ ...opts(s.url), connections: 50, duration: 4 });
    console.log(w, `cpu/req ${us.toFixed(1)} us at ${rate}/s`, `max ${Math.round(t.requests.average)} rps p99 ${t.latency.p99} ms non2xx ${t.non2xx}`);
  }
}
gw.child.kill('SIGTERM'); bare.child.kill('SIGTERM'); up.close();
