import Type from 'typebox';
import { AuditQuery } from '@dema/contracts';
import { problemResponses, requiresToken, type DemaApp, type Db } from '@dema/platform';
import { searchAuditLog } from '../db/audit-log.repository.ts';

/**
 * The audit log's search (audit:read). Read-only on purpose: there is no route that changes or
 * removes an entry, and the table refuses it anyway (migration 0004).
 */
export async function auditRoutes(app: DemaApp, db: Db): Promise<void> {
  app.get(
    '/api/admin/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        operationId: 'searchAuditLog',
        summary: 'Search the audit log of admin actions',
        description:
          'Who did what, when, with the resource before and after and the request id; newest first. Every filter given must match. ' +
          'An entry appears once the event of its change is consumed (usually within a second). Entries cannot be changed or deleted.',
        security: requiresToken,
        querystring: AuditQuery,
        response: { 200: Type.Ref('AuditEntryPage'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { items, total } = await searchAuditLog(db, request.query);
      return { items, total, limit: request.query.limit, offset: request.query.offset };
    },
  );
}
