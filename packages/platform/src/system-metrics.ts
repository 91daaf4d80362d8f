import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import client from 'prom-client';
import type { SystemMetrics } from '@dema/contracts';

/**
 * Readings of this machine, taken from the kernel's own counters (/proc on Linux, `os` elsewhere)
 * without starting a child process, so taking one every few seconds costs well under a millisecond.
 */
export interface SystemReading {
  /** Milliseconds since the epoch when it was taken. */
  at: number;
  /** Cumulative CPU seconds of all cores by mode, since boot. */
  cpuSeconds: Record<string, number>;
  load: [number, number, number];
  memory: { total: number; free: number };
  disk: { total: number; used: number; free: number };
  network: { bytesIn: number; bytesOut: number; connections: number };
}

/** Modes of CPU time in which a core is not working. */
const idleModes = new Set(['idle', 'iowait']);
const procStatModes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
/** /proc/stat counts in USER_HZ, which Linux fixes at 100 for user space. */
const userHz = 100;

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function readCpuSeconds(): Promise<Record<string, number>> {
  const stat = await readText('/proc/stat');
  const line = stat?.split('\n').find((l) => l.startsWith('cpu '));
  if (line) {
    // guest and guest_nice are already inside user and nice, so they are left out.
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(procStatModes.map((mode, i) => [mode, (fields[i] ?? 0) / userHz]));
  }
  const totals: Record<string, number> = { user: 0, nice: 0, system: 0, idle: 0, irq: 0 };
  for (const cpu of os.cpus()) {
    totals.user! += cpu.times.user / 1000;
    totals.nice! += cpu.times.nice / 1000;
    totals.system! += cpu.times.sys / 1000;
    totals.idle! += cpu.times.idle / 1000;
    totals.irq! += cpu.times.irq / 1000;
  }
  return totals;
}

/** Bytes through every interface but loopback: traffic that left or reached the machine. */
async function readNetworkBytes(): Promise<{ bytesIn: number; bytesOut: number }> {
  const dev = await readText('/proc/net/dev');
  let bytesIn = 0;
  let bytesOut = 0;
  for (const line of dev?.split('\n').slice(2) ?? []) {
    const [name, rest] = line.split(':');
    if (!rest || name!.trim() === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    bytesIn += fields[0] ?? 0;
    bytesOut += fields[8] ?? 0;
  }
  return { bytesIn, bytesOut };
}

/** Established TCP connections (state 01) over IPv4 and IPv6. */
async function readConnections(): Promise<number> {
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readText(file);
    for (const line of table?.split('\n').slice(1) ?? []) {
      if (line.trim().split(/\s+/)[3] === '01') count++;
    }
  }
  return count;
}

async function readDisk(path: string): Promise<SystemReading['disk']> {
  const fs = await statfs(path);
  // As df reports them: used excludes the blocks reserved for root, free is what others may write.
  return { total: fs.blocks * fs.bsize, used: (fs.blocks - fs.bfree) * fs.bsize, free: fs.bavail * fs.bsize };
}

/** Takes one reading of the machine; `diskPath` picks the filesystem reported as `disk`. */
export async function readSystem(diskPath = process.cwd()): Promise<SystemReading> {
  const [cpuSeconds, network, connections, disk] = await Promise.all([readCpuSeconds(), readNetworkBytes(), readConnections(), readDisk(diskPath)]);
  const [one, five, fifteen] = os.loadavg();
  return {
    at: Date.now(),
    cpuSeconds,
    load: [one!, five!, fifteen!],
    // os.freemem() is MemAvailable on Linux: memory new work can have without swapping.
    memory: { total: os.totalmem(), free: os.freemem() },
    disk,
    network: { ...network, connections },
  };
}

/** Percent of CPU time spent working between two readings; 0 when no time passed. */
export function cpuUsageBetween(older: Record<string, number>, newer: Record<string, number>): number {
  let total = 0;
  let idle = 0;
  for (const [mode, seconds] of Object.entries(newer)) {
    const delta = Math.max(0, seconds - (older[mode] ?? 0));
    total += delta;
    if (idleModes.has(mode)) idle += delta;
  }
  return total > 0 ? Math.min(100, Math.max(0, (100 * (total - idle)) / total)) : 0;
}

/**
 * The seed's SystemMetrics from `newer`, with cpu.usage measured since `older`. Network bytes are
 * the kernel's totals since boot unless `countersSince` is given, in which case they are what
 * passed since that reading (the form alert conditions see).
 */
