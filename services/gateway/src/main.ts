import { runProcess } from '@dema/platform';
import { createProductService } from '@dema/product';

/**
 * The all-in-one process `npm start` runs: every service mounted on one HTTP server, no network hop
 * between them. With no database/cache URLs configured it runs on the embedded defaults.
 */
await runProcess('dema', [createProductService], async ({ url, infra }) => {
  const mode = Object.keys(infra.config.databaseUrls).length > 0 ? 'PostgreSQL' : `embedded PGlite in ${infra.config.dataDir}`;
  const local = url.replace('0.0.0.0', 'localhost');
  const lines = [
    '',
    `  Dema is running at ${local}`,
    `    catalog:   ${local}/api/products`,
    `    API docs:  ${local}/api/docs`,
    `    database:  ${mode}; cache: ${infra.cache.state}`,
    `    admin token (interim, for writes): ${await infra.adminToken()}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});
