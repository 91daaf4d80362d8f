import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Every workspace declares each package it imports in its own package.json: npm hoists everything to
// the root, so an undeclared import works here and breaks the day a workspace is installed or
// deployed alone. What ships (src/, and the test support other workspaces import) must be a
// dependency; tests may use devDependencies.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const importPattern = /(?:from\s+|import\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm;
const builtins = new Set(builtinModules);

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  return builtins.has(name) ? undefined : name;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (['node_modules', '.next', '.dema'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (/\.(ts|tsx|mts|mjs)$/.test(entry.name)) files.push(full);
  }
  return files;
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const workspaces = (
  await Promise.all(
    ['packages', 'services', 'apps'].map(async (group) =>
      (await readdir(path.join(root, group), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => `${group}/${e.name}`),
    ),
  )
).flat();

for (const workspace of workspaces) {
  test(`${workspace} declares every package it imports`, async () => {
    const dir = path.join(root, workspace);
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    const shipped = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const declared = new Set([...shipped, ...Object.keys(manifest.devDependencies ?? {})]);
    const missing: string[] = [];
    for (const file of await sourceFiles(dir)) {
      const relative = path.relative(dir, file);
      const ships = (relative.startsWith('src/') && !relative.endsWith('.test.ts')) || relative.startsWith('test-support/');
      for (const [, specifier] of (await readFile(file, 'utf8')).matchAll(importPattern)) {
        const name = packageOf(specifier as string);
        if (!name || name === manifest.name) continue;
        if (ships && !shipped.has(name)) missing.push(`${relative} imports ${name}: not in dependencies`);
        else if (!declared.has(name)) missing.push(`${relative} imports ${name}: not declared`);
      }
    }
    assert.deepEqual([...new Set(missing)], []);
  });
}

test('the root declares no runtime dependencies: tooling and the benchmarks only', async () => {
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Manifest;
  assert.deepEqual(Object.keys(manifest.dependencies ?? {}), []);
});
