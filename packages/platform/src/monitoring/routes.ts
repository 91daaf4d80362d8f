import Type from 'typebox';
import type { DemaApp } from '../http/server.ts';
import type { Monitor } from './monitor.ts';

const problem = Type.Ref('Problem');

/**
 * The dashboard's monitoring reads, admin only: the seed has no monitoring permission, and
 * analytics:read is the one its table gives the admin dashboard.
 */
export async function monitoringRoutes(app: DemaApp, monitor: Monitor): Promise<void> {
  const config = { permission: 'analytics:read' as const };
  const security = [{ bearer: [] }];
  const errors = { 401: problem, 403: problem };

  app.get(
    '/api/monitoring/system',
    {
      config,
      schema: {
        tags: ['monitoring'],
        summary: "This machine's CPU, memory, disk and network (seed: SystemMetrics)",
        security,
        response: { 200: Type.Ref('SystemMetrics'), ...errors },
      },
    },
    async () => monitor.systemMetrics(),
  );

  app.get(
    '/api/monitoring/application',
    {
      config,
      schema: {
        tags: ['monitoring'],
        summary: 'Requests at this entry, and the database and cache of the services behind it, since they started (seed: ApplicationMetrics)',
        security,
        response: { 200: Type.Ref('ApplicationMetrics'), ...errors },
      },
    },
    async () => monitor.applicationMetrics(),
  );

  app.get(
    '/api/monitoring/alerts',
    {
      config,
      schema: {
        tags: ['monitoring'],
        summary: 'Active (pending or firing) and recently resolved alerts, with what each channel was told',
        security,
        response: { 200: Type.Ref('AlertList'), ...errors },
      },
    },
    async () => monitor.alerts(),
  );
}
