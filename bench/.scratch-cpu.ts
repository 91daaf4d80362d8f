import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
const [url, conns, dur, workers, pid] = process.argv.slice(2);
const ticks = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
const s0 = ticks(); const c0 = process.cpuUsage(); const t0 = performance.now();
const r = await autocannon({ url: url!, connections: Number(conns), duration: Number(dur), ...(Number(workers) ? { workers: Number(workers) } : {}) });
const wall = (performance.now() - t0) / 1000; const c = process.cpuUsage(c0);
console.log(`workers=${workers} rps=${Math.round(r['2xx'] / r.duration)} p99=${r.latency.p99} err=${r.errors} serverCPU=${Math.round((ticks() - s0) / wall)}% genCPU=${Math.round((c.user + c.system) / 1e4 / wall)}%`);
