'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import type { User } from '@dema/contracts';
import { useSession } from '../lib/session.ts';
import { Loading } from './states.tsx';

/**
 * Renders `children(user)` for a signed-in visitor; a loading state while the session is being
 * learned; and an invitation to sign in (returning here) otherwise.
 */
export function RequireSession({ children, reason }: { children: (user: User) => ReactNode; reason: string }) {
  const session = useSession();
  const pathname = usePathname();
  if (session.status === 'loading') return <Loading label="Checking your session…" />;
  if (session.status === 'anonymous') {
    return (
      <div className="state panel">
        <h1>Please sign in</h1>
        <p>{reason}</p>
        <p>
          <Link className="btn btn-primary" href={`/login?next=${encodeURIComponent(pathname)}`}>
            Sign in
          </Link>{' '}
          <Link className="btn" href={`/signup?next=${encodeURIComponent(pathname)}`}>
            Create account
          </Link>
        </p>
      </div>
    );
  }
  return <>{children(session.user)}</>;
}
