import Type from 'typebox';
import { MailboxQuery, type MailboxPage } from '@dema/contracts';
import { problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import { MailboxTransport, type MailTransport } from '../mail/transports.ts';

/** The local mailbox (users:read: it holds what was sent to customers). */
export async function mailboxRoutes(app: DemaApp, transport: MailTransport): Promise<void> {
  app.get(
    '/api/admin/mailbox',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        operationId: 'listMailbox',
        summary: 'The emails sent to the local mailbox, newest first (none when a mail server is configured)',
        security: requiresToken,
        querystring: MailboxQuery,
        response: { 200: Type.Ref('MailboxPage'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request): Promise<MailboxPage> => {
      if (!(transport instanceof MailboxTransport)) return { transport: 'smtp', items: [] };
      return { transport: 'mailbox', items: await transport.list(request.query.limit, request.query.to?.trim().toLowerCase()) };
    },
  );
}
