'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { blankAddress, formatDateTime, formatPrice, type SavedAddress, type User } from '@dema/contracts';
import { type DemaApiError, describeFailure } from '@dema/client';
import { addressErrorMessages, addressOf, type AddressDraft, fieldErrorsUnder, savedAddressLabel } from '../lib/checkout.ts';
import { api, signOut } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { AddressForm } from './address-form.tsx';
import { FormError, NoticeAlert, useAdminResource } from './admin-resource.tsx';
import { useFormSubmit } from '../lib/use-form-submit.ts';
import { FormField } from './form-field.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { StatusPill } from './status-pill.tsx';

/** The API's reasons for `body.<field>` as "Label reason", by field. */
function reasonsOf(failure: DemaApiError, labels: Record<string, string>): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const [field, reason] of Object.entries(fieldErrorsUnder(failure, 'body'))) reasons[field] = `${labels[field] ?? field} ${reason}`;
  return reasons;
}

function ProfileForm({ name: current, onSaved }: { name: string; onSaved: () => void }) {
  const [name, setName] = useState(current);
  const [saved, setSaved] = useState(false);
  const { busy, errors, error, run } = useFormSubmit();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setSaved(false);
    if (await run(() => api.PUT('/api/users/me', { body: { name } }), { fields: (failure) => reasonsOf(failure, { name: 'Name' }) })) {
      setSaved(true);
      onSaved();
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <NoticeAlert notice={saved ? { ok: true, text: 'Your name is saved.' } : null} />
      <FormError error={error} />
      <FormField id="profile-name" label="Name" error={errors.name}>
        {(aria) => <input {...aria} type="text" autoComplete="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
      </FormField>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Save name
      </button>
    </form>
  );
}

function PasswordForm() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [changed, setChanged] = useState(false);
  const { busy, errors, error, run } = useFormSubmit();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setChanged(false);
    const fields = (failure: DemaApiError) => reasonsOf(failure, { currentPassword: 'Current password', newPassword: 'New password' });
    if (await run(() => api.PUT('/api/users/me', { body: { currentPassword, newPassword } }), { fields })) {
      setCurrentPassword('');
      setNewPassword('');
      setChanged(true);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <NoticeAlert notice={changed ? { ok: true, text: 'Your password is changed. Every other place you were signed in is signed out.' } : null} />
      <FormError error={error} />
      <FormField id="password-current" label="Current password" error={errors.currentPassword}>
        {(aria) => (
          <input {...aria} type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrentPassword(e.target.value)} />
        )}
      </FormField>
      <FormField id="password-new" label="New password" hint="At least 12 characters" error={errors.newPassword}>
        {(aria) => <input {...aria} type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />}
      </FormField>
      <button type="submit" className="btn btn-primary" disabled={busy || !currentPassword || !newPassword}>
        Change password
      </button>
    </form>
  );
}

function NewAddress({ onAdded }: { onAdded: (text: string) => void }) {
  const [draft, setDraft] = useState<AddressDraft>({ ...blankAddress, country: 'US' });
  const [label, setLabel] = useState('');
  const [defaults, setDefaults] = useState({ defaultShipping: false, defaultBilling: false });
  const { busy, errors, error, run } = useFormSubmit();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const saved = await run(() => api.POST('/api/users/me/addresses', { body: { address: addressOf(draft), label: label.trim() || null, ...defaults } }), {
      fields: (failure) => addressErrorMessages(fieldErrorsUnder(failure, 'body.address')),
    });
    if (!saved) return;
    setDraft({ ...blankAddress, country: draft.country });
    setLabel('');
    onAdded('The address is saved.');
  }

  return (
    <form onSubmit={submit} noValidate aria-label="New address">
      <FormError error={error} />
      <FormField id="address-label" label="Label (optional)" hint="Home, Work…">
        {(aria) => <input {...aria} type="text" value={label} maxLength={40} onChange={(e) => setLabel(e.target.value)} />}
      </FormField>
      <AddressForm section="shipping" legend="Address" value={draft} errors={errors} onChange={setDraft} />
      <label className="checkbox">
        <input type="checkbox" checked={defaults.defaultShipping} onChange={(e) => setDefaults({ ...defaults, defaultShipping: e.target.checked })} /> Ship here
        by default
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={defaults.defaultBilling} onChange={(e) => setDefaults({ ...defaults, defaultBilling: e.target.checked })} /> Bill here
        by default
      </label>
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Save address
        </button>
      </div>
    </form>
  );
}

