'use client';

import type { ReactNode } from 'react';
import type { Permission } from '@dema/contracts';
import { useSession } from '../lib/session.ts';

/**
 * Renders its children only for a user the permission table grants `permission`. The dashboard
 * shell already sends others away; this keeps a staff page from even asking the API meanwhile.
 */
export function AdminOnly({ permission, children }: { permission: Permission; children: ReactNode }) {
  const session = useSession();
  if (session.status !== 'signed-in' || !session.can[permission]) return null;
  return <>{children}</>;
}
