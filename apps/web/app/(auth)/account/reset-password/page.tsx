import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ResetPasswordForm } from '../../../../components/account-recovery.tsx';

export const metadata: Metadata = { title: 'Choose a new password', robots: { index: false } };

export default function Page() {
  return (
    <div className="auth-wrap">
      <div className="panel">
        <h1>Choose a new password</h1>
        <p className="muted">Setting it signs you out everywhere.</p>
        <Suspense>
          <ResetPasswordForm />
        </Suspense>
      </div>
    </div>
  );
}
