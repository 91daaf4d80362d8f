import type { Metadata } from 'next';
import { Suspense } from 'react';
import { VerifyEmail } from '../../../../components/account-recovery.tsx';

export const metadata: Metadata = { title: 'Confirm your email', robots: { index: false } };

export default function Page() {
  return (
    <div className="auth-wrap">
      <div className="panel">
        <h1>Confirm your email</h1>
        <p className="muted">One moment.</p>
        <Suspense>
          <VerifyEmail />
        </Suspense>
      </div>
    </div>
  );
}
