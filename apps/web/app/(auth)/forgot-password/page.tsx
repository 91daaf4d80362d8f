import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ForgotPasswordForm } from '../../../components/account-recovery.tsx';

export const metadata: Metadata = { title: 'Reset your password', robots: { index: false } };

export default function Page() {
  return (
    <div className="auth-wrap">
      <div className="panel">
        <h1>Reset your password</h1>
        <p className="muted">We email you a link to choose a new one.</p>
        <Suspense>
          <ForgotPasswordForm />
        </Suspense>
      </div>
    </div>
  );
}
