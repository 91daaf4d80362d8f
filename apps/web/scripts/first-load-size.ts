import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The JavaScript a first visit to a page downloads: every script the server-rendered HTML loads
 * or preloads (not the nomodule polyfills, which current browsers skip), fetched and gzipped
 * (level 9, as a CDN would serve it), summed.
 *
 *   npx tsx apps/web/scripts/first-load-size.ts [page URL]
 *
 * Without a URL it serves the production build (building it if needed) against DEMA_API_URL
 * (default http://127.0.0.1:8080) and measures the catalog page, /products.
 */
export interface FirstLoad {
  page: string;
  scripts: Array<{ url: string; bytes: number; gzipBytes: number }>;
  bytes: number;
  gzipBytes: number;
}

/** The catalog page's budget for first-load JavaScript, gzipped. */
export const firstLoadBudget = 200 * 1024;

export async function measureFirstLoad(pageUrl: string): Promise<FirstLoad> {
  const response = await fetch(pageUrl);
  if (!response.ok) throw new Error(`${pageUrl} answered ${response.status}`);
  const html = await response.text();
  const sources = new Set<string>();
  for (const match of html.matchAll(/<script([^>]*)>/g)) {
    const attributes = match[1]!;
    // nomodule scripts (legacy polyfills) are skipped by every browser that runs modules.
    if (/\snomodule/i.test(attributes)) continue;
    const source = /\ssrc="([^"]+)"/.exec(attributes)?.[1];
    if (source) sources.add(source);
  }
  // Preloaded chunks are part of the first load as well.
  for (const match of html.matchAll(/<link[^>]+rel="(?:modulepreload|preload)"[^>]+as="script"[^>]*href="([^"]+)"/g)) sources.add(match[1]!);
  for (const match of html.matchAll(/<link[^>]+href="([^"]+\.js)"[^>]+as="script"/g)) sources.add(match[1]!);
  const scripts = [];
  for (const source of sources) {
    const url = new URL(source.replace(/&amp;/g, '&'), pageUrl).toString();
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    scripts.push({ url, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length });
  }
  return {
    page: pageUrl,
    scripts,
    bytes: scripts.reduce((sum, s) => sum + s.bytes, 0),
    gzipBytes: scripts.reduce((sum, s) => sum + s.gzipBytes, 0),
  };
}

export function describeFirstLoad(result: FirstLoad): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  const lines = result.scripts
    .sort((a, b) => b.gzipBytes - a.gzipBytes)
    .map((s) => `  ${kb(s.gzipBytes).padStart(9)} gz  ${kb(s.bytes).padStart(9)}  ${new URL(s.url).pathname}`);
  return [
    `First-load JavaScript of ${result.page}: ${result.scripts.length} scripts`,
    ...lines,
    `  total: ${kb(result.gzipBytes)} gzipped (${kb(result.bytes)} uncompressed); budget ${kb(firstLoadBudget)} — ${result.gzipBytes <= firstLoadBudget ? 'within budget' : 'OVER BUDGET'}`,
  ].join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const given = process.argv[2];
  let result: FirstLoad;
  if (given) {
    result = await measureFirstLoad(given);
  } else {
    const { startWebApp } = await import('../serve.ts');
    const app = await startWebApp({
      apiUrl: process.env.DEMA_API_URL ?? 'http://127.0.0.1:8080',
      port: await freePort(),
      host: '127.0.0.1',
      log: { info: () => undefined, error: (m) => console.error(m) },
    });
    try {
      result = await measureFirstLoad(`${app.url}/products`);
    } finally {
      await app.close();
    }
  }
  console.log(describeFirstLoad(result));
  process.exitCode = result.gzipBytes <= firstLoadBudget ? 0 : 1;
}
