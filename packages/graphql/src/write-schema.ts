import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { schemaFile } from './index.ts';
import { createSchema, printSdl } from './schema/index.ts';

/** `npm run graphql:schema`: prints the code's schema into the checked-in packages/graphql/schema.graphql. */
await writeFile(fileURLToPath(schemaFile), printSdl(createSchema()));
process.stdout.write(`wrote ${fileURLToPath(schemaFile)}\n`);
