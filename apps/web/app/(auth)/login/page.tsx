import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoginForm } from '../../../components/auth-forms.tsx';

export const metadata: Metadata = { title: 'Sign in', robots: { index: false } };

export default function LoginPage() {
  return (
    <div className="auth-wrap">
      <div className="panel">
        <h1>Sign in</h1>
        <p className="muted">Welcome back. Sign in to see your cart and orders.</p>
        <Suspense>
          <LoginForm />
        </Suspense>
      </div>
    </div>
  );
}
