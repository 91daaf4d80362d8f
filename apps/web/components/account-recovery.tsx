'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type DemaApiError, describeFailure } from '@dema/client';
import { api } from '../lib/session.ts';
import { FormError } from './admin-resource.tsx';
import { useFormSubmit } from '../lib/use-form-submit.ts';
import { FormField } from './form-field.tsx';
import { Loading } from './states.tsx';

/**
 * "Forgot your password?": asks for the address and says the same whatever it is — the API never
 * tells whether an account has it — then what to look for in the inbox.
 */
export function ForgotPasswordForm() {
  const [sent, setSent] = useState<string | null>(null);
  const { busy, errors, error, run, setErrors } = useFormSubmit();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    // Read from the form, not from state: what was typed before the page hydrated counts too.
    const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
    if (!email) {
      setErrors({ email: 'Enter the email of your account.' });
      return;
    }
    await run(async () => setSent((await api.POST('/api/auth/password-reset', { body: { email } })).message));
  }

  if (sent) {
    return (
      <div className="alert alert-success" role="status">
        {sent} The link in it works once, for an hour.
      </div>
    );
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Reset your password">
      <FormError error={error} />
      <FormField id="reset-email" label="Email" error={errors.email}>
        {(aria) => <input {...aria} name="email" type="email" autoComplete="email" />}
      </FormField>
      <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
        Email me a link
      </button>
      <p className="muted small" style={{ marginTop: 16, textAlign: 'center' }}>
        Remembered it? <Link href="/login">Sign in</Link>
      </p>
    </form>
  );
}

/** The emailed link's page: a new password for the account, which ends every session of it. */
export function ResetPasswordForm() {
  const token = useSearchParams().get('token') ?? '';
  const [done, setDone] = useState(false);
  const { busy, errors, error, run } = useFormSubmit();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const newPassword = String(new FormData(event.currentTarget).get('newPassword') ?? '');
    // A used or expired link cannot be mended on this page: say where to get a new one.
    const describe = (failure: DemaApiError) =>
      failure.fieldErrors().token ? 'This link has expired or was already used. Ask for a new one.' : describeFailure(failure);
    if (await run(() => api.POST('/api/auth/password-reset/confirm', { body: { token, newPassword } }), { describe })) setDone(true);
  }

  if (!token) {
    return (
      <p className="alert alert-error" role="alert">
        This page opens from the link in the email. <Link href="/forgot-password">Ask for a new link</Link>.
      </p>
    );
  }
  if (done) {
    return (
      <div className="alert alert-success" role="status">
        Your password is changed and you were signed out everywhere. <Link href="/login">Sign in</Link> with the new one.
      </div>
    );
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Choose a new password">
      <FormError error={error} />
      {errors.token ? (
        <p>
          <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      ) : null}
      <FormField id="reset-new-password" label="New password" hint="At least 12 characters" error={errors.newPassword}>
        {(aria) => <input {...aria} name="newPassword" type="password" autoComplete="new-password" />}
      </FormField>
      <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
        Set the new password
      </button>
    </form>
  );
}

/** The verification link's page: confirms the address once, on opening. */
export function VerifyEmail() {
  const token = useSearchParams().get('token') ?? '';
  const [state, setState] = useState<{ status: 'working' } | { status: 'done' } | { status: 'failed'; message: string }>({ status: 'working' });
  const sent = useRef(false);
  useEffect(() => {
    // Once: a second call with the spent token would show a failure after the success.
    if (sent.current) return;
    sent.current = true;
    if (!token) {
      setState({ status: 'failed', message: 'This page opens from the link in the email.' });
      return;
    }
    api
      .POST('/api/auth/verify-email', { body: { token } })
      .then(() => setState({ status: 'done' }))
      .catch((caught: unknown) => {
        const failure = caught as DemaApiError;
        setState({ status: 'failed', message: failure.fieldErrors().token ? 'This link has expired or was already used.' : describeFailure(failure) });
      });
  }, [token]);
  if (state.status === 'working') return <Loading label="Confirming your email…" />;
  if (state.status === 'done') {
    return (
      <div className="alert alert-success" role="status">
        Your email is confirmed. <Link href="/">Go to the store</Link>
      </div>
    );
  }
  return (
    <p className="alert alert-error" role="alert">
      {state.message}
    </p>
  );
}
