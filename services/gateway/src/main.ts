import { runProcess } from '@dema/platform';
import type { UserService } from '@dema/user';
import { allInOneServices } from './services.ts';

/**
 * The all-in-one process `npm start` runs: every service mounted on one HTTP server, no network hop
 * between them. With no database/cache URLs configured it runs on the embedded defaults.
 */
await runProcess('dema', allInOneServices(), async ({ url, infra, services }) => {
  const embedded = Object.keys(infra.config.databaseUrls).length === 0;
  const local = url.replace('127.0.0.1', 'localhost');
  const demo = (services.find((s) => s.name === 'user') as UserService).demoCredentials;
  const lines = [
    '',
    `  Dema is running at ${local}`,
    `    catalog:   ${local}/api/products`,
    `    API docs:  ${local}/api/docs`,
    `    database:  ${embedded ? `embedded PGlite in ${infra.config.dataDir}` : 'PostgreSQL'}; cache: ${infra.cache.state}`,
    ...(demo
      ? [
          `    demo admin:    ${demo.admin.email} / ${demo.admin.password}`,
          `    demo customer: ${demo.customer.email} / ${demo.customer.password}`,
        ]
      : []),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});
