import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiUrlPlaceholder } from './serve-export.ts';

/** apps/mobile, where `expo export` runs. */
export const mobileDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface WebExport {
  /** The exported site: index.html, _expo/static/js/web/*.js, assets. */
  dir: string;
  /** Removes the export and its bundler cache. */
  dispose(): void;
}

/**
 * `expo export --platform web` of apps/mobile into a fresh temporary directory, built with
 * EXPO_PUBLIC_DEMA_API_URL set to the placeholder that serveExport replaces. Metro keeps its
 * transform cache under the OS temporary directory; each export gets a temporary directory of its
 * own (TMPDIR), so two exports at once (the e2e run and a size measurement, or another checkout)
 * never read each other's half-written cache. Rejects with Expo's output when the export fails.
 */
export async function exportWeb(options: { log?: (line: string) => void } = {}): Promise<WebExport> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'dema-mobile-export-'));
  const dir = path.join(work, 'dist');
  const cache = path.join(work, 'tmp');
  const dispose = () => rmSync(work, { recursive: true, force: true });
  mkdirSync(cache);
  const started = Date.now();
  options.log?.(`exporting apps/mobile for the web into ${dir}`);
  let output = '';
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'expo', 'export', '--platform', 'web', '--output-dir', dir], {
      cwd: mobileDir,
      env: {
        ...process.env,
        EXPO_PUBLIC_DEMA_API_URL: apiUrlPlaceholder,
        TMPDIR: cache,
        // Non-interactive, no telemetry, no network look-ups of SDK versions: an export is a pure build.
        CI: '1',
        EXPO_NO_TELEMETRY: '1',
        EXPO_OFFLINE: '1',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) {
    dispose();
    throw new Error(`expo export --platform web failed (exit ${code}):\n${output}`);
  }
  options.log?.(`exported in ${Math.round((Date.now() - started) / 1000)} s`);
  return { dir, dispose };
}
