'use client';

import { useState } from 'react';
import type { User } from '@dema/contracts';
import { formatDate } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import { api, useSession } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { TablePager } from './pager.tsx';
import { FormError } from './admin-resource.tsx';

const pageSize = 25;

function UserRow({ user, self, onChanged, onError }: { user: User; self: boolean; onChanged: (user: User) => void; onError: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  async function update(change: { role?: 'customer' | 'admin'; disabled?: boolean }, confirmText: string): Promise<void> {
    if (!window.confirm(confirmText)) return;
    setBusy(true);
    try {
      onChanged(await api.PUT('/api/users/{id}', { params: { path: { id: user.id } }, body: change }));
    } catch (error) {
      onError(describeFailure(error));
    } finally {
      setBusy(false);
    }
  }
  return (
    <tr data-user-email={user.email}>
      <td>
        {user.name}
        {self ? <span className="muted small"> (you)</span> : null}
      </td>
      <td className="small">{user.email}</td>
      <td>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
          Role of {user.email}
        </label>
        <select
          id={`role-${user.id}`}
          value={user.role}
          disabled={busy || self}
          style={{ width: 'auto', minHeight: 32, padding: '4px 8px' }}
          onChange={(event) => {
            const role = event.target.value as 'customer' | 'admin';
            void update({ role }, `Make ${user.email} ${role === 'admin' ? 'an admin' : 'a customer'}? They will have to sign in again.`);
          }}
        >
          <option value="customer">Customer</option>
          <option value="admin">Admin</option>
        </select>
      </td>
      <td>{user.disabled ? <span className="pill pill-out">Disabled</span> : <span className="pill pill-ok">Active</span>}</td>
      <td className="small nowrap">{formatDate(user.createdAt)}</td>
      <td className="num">
        <button
          type="button"
          className={`btn btn-small ${user.disabled ? '' : 'btn-danger'}`}
          disabled={busy || self}
          onClick={() =>
            void update(
              { disabled: !user.disabled },
              user.disabled ? `Enable ${user.email}?` : `Disable ${user.email}? They are signed out everywhere at once.`,
            )
          }
        >
          {user.disabled ? 'Enable' : 'Disable'}
          <span className="visually-hidden"> {user.email}</span>
        </button>
      </td>
    </tr>
  );
}

/** Users for staff: find by email, change role, disable or enable (each ends the user's sessions). */
export function AdminUsers() {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [changed, setChanged] = useState<Record<string, User>>({});
  const [error, setError] = useState<string | null>(null);
  const result = useApi(
    (client) => client.GET('/api/users', { params: { query: { limit: pageSize, offset, ...(search ? { email: search } : {}) } } }),
    [offset, search],
  );
  const selfId = session.status === 'signed-in' ? session.user.id : null;
  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every browser knows; <search> is too new */}
      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(email.trim());
          setOffset(0);
        }}
      >
        <div className="field" style={{ flex: 1, minWidth: 200 }}>
          <label htmlFor="user-search">Email contains</label>
          <input id="user-search" type="search" value={email} maxLength={254} onChange={(event) => setEmail(event.target.value)} />
        </div>
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      <FormError error={error} />
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? <EmptyState title="No users found" /> : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <div className="panel" style={{ padding: 0 }}>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                  <th scope="col" className="num">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.data.items.map((original) => {
                  const user = changed[original.id] ?? original;
                  return (
                    <UserRow
                      key={user.id}
                      user={user}
                      self={user.id === selfId}
                      onChanged={(next) => {
                        setError(null);
                        setChanged((all) => ({ ...all, [next.id]: next }));
                      }}
                      onError={setError}
                    />
                  );
                })}
              </tbody>
            </table>
          </div>
          <TablePager offset={result.data.offset} shown={result.data.items.length} total={result.data.total} pageSize={pageSize} onOffset={setOffset} />
        </div>
      ) : null}
    </>
  );
}
