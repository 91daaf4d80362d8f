import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import net from 'node:net';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import client from 'prom-client';
import { cpuUsageBetween, readSystem, registerSystemSeries, systemMetrics } from '../src/system-metrics.ts';

/**
 * SystemMetrics against independent readings of the same machine: /proc/meminfo, df, /proc/loadavg,
 * /sys/class/net, os.cpus() and ss. Counters that only grow are bracketed (before ≤ ours ≤ after);
 * values that move are compared with a tolerance.
 */
const run = promisify(execFile);
const linux = process.platform === 'linux';

async function meminfo(): Promise<Record<string, number>> {
  const text = await readFile('/proc/meminfo', 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [key, value] = line.split(':');
        return [key!, Number.parseInt(value!, 10) * 1024];
      }),
  );
}

/** Bytes through every interface but loopback, from sysfs (a different file than ours). */
async function sysfsNetworkBytes(): Promise<{ rx: number; tx: number }> {
  let rx = 0;
  let tx = 0;
  for (const name of await readdir('/sys/class/net')) {
    if (name === 'lo') continue;
    rx += Number(await readFile(`/sys/class/net/${name}/statistics/rx_bytes`, 'utf8'));
    tx += Number(await readFile(`/sys/class/net/${name}/statistics/tx_bytes`, 'utf8'));
  }
  return { rx, tx };
}

/** CPU seconds by mode summed over cores, as libuv reports them. */
function osCpuSeconds(): Record<string, number> {
  const totals = { user: 0, nice: 0, system: 0, idle: 0, irq: 0 };
  for (const { times } of os.cpus()) {
    totals.user += times.user / 1000;
    totals.nice += times.nice / 1000;
    totals.system += times.sys / 1000;
    totals.idle += times.idle / 1000;
    totals.irq += times.irq / 1000;
  }
  return totals;
}

