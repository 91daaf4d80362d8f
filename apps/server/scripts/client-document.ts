import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { buildApp, createInfrastructure, loadConfig, type ServiceModule } from '@dema/platform';
import { registerEdgePolicies } from '@dema/gateway';
import { allInOneServices } from '../src/services.ts';

/** Where `@dema/client` keeps what is generated from the API's OpenAPI document. */
export const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/client');
export const clientFiles = {
  document: path.join(clientDir, 'openapi.json'),
  types: path.join(clientDir, 'src/generated/openapi.ts'),
};

/**
 * The OpenAPI document of the all-in-one process as `npm start` serves it (every service, the edge
 * policies), built in-process on the embedded defaults: no port, no demo data, nothing kept.
 */
export async function readApiDocument(): Promise<OpenAPI3> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMA_DEMO_DATA: 'false', PORT: '0', HOST: '127.0.0.1' });
  const infra = await createInfrastructure(config, { name: 'client-generate', inMemory: true });
  const modules: ServiceModule[] = [];
  try {
    for (const factory of Object.values(allInOneServices())) modules.push(await factory(infra));
    const app = await buildApp(infra, modules, 'dema');
    try {
      await registerEdgePolicies(app, infra, {});
      const response = await app.inject({ method: 'GET', url: '/api/docs/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /api/docs/openapi.json answered ${response.statusCode}`);
      return JSON.parse(response.body) as OpenAPI3;
    } finally {
      await app.close();
    }
  } finally {
    for (const module of modules) await module.close();
    await infra.close();
  }
}

/** `value` with every object's keys sorted: the document's text changes only when its content does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** The two generated files of `@dema/client` for `document`, as their text. */
export async function renderClientFiles(document: OpenAPI3): Promise<{ document: string; types: string }> {
  const sorted = sortKeys(document) as OpenAPI3;
  const header = '// Generated from packages/client/openapi.json by `npm run client:generate`: do not edit.\n\n';
  return {
    document: `${JSON.stringify(sorted, null, 2)}\n`,
    types: header + astToString(await openapiTS(sorted, { alphabetize: true })),
  };
}

/** The generated files as they are checked in. */
export async function readClientFiles(): Promise<{ document: string; types: string }> {
  return { document: await readFile(clientFiles.document, 'utf8'), types: await readFile(clientFiles.types, 'utf8') };
}
