import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultRulesFile, exportPrometheusRules, loadAlertRules } from '@dema/monitoring';
import { loadConfig } from '@dema/platform';
import { renderDeployFiles } from './deploy-manifests.ts';

/**
 * `npm run deploy:generate`: writes compose.yaml, its Prometheus files and the Kubernetes base from
 * apps/server/scripts/deploy-manifests.ts. The drift test (apps/server/test/deploy-manifests.test.ts)
 * fails until the checked-in files match again.
 */
export async function exportedAlertRules(): Promise<string> {
  const { alerting } = loadConfig();
  return exportPrometheusRules(
    (await loadAlertRules(defaultRulesFile)).map((r) => r.rule),
    alerting.windowMs,
    'config/alert-rules.json',
  );
}

const root = path.resolve(import.meta.dirname, '../../..');
if (process.argv[1] === import.meta.filename) {
  for (const [file, text] of Object.entries(renderDeployFiles(await exportedAlertRules()))) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