export function systemMetrics(older: SystemReading, newer: SystemReading, countersSince?: SystemReading): SystemMetrics {
  const base = countersSince?.network ?? { bytesIn: 0, bytesOut: 0 };
  return {
    cpu: { usage: cpuUsageBetween(older.cpuSeconds, newer.cpuSeconds), load: [...newer.load] },
    memory: { total: newer.memory.total, used: newer.memory.total - newer.memory.free, free: newer.memory.free },
    disk: { ...newer.disk },
    network: {
      bytesIn: Math.max(0, newer.network.bytesIn - base.bytesIn),
      bytesOut: Math.max(0, newer.network.bytesOut - base.bytesOut),
      connections: newer.network.connections,
    },
  };
}

/**
 * Adds the machine's series to a process's Prometheus registry, read at each scrape:
 * system_cpu_seconds_total{mode}, system_load_average{period}, system_memory_bytes{state},
 * system_disk_bytes{state}, system_network_bytes_total{direction}, system_network_connections.
 * The exported alerting rules are written over these names.
 */
export function registerSystemSeries(registry: client.Registry, diskPath = process.cwd()): void {
  const registers = [registry];
  let reading: Promise<SystemReading | undefined> | undefined;
  // One reading per scrape, shared by every series (each collect() is called once per scrape). A
  // reading that fails leaves these series out of that scrape rather than failing /metrics.
  const current = () => {
    reading ??= readSystem(diskPath)
      .catch(() => undefined)
      .finally(() => setTimeout(() => (reading = undefined), 50).unref());
    return reading;
  };
  // Counters mirror the kernel's totals: each scrape adds what the kernel counted since the last.
  const mirror = (counter: client.Counter<string>, seen: Map<string, number>, labels: Record<string, string>, total: number) => {
    const key = JSON.stringify(labels);
    const delta = total - (seen.get(key) ?? 0);
    seen.set(key, total);
    if (delta > 0) counter.inc(labels, delta);
  };
  const cpuSeen = new Map<string, number>();
  new client.Counter({
    name: 'system_cpu_seconds_total',
    help: 'CPU seconds of all cores of the machine, by mode, since boot',
    labelNames: ['mode'],
    registers,
    async collect() {
      for (const [mode, seconds] of Object.entries((await current())?.cpuSeconds ?? {})) mirror(this, cpuSeen, { mode }, seconds);
    },
  });
  new client.Gauge({
    name: 'system_load_average',
    help: 'Load average of the machine',
    labelNames: ['period'],
    registers,
    async collect() {
      const now = await current();
      if (!now) return;
      const [one, five, fifteen] = now.load;
      this.set({ period: '1m' }, one);
      this.set({ period: '5m' }, five);
      this.set({ period: '15m' }, fifteen);
    },
  });
  new client.Gauge({
    name: 'system_memory_bytes',
    help: 'Memory of the machine: total, used, free (available to new work)',
    labelNames: ['state'],
    registers,
    async collect() {
      const now = await current();
      if (!now) return;
      const { total, free } = now.memory;
      this.set({ state: 'total' }, total);
      this.set({ state: 'used' }, total - free);
      this.set({ state: 'free' }, free);
    },
  });
  new client.Gauge({
    name: 'system_disk_bytes',
    help: 'Filesystem holding the working directory: total, used, free (writable by unprivileged users)',
    labelNames: ['state'],
    registers,
    async collect() {
      const now = await current();
      if (!now) return;
      const { total, used, free } = now.disk;
      this.set({ state: 'total' }, total);
      this.set({ state: 'used' }, used);
      this.set({ state: 'free' }, free);
    },
  });
  const networkSeen = new Map<string, number>();
  new client.Counter({
    name: 'system_network_bytes_total',
    help: 'Bytes through every interface but loopback, since boot',
    labelNames: ['direction'],
    registers,
    async collect() {
      const now = await current();
      if (!now) return;
      const { bytesIn, bytesOut } = now.network;
      mirror(this, networkSeen, { direction: 'in' }, bytesIn);
      mirror(this, networkSeen, { direction: 'out' }, bytesOut);
    },
  });
  new client.Gauge({
    name: 'system_network_connections',
    help: 'Established TCP connections on the machine',
    registers,
    async collect() {
      const now = await current();
      if (now) this.set(now.network.connections);
    },
  });
}