/** Keeps every core busy for `ms` in worker threads. */
async function burnCpu(ms: number): Promise<void> {
  const workers = os
    .cpus()
    .map(() => new Worker('const end = Date.now() + require("worker_threads").workerData; while (Date.now() < end) {}', { eval: true, workerData: ms }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
}

describe('system metrics', { skip: linux ? false : 'reads /proc' }, () => {
  test('memory matches /proc/meminfo: total exactly, free is MemAvailable, used is the rest', async () => {
    const reading = await readSystem();
    const info = await meminfo();
    const { memory } = systemMetrics(reading, reading);
    assert.equal(memory.total, info.MemTotal);
    assert.ok(Math.abs(memory.free - info.MemAvailable!) < info.MemTotal! * 0.02, `free ${memory.free} vs MemAvailable ${info.MemAvailable}`);
    assert.equal(memory.used + memory.free, memory.total);
    assert.ok(memory.used > 0);
  });

  test('disk matches df for the working directory', async () => {
    const { disk } = systemMetrics(await readSystem(), await readSystem());
    const { stdout } = await run('df', ['-B1', '--output=size,used,avail', process.cwd()]);
    const [size, used, avail] = stdout.trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    assert.equal(disk.total, size);
    // Other processes write meanwhile: allow a little drift, not a different filesystem.
    assert.ok(Math.abs(disk.used - used!) < size! * 0.01, `used ${disk.used} vs df ${used}`);
    assert.ok(Math.abs(disk.free - avail!) < size! * 0.01, `free ${disk.free} vs df ${avail}`);
  });

  test('load matches /proc/loadavg', async () => {
    const { cpu } = systemMetrics(await readSystem(), await readSystem());
    const loadavg = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).map(Number);
    assert.equal(cpu.load.length, 3);
    // The kernel recomputes load every 5 s, so two reads may straddle an update.
    cpu.load.forEach((value, i) => void assert.ok(Math.abs(value - loadavg[i]!) < 0.5, `load[${i}] ${value} vs ${loadavg[i]}`));
  });

  test('network bytes lie between two sysfs readings taken around ours', async () => {
    const before = await sysfsNetworkBytes();
    const reading = await readSystem();
    const after = await sysfsNetworkBytes();
    const { network } = systemMetrics(reading, reading);
    assert.ok(before.rx <= network.bytesIn && network.bytesIn <= after.rx, `${before.rx} ≤ ${network.bytesIn} ≤ ${after.rx}`);
    assert.ok(before.tx <= network.bytesOut && network.bytesOut <= after.tx, `${before.tx} ≤ ${network.bytesOut} ≤ ${after.tx}`);
  });

  test('CPU seconds lie between two os.cpus() readings, mode by mode', async () => {
    const before = osCpuSeconds();
    const reading = await readSystem();
    const after = osCpuSeconds();
    // /proc/stat and os.cpus() both count in 10 ms ticks; per-core sums may round differently.
    const slack = 0.05 * os.cpus().length;
    for (const mode of Object.keys(before)) {
      const ours = reading.cpuSeconds[mode]!;
      assert.ok(before[mode]! - slack <= ours && ours <= after[mode]! + slack, `${mode}: ${before[mode]} ≤ ${ours} ≤ ${after[mode]}`);
    }
  });

  test('cpu.usage over a window agrees with os.cpus() over the same window', async () => {
    const osBefore = osCpuSeconds();
    const before = await readSystem();
    await burnCpu(300);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await readSystem();
    const osAfter = osCpuSeconds();
    const ours = systemMetrics(before, after).cpu.usage;
    const independent = cpuUsageBetween(osBefore, osAfter);
    assert.ok(Math.abs(ours - independent) < 7, `ours ${ours.toFixed(1)} % vs os.cpus() ${independent.toFixed(1)} %`);
  });

  test('cpu.usage rises toward 100 % while every core is kept busy', async () => {
    const before = await readSystem();
    await burnCpu(800);
    const after = await readSystem();
    const { usage } = systemMetrics(before, after).cpu;
    assert.ok(usage >= 80 && usage <= 100, `usage ${usage}`);
  });

  test('connections count established TCP connections, agreeing with ss', async (t) => {
    // The count is machine-wide and other processes open and close connections meanwhile, so one
    // reading can be off by their churn: each check gets three tries, and a counter that does not
    // count (or counts something else) fails all three.
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const openClients = () =>
      Promise.all(
        Array.from(
          { length: 40 },
          () =>
            new Promise<net.Socket>((resolve) => {
              const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
            }),
        ),
      );
    const established = async () => {
      const { stdout } = await run('ss', ['-Htn', 'state', 'established']);
      return stdout.split('\n').filter((line) => line.trim()).length;
    };
    let hasSs = true;
    try {
      await established();
    } catch {
      hasSs = false;
      t.diagnostic('ss is not installed: compared with the 40 opened connections only');
    }
    const tries: string[] = [];
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = (await readSystem()).network.connections;
        const clients = await openClients();
        try {
          const ssBefore = hasSs ? await established() : undefined;
          const during = (await readSystem()).network.connections;
          const ssAfter = hasSs ? await established() : undefined;
          // Each loopback connection is established at both ends.
          const countsOurs = during - before >= 70;
          const agrees =
            ssBefore === undefined || ssAfter === undefined || (during >= Math.min(ssBefore, ssAfter) - 15 && during <= Math.max(ssBefore, ssAfter) + 15);
          tries.push(`before ${before}, with 40 more connections ${during}, ss ${ssBefore}…${ssAfter}`);
          if (countsOurs && agrees) return;
        } finally {
          for (const socket of clients) socket.destroy();
        }
      }
      assert.fail(`three tries missed: ${tries.join('; ')}`);
    } finally {
      server.close();
    }
  });

  test('counters since a reading are what passed since it, never negative', async () => {
    const first = await readSystem();
    const second = await readSystem();
    const since = systemMetrics(first, second, first).network;
    assert.equal(since.bytesIn, second.network.bytesIn - first.network.bytesIn);
    assert.equal(since.bytesOut, second.network.bytesOut - first.network.bytesOut);
    assert.equal(systemMetrics(second, first, second).network.bytesIn, 0);
  });

  test('a reading that fails leaves the machine series out of a scrape instead of failing it', async () => {
    const registry = new client.Registry();
    new client.Counter({ name: 'still_here_total', help: 'a series of the process', registers: [registry] }).inc();
    registerSystemSeries(registry, '/no/such/filesystem');
    const text = await registry.metrics();
    assert.match(text, /^still_here_total 1$/m);
    assert.doesNotMatch(text, /^system_memory_bytes\{/m);
    const healthy = new client.Registry();
    registerSystemSeries(healthy);
    assert.match(await healthy.metrics(), /^system_memory_bytes\{state="total"\} \d+$/m);
  });
});
