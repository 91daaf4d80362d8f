import autocannon from 'autocannon';
const [url, conns, dur, workers] = process.argv.slice(2);
const times: number[] = [];
const inst = autocannon({ url: url!, connections: Number(conns), duration: Number(dur), ...(Number(workers) ? { workers: Number(workers) } : {}) });
inst.on('response', (_c, _s, _b, t) => times.push(t));
const r = await inst;
times.sort((a, b) => a - b);
const pick = (p: number) => times[Math.ceil(p / 100 * times.length) - 1];
console.log(JSON.stringify({ workers, rps2xx: r['2xx'] / r.duration, dur: r.duration, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, total: r.requests.total, sent: r.requests.sent,
  ac: { mean: r.latency.mean, p90: r.latency.p90, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
  ours: times.length ? { n: times.length, mean: times.reduce((a, b) => a + b, 0) / times.length, p90: pick(90), p95: pick(95), p97_5: pick(97.5), p99: pick(99), max: times[times.length - 1] } : null }));
