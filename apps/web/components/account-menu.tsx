'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { signOut, useSession } from '../lib/session.ts';

/** Sign-in links for visitors; the account menu (orders, dashboard, sign out) for a signed-in user. */
export function AccountMenu() {
  const session = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const menu = useRef<HTMLDetailsElement>(null);
  // A navigation closes the menu, as a person expects.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path is the trigger, not an input
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [pathname]);

  if (session.status === 'loading') return <span className="muted small" aria-hidden="true" style={{ minWidth: 120 }} />;
  if (session.status === 'anonymous') {
    const next = pathname && pathname !== '/login' && pathname !== '/signup' ? `?next=${encodeURIComponent(pathname)}` : '';
    return (
      <>
        <Link className="header-link" href={`/login${next}`}>
          Sign in
        </Link>
        <Link className="btn btn-primary btn-small" href="/signup">
          Create account
        </Link>
      </>
    );
  }
  const isAdmin = session.can['analytics:read'];
  return (
    <details className="account-menu" ref={menu} style={{ position: 'relative' }}>
      <summary className="btn btn-small" data-testid="account-menu">
        <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          <circle cx="12" cy="8" r="4" />
          <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" />
        </svg>{' '}
        {session.user.name}
      </summary>
      <div className="card" style={{ position: 'absolute', right: 0, top: 'calc(100% + 6px)', minWidth: 200, padding: 8, zIndex: 30 }}>
        <p className="muted small" style={{ padding: '4px 8px', margin: 0 }}>
          {session.user.email}
        </p>
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          <li>
            <Link className="header-link" style={{ display: 'block', padding: '6px 8px' }} href="/account">
              Your account
            </Link>
          </li>
          <li>
            <Link className="header-link" style={{ display: 'block', padding: '6px 8px' }} href="/orders">
              {isAdmin ? 'All orders' : 'My orders'}
            </Link>
          </li>
          {isAdmin ? (
            <li>
              <Link className="header-link" style={{ display: 'block', padding: '6px 8px' }} href="/overview">
                Store dashboard
              </Link>
            </li>
          ) : null}
          <li>
            <button
              type="button"
              className="btn-link"
              style={{ padding: '6px 8px', width: '100%', textAlign: 'left', cursor: 'pointer' }}
              onClick={async () => {
                await signOut();
                router.push('/');
                router.refresh();
              }}
            >
              Sign out
            </button>
          </li>
        </ul>
      </div>
    </details>
  );
}
