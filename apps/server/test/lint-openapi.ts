import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readOpenApiDocuments } from './support/openapi-documents.ts';

/**
 * `npm run lint:openapi`: builds Dema in-process on the embedded defaults, writes its two OpenAPI
 * documents (the all-in-one process's and the gateway's merged one) to a temporary directory and
 * runs `redocly lint` on both with the repository's redocly.yaml (the recommended rules). Exits
 * non-zero on any error or warning: a document any generator can take has neither.
 */
const root = resolve(import.meta.dirname, '../../..');
const documents = await readOpenApiDocuments();
const dir = mkdtempSync(join(tmpdir(), 'dema-openapi-'));
let status = 1;
try {
  const files = Object.entries(documents).map(([name, document]) => {
    const file = join(dir, `${name}.openapi.json`);
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    return file;
  });
  // The CLI's own exit code ignores warnings unless told: --max-problems keeps the report whole.
  const lint = spawnSync(
    join(root, 'node_modules/.bin/redocly'),
    ['lint', ...files, '--config', join(root, 'redocly.yaml'), '--max-problems', '1000', '--format', 'stylish'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  const output = `${lint.stdout}${lint.stderr}`;
  process.stdout.write(output);
  const warnings = /(\d+) warnings?/.exec(output);
  status = lint.status !== 0 || (warnings && Number(warnings[1]) > 0) ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
