'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { ErrorCode } from '@dema/contracts';
import { describeFailure, type DemaApiError } from '@dema/client';
import { safeNextPath } from '../lib/navigation.ts';
import { signIn, signUp, useSession } from '../lib/session.ts';
import { FormField } from './form-field.tsx';

type FieldErrors = Partial<Record<'name' | 'email' | 'password', string>>;

function useAfterSignIn(): (role: 'customer' | 'admin') => void {
  const router = useRouter();
  const params = useSearchParams();
  return (role) => router.replace(safeNextPath(params.get('next'), role === 'admin' ? '/overview' : '/'));
}

/** Sends a visitor who is already signed in on to where they were going. */
function useRedirectWhenSignedIn(): void {
  const session = useSession();
  const go = useAfterSignIn();
  const role = session.status === 'signed-in' ? session.user.role : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a change of who is signed in should navigate, not each render's new `go`
  useEffect(() => {
    if (role) go(role);
  }, [role]);
}

function Field({
  id,
  label,
  error,
  hint,
  ...input
}: { id: string; label: string; error?: string | undefined; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FormField id={id} label={label} error={error} hint={hint}>
      {(aria) => <input {...aria} name={id} {...input} />}
    </FormField>
  );
}

/** The sign-in form: a wrong email or password gets one clear message, announced to screen readers. */
export function LoginForm() {
  useRedirectWhenSignedIn();
  const after = useAfterSignIn();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (!email || !password) {
      setError('Enter your email and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(email, password);
      after(user.role);
    } catch (caught) {
      const failure = caught as DemaApiError;
      setError(failure.code === ErrorCode.INVALID_CREDENTIALS ? 'The email or password is incorrect. Check them and try again.' : describeFailure(failure));
      setBusy(false);
    }
  }

  useEffect(() => {
    if (error) alertRef.current?.focus();
  }, [error]);

  return (
    <form onSubmit={submit} noValidate aria-describedby={error ? 'login-error' : undefined}>
      <div aria-live="assertive">
        {error ? (
          <div className="alert alert-error" role="alert" id="login-error" tabIndex={-1} ref={alertRef}>
            {error}
          </div>
        ) : null}
      </div>
      <Field id="email" label="Email" type="email" autoComplete="email" required autoFocus />
      <Field id="password" label="Password" type="password" autoComplete="current-password" required />
      <p className="small" style={{ margin: '0 0 12px' }}>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
        {busy ? <span className="spinner" aria-hidden="true" /> : null} Sign in
      </button>
      <p className="muted small" style={{ marginTop: 16, textAlign: 'center' }}>
        New here? <Link href={`/signup${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}>Create an account</Link>
      </p>
    </form>
  );
}

/** The sign-up form: each field's problem is shown next to it, and summarised in an alert. */
export function SignupForm() {
  useRedirectWhenSignedIn();
  const after = useAfterSignIn();
  const params = useSearchParams();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const local: FieldErrors = {};
    if (!name) local.name = 'Enter your name.';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) local.email = 'Enter a valid email address.';
    if (password.length < 12) local.password = 'Use at least 12 characters.';
    setErrors(local);
    if (Object.keys(local).length > 0) {
      setError('Please correct the highlighted fields.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await signUp(name, email, password);
      after(user.role);
    } catch (caught) {
      const failure = caught as DemaApiError;
      const fields = failure.fieldErrors() as FieldErrors;
      if (failure.code === ErrorCode.WEAK_PASSWORD) fields.password = failure.problem?.detail ?? 'This password is too common. Choose another.';
      setErrors(fields);
      setError(Object.keys(fields).length > 0 ? 'Please correct the highlighted fields.' : describeFailure(failure));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <div aria-live="assertive">
        {error ? (
          <div className="alert alert-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
      <Field id="name" label="Name" type="text" autoComplete="name" required maxLength={100} error={errors.name} autoFocus />
      <Field id="email" label="Email" type="email" autoComplete="email" required maxLength={254} error={errors.email} />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={128}
        error={errors.password}
        hint="At least 12 characters. A short phrase is easy to remember and hard to guess."
      />
      <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
        {busy ? <span className="spinner" aria-hidden="true" /> : null} Create account
      </button>
      <p className="muted small" style={{ marginTop: 16, textAlign: 'center' }}>
        Already have an account? <Link href={`/login${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}>Sign in</Link>
      </p>
    </form>
  );
}
