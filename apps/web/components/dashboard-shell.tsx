'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useSession } from '../lib/session.ts';
import { Loading } from './states.tsx';

// Pages for store staff; a customer who opens one is sent back to the store (the API refuses them anyway).
const staffOnly = ['/overview', '/analytics', '/admin'];
const isStaffPath = (path: string): boolean => staffOnly.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

const adminLinks = [
  {
    group: 'Store',
    items: [
      { href: '/overview', label: 'Overview' },
      { href: '/orders', label: 'Orders' },
      { href: '/analytics', label: 'Analytics' },
    ],
  },
  {
    group: 'Catalog',
    items: [
      { href: '/admin/products', label: 'Products' },
      { href: '/admin/categories', label: 'Categories' },
      { href: '/admin/import', label: 'Import and export' },
    ],
  },
  {
    group: 'Checkout',
    items: [
      { href: '/admin/shipping', label: 'Shipping' },
      { href: '/admin/tax-rates', label: 'Tax rates' },
      { href: '/admin/promotions', label: 'Promotions' },
      { href: '/admin/checkout-settings', label: 'Settings' },
    ],
  },
  {
    group: 'People',
    items: [
      { href: '/admin/users', label: 'Users' },
      { href: '/admin/mailbox', label: 'Mailbox' },
    ],
  },
  { group: 'Integrations', items: [{ href: '/admin/webhooks', label: 'Webhooks' }] },
  { group: 'Oversight', items: [{ href: '/admin/audit', label: 'Audit log' }] },
  { group: 'You', items: [{ href: '/account', label: 'Your account' }] },
];
const customerLinks = [
  {
    group: 'Account',
    items: [
      { href: '/account', label: 'Your account' },
      { href: '/orders', label: 'My orders' },
    ],
  },
];

/**
 * The dashboard's frame: a signed-in user only (others go to sign in and come back), staff pages
 * for admins only, and a side navigation by role.
 */
export function DashboardShell({ children }: { children: ReactNode }) {
  const session = useSession();
  const pathname = usePathname();
  const router = useRouter();
  const signedIn = session.status === 'signed-in';
  const isAdmin = signedIn && session.can['analytics:read'];
  const deniedHere = signedIn && !isAdmin && isStaffPath(pathname);

  useEffect(() => {
    if (session.status === 'anonymous') router.replace(`/login?next=${encodeURIComponent(pathname)}`);
    else if (deniedHere) router.replace('/?notice=staff-only');
  }, [session.status, deniedHere, pathname, router]);

  if (session.status === 'loading') return <Loading label="Checking your session…" />;
  if (session.status === 'anonymous') return <Loading label="Taking you to sign in…" />;
  if (deniedHere) {
    return (
      <div className="state panel" role="alert">
        <h1>This page is for store staff</h1>
        <p>Taking you back to the store…</p>
      </div>
    );
  }
  const links = isAdmin ? adminLinks : customerLinks;
  return (
    <div className="dashboard">
      <nav className="side-nav panel" style={{ padding: 0 }} aria-label="Dashboard">
        <ul>
          {links.map((group) => (
            <li key={group.group}>
              <div className="group">{group.group}</div>
              <ul style={{ padding: 0 }}>
                {group.items.map((link) => {
                  const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
                  return (
                    <li key={link.href}>
                      <Link href={link.href} aria-current={current ? 'page' : undefined}>
                        {link.label}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </li>
          ))}
        </ul>
      </nav>
      <div>{children}</div>
    </div>
  );
}
