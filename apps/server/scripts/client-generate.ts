import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clientFiles, readApiDocument, renderClientFiles } from './client-document.ts';

/**
 * `npm run client:generate`: writes `@dema/client`'s copy of the API's OpenAPI document and the
 * TypeScript types generated from it. Run it after changing a route's schema; the drift test
 * (apps/server/test/client-drift.test.ts) fails until the checked-in files match the API again.
 */
const files = await renderClientFiles(await readApiDocument());
await mkdir(path.dirname(clientFiles.types), { recursive: true });
await writeFile(clientFiles.document, files.document);
await writeFile(clientFiles.types, files.types);
process.stdout.write(`wrote ${path.relative(process.cwd(), clientFiles.document)} and ${path.relative(process.cwd(), clientFiles.types)}\n`);
