import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SignupForm } from '../../../components/auth-forms.tsx';

export const metadata: Metadata = { title: 'Create an account', robots: { index: false } };

export default function SignupPage() {
  return (
    <div className="auth-wrap">
      <div className="panel">
        <h1>Create your account</h1>
        <p className="muted">Track your orders and check out faster.</p>
        <Suspense>
          <SignupForm />
        </Suspense>
      </div>
    </div>
  );
}
