import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { DashboardShell } from '../../components/dashboard-shell.tsx';

export const metadata: Metadata = { robots: { index: false, follow: false } };

/** Account and store-management pages: rendered in the browser for the signed-in user. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  return <DashboardShell>{children}</DashboardShell>;
}
