import Type from 'typebox';
import { NoFields } from '@dema/contracts';
import type { DemaApp } from '@dema/platform';
import type { Identity } from '../identity.ts';

const SidParam = Type.Object({ sid: Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z-]+$' }) });
const SessionState = Type.Object({ ended: Type.Boolean() });

/**
 * Whether a login session has ended, from the User DB: what the session store of a process without
 * the User service asks when Redis cannot answer. Service token only; the gateway never forwards it.
 */
export async function sessionRoutes(app: DemaApp, identity: Identity): Promise<void> {
  app.get(
    '/internal/sessions/:sid',
    { config: { internal: true }, schema: { hide: true, params: SidParam, querystring: NoFields, response: { 200: SessionState } } },
    async (request) => ({ ended: await identity.sessionState.isEnded(request.params.sid) }),
  );
}
