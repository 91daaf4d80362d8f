import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The web app reaches the API through `@dema/client` only (typed calls, one error type, the
 * session's refresh): a hand-written `fetch` or XMLHttpRequest in its pages, components or
 * libraries fails here, unless it is one of these, each for the reason given.
 */
const allowed: Record<string, string> = {
  'lib/api-proxy.ts': 'the /api/* reverse proxy forwards requests as they come; it calls no operation of its own',
  'lib/uncached-fetch.ts': 'the fetch the clients are created with (no cache, a timeout)',
  'app/healthz/route.ts': "the web app's health probe of the API's /health/ready, which is no API operation",
  'components/overview-view.tsx': "the web app's own /healthz, not the API",
};

const appDir = path.dirname(fileURLToPath(import.meta.url));

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(appDir, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(relative);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

test('no page, component or library of the web app calls the API by hand', () => {
  const handWritten = ['app', 'components', 'lib']
    .flatMap(sourcesUnder)
    .filter((file) => !(file in allowed))
    .filter((file) => /\bfetch\s*\(|XMLHttpRequest/.test(readFileSync(path.join(appDir, file), 'utf8')));
  assert.deepEqual(handWritten, [], 'call the API through `api` (lib/session.ts) in the browser or `serverApi` (lib/api-server.ts) on the server');
});

test('each exception still exists and is the only place of its kind', () => {
  for (const file of Object.keys(allowed)) {
    const source = readFileSync(path.join(appDir, file), 'utf8');
    assert.match(source, /\bfetch\s*\(/, `${file} no longer fetches: remove it from the exceptions`);
  }
  // The proxy is the one fetch that reaches /api/* paths of the API by hand.
  for (const file of Object.keys(allowed).filter((name) => name !== 'lib/api-proxy.ts')) {
    assert.doesNotMatch(readFileSync(path.join(appDir, file), 'utf8'), /fetch\s*\(\s*[`'"][^`'"]*\/api\//, `${file} fetches an /api path by hand`);
  }
});
