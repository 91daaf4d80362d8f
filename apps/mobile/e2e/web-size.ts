import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { exportWeb } from './export-web.ts';

/**
 * The JavaScript of the app's web build (`npm run mobile:web-size`): every .js file of an
 * `expo export --platform web`, raw and gzipped (level 9, as a CDN would serve it), and apart from
 * that the scripts index.html loads at once (the first visit's download; the rest loads with the
 * routes that need it).
 *
 *   npm run mobile:web-size             (exports first)
 *   npm run mobile:web-size -- <dir>    (measures an export made before)
 */
export interface WebSize {
  files: Array<{ file: string; bytes: number; gzipBytes: number; firstLoad: boolean }>;
  bytes: number;
  gzipBytes: number;
  firstLoadBytes: number;
  firstLoadGzipBytes: number;
}

export function measureWebExport(dir: string): WebSize {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const loaded = new Set<string>();
  for (const match of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) loaded.add(match[1]!.replace(/^\//, '').split('?')[0]!);
  for (const match of html.matchAll(/<link[^>]+href="([^"]+\.js)"/g)) loaded.add(match[1]!.replace(/^\//, '').split('?')[0]!);
  const files = listJs(dir).map((file) => {
    const body = readFileSync(path.join(dir, file));
    return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length, firstLoad: loaded.has(file) };
  });
  const sum = (list: typeof files, key: 'bytes' | 'gzipBytes') => list.reduce((total, f) => total + f[key], 0);
  const first = files.filter((f) => f.firstLoad);
  return {
    files,
    bytes: sum(files, 'bytes'),
    gzipBytes: sum(files, 'gzipBytes'),
    firstLoadBytes: sum(first, 'bytes'),
    firstLoadGzipBytes: sum(first, 'gzipBytes'),
  };
}

function listJs(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listJs(dir, relative);
    return entry.name.endsWith('.js') ? [relative] : [];
  });
}

export function describeWebSize(size: WebSize): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  const lines = [...size.files]
    .sort((a, b) => b.gzipBytes - a.gzipBytes)
    .map((f) => `  ${kb(f.gzipBytes).padStart(9)} gz  ${kb(f.bytes).padStart(9)}  ${f.file}${f.firstLoad ? '  (first load)' : ''}`);
  return [
    `JavaScript of the app's web export: ${size.files.length} files`,
    ...lines,
    `  first load: ${kb(size.firstLoadGzipBytes)} gzipped (${kb(size.firstLoadBytes)} uncompressed)`,
    `  all:        ${kb(size.gzipBytes)} gzipped (${kb(size.bytes)} uncompressed)`,
  ].join('\n');
}

const given = process.argv[2];
if (given) {
  console.log(describeWebSize(measureWebExport(given)));
} else {
  const exported = await exportWeb({ log: (line) => console.error(line) });
  try {
    console.log(describeWebSize(measureWebExport(exported.dir)));
  } finally {
    exported.dispose();
  }
}