function AddressBook() {
  const book = useApi((client) => client.GET('/api/users/me/addresses'), []);
  const { notice, done, act } = useAdminResource(book.reload);
  const path = (saved: SavedAddress) => ({ params: { path: { id: saved.id } } });

  return (
    <section aria-labelledby="addresses-heading">
      <h2 id="addresses-heading">Address book</h2>
      <NoticeAlert notice={notice} />
      {book.status === 'loading' ? <Loading /> : null}
      {book.status === 'error' ? <ErrorState message={describeFailure(book.error)} /> : null}
      {book.status === 'ready' && book.data.items.length === 0 ? (
        <EmptyState title="No saved addresses">Add one below, or save one at checkout.</EmptyState>
      ) : null}
      {book.status === 'ready' && book.data.items.length > 0 ? (
        <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 12 }} aria-label="Saved addresses">
          {book.data.items.map((saved) => {
            const name = savedAddressLabel(saved);
            return (
              <li key={saved.id} className="card" style={{ padding: 12 }}>
                <div>{name}</div>
                <div className="muted small">
                  {[saved.address.line2, saved.address.postalCode, saved.address.region, saved.address.country].filter(Boolean).join(', ')}
                </div>
                <div className="small">
                  {saved.defaultShipping ? <span className="pill">Default shipping</span> : null}{' '}
                  {saved.defaultBilling ? <span className="pill">Default billing</span> : null}
                </div>
                <div className="row-actions">
                  {(['Shipping', 'Billing'] as const).map((kind) =>
                    saved[`default${kind}`] ? null : (
                      <button
                        key={kind}
                        type="button"
                        className="btn btn-small"
                        onClick={() =>
                          void act(
                            () => api.PATCH('/api/users/me/addresses/{id}', { ...path(saved), body: { [`default${kind}`]: true } }),
                            `${name} is your ${kind.toLowerCase()} address now.`,
                          )
                        }
                      >
                        {kind === 'Shipping' ? 'Ship' : 'Bill'} here by default<span className="visually-hidden"> ({name})</span>
                      </button>
                    ),
                  )}
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    onClick={() => {
                      if (window.confirm(`Delete the address “${name}”?`))
                        void act(() => api.DELETE('/api/users/me/addresses/{id}', path(saved)), `Deleted “${name}”.`);
                    }}
                  >
                    Delete<span className="visually-hidden"> {name}</span>
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      <h3>Add an address</h3>
      <NewAddress onAdded={done} />
    </section>
  );
}

const recentOrders = 5;

/** The shopper's latest orders, each linking to its page; the whole history is on /orders. */
function OrderHistory({ user }: { user: User }) {
  const orders = useApi(
    (client) => client.GET('/api/orders/user/{userId}', { params: { path: { userId: user.id }, query: { limit: recentOrders, offset: 0 } } }),
    [user.id],
  );
  return (
    <section aria-labelledby="orders-heading">
      <h2 id="orders-heading">Order history</h2>
      {orders.status === 'loading' ? <Loading /> : null}
      {orders.status === 'error' ? <ErrorState message={describeFailure(orders.error)} /> : null}
      {orders.status === 'ready' && orders.data.items.length === 0 ? <EmptyState title="No orders yet">What you order shows here.</EmptyState> : null}
      {orders.status === 'ready' && orders.data.items.length > 0 ? (
        <>
          <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 8 }} aria-label="Recent orders">
            {orders.data.items.map((order) => (
              <li key={order.id}>
                <Link href={`/orders/${order.id}`} className="mono">
                  #{order.id.slice(0, 8)}
                </Link>{' '}
                <span className="muted small">{formatDateTime(order.createdAt)}</span> {formatPrice(order.total, order.currency)}{' '}
                <StatusPill status={order.status} />
              </li>
            ))}
          </ul>
          {orders.data.total > orders.data.items.length ? <Link href="/orders">All {orders.data.total} orders</Link> : null}
        </>
      ) : null}
    </section>
  );
}

/**
 * Deleting the account: the password again, and a confirmation that says what goes and what stays.
 * Afterwards the browser's session is ended too and the shopper lands on the home page.
 */
function DeleteAccount() {
  const router = useRouter();
  const [password, setPassword] = useState('');
  const { busy, errors, error, run } = useFormSubmit();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!window.confirm('Delete your account for good? Your name, email, password and addresses are erased; this cannot be undone.')) return;
    if (!(await run(() => api.DELETE('/api/users/me', { body: { password } }), { fields: (failure) => reasonsOf(failure, { password: 'Password' }) }))) return;
    // The API already ended every session; this clears the browser's cookie of it.
    await signOut().catch(() => undefined);
    router.push('/');
    router.refresh();
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete account</h2>
      <p className="muted">
        Your name, email, password and saved addresses are erased and you are signed out everywhere. Your orders stay on record for the shop&apos;s bookkeeping,
        without your name or email; the email can sign up again.
      </p>
      <FormError error={error} />
      <FormField id="delete-password" label="Password" hint="Your current password" error={errors.password}>
        {(aria) => <input {...aria} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </FormField>
      <button type="submit" className="btn btn-danger" disabled={busy || !password}>
        Delete my account
      </button>
    </form>
  );
}

/** Says the email is not verified yet, and sends a new link (the signup one lasts a day). */
function UnverifiedEmail({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useFormSubmit();

  async function resend(): Promise<void> {
    if (await run(() => api.POST('/api/users/me/verification-email'))) setSent(true);
  }

  return (
    <div className="alert alert-warn" role="status">
      <p>Your email {email} is not verified yet: open the link we emailed you. Some shops take orders only from verified customers.</p>
      <FormError error={error} />
      {sent ? (
        <p>A new link is on its way to {email}.</p>
      ) : (
        <button type="button" className="btn" disabled={busy} onClick={() => void resend()}>
          Send a new link
        </button>
      )}
    </div>
  );
}

/** A shopper's own account: the name, the password (changing it signs out everywhere else), the address book, the latest orders and deleting the account. */
export function AccountView() {
  const me = useApi((client) => client.GET('/api/users/me'), []);
  return (
    <>
      <div className="page-head">
        <h1>Your account</h1>
      </div>
      {me.status === 'loading' ? <Loading /> : null}
      {me.status === 'error' ? <ErrorState message={describeFailure(me.error)} /> : null}
      {me.status === 'ready' ? (
        <>
          <p className="muted">Signed in as {me.data.email}</p>
          {me.data.emailVerified ? null : <UnverifiedEmail email={me.data.email} />}
          <section className="panel">
            <ProfileForm name={me.data.name} onSaved={me.reload} />
          </section>
          <section className="panel">
            <PasswordForm />
          </section>
          <section className="panel">
            <AddressBook />
          </section>
          <section className="panel">
            <OrderHistory user={me.data} />
          </section>
          <section className="panel">
            <DeleteAccount />
          </section>
        </>
      ) : null}
    </>
  );
}
