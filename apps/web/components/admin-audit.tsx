'use client';

import { useEffect, useState } from 'react';
import { formatDateTime, systemActor, type AuditEntry } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { TablePager } from './pager.tsx';

const pageSize = 25;
const resourceTypes = [
  'product',
  'category',
  'catalog',
  'order',
  'return',
  'payment',
  'refund',
  'user',
  'checkout_settings',
  'shipping_zone',
  'shipping_method',
  'tax_rate',
  'promotion',
  'webhook_endpoint',
  'webhook_delivery',
];

interface Filters {
  q: string;
  resourceType: string;
  resourceId: string;
  requestId: string;
  actorId: string;
  from: string;
  to: string;
}
const noFilters: Filters = { q: '', resourceType: '', resourceId: '', requestId: '', actorId: '', from: '', to: '' };

/** The query the API takes: the filters given, days as UTC instants (`to` inclusive of its day). */
function queryOf(filters: Filters): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of ['q', 'resourceType', 'resourceId', 'requestId', 'actorId'] as const) if (filters[key].trim()) query[key] = filters[key].trim();
  if (filters.from) query.from = `${filters.from}T00:00:00Z`;
  if (filters.to) query.to = new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000).toISOString();
  return query;
}

/**
 * The email of each actor on the page, looked up once per id: entries keep only the id (an email
 * changes, and a deleted account's is erased), so the page says who it is today.
 */
function useActorEmails(ids: readonly string[]): ReadonlyMap<string, string> {
  const [emails, setEmails] = useState<ReadonlyMap<string, string>>(new Map());
  // The system (an admin made from the command line) is no account to look up.
  const wanted = [...new Set(ids)].filter((id) => id !== systemActor.id && !emails.has(id)).sort();
  const key = wanted.join(',');
  useEffect(() => {
    if (key === '') return;
    let current = true;
    void Promise.all(
      key.split(',').map(async (id) => {
        const user = await api.GET('/api/users/{id}', { params: { path: { id } } }).catch(() => undefined);
        return [id, user?.email ?? id] as const;
      }),
    ).then((found) => {
      if (current) setEmails((known) => new Map([...known, ...found]));
    });
    return () => {
      current = false;
    };
  }, [key]);
  return emails;
}

const shown = (value: unknown): string => (value === undefined ? '—' : JSON.stringify(value));

/** Each top-level field of before and after, the changed ones marked: what the entry did at a glance. */
function Changes({ entry }: { entry: AuditEntry }) {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return (
    <table className="data" aria-label={`Before and after of ${entry.action} ${entry.resourceId}`}>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const was = entry.before === null ? undefined : before[key];
          const is = entry.after === null ? undefined : after[key];
          const changed = shown(was) !== shown(is);
          return (
            <tr key={key} data-changed={changed ? 'true' : 'false'} style={changed ? { background: '#fff6d6' } : undefined}>
              <th scope="row" style={{ textTransform: 'none' }}>
                {changed ? <strong>{key}</strong> : key}
              </th>
              <td className="small mono">{shown(was)}</td>
              <td className="small mono">{shown(is)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The audit log for staff: search admin actions and see what each changed. Read-only, as the API is. */
export function AdminAudit() {
  const [form, setForm] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const result = useApi((client) => client.GET('/api/admin/audit', { params: { query: { limit: pageSize, offset, ...queryOf(filters) } } }), [offset, filters]);
  const actorEmails = useActorEmails(result.status === 'ready' ? result.data.items.map((entry) => entry.actorId) : []);
  const field = (key: keyof Filters, label: string, type = 'search') => (
    <div className="field" style={{ minWidth: 160 }}>
      <label htmlFor={`audit-${key}`}>{label}</label>
      <input id={`audit-${key}`} type={type} value={form[key]} maxLength={200} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
    </div>
  );
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every browser knows; <search> is too new */}
      <form
        className="toolbar"
        role="search"
        aria-label="Search the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(form);
          setOffset(0);
        }}
      >
        {field('q', 'Text')}
        <div className="field" style={{ minWidth: 160 }}>
          <label htmlFor="audit-resourceType">Resource type</label>
          <select id="audit-resourceType" value={form.resourceType} onChange={(event) => setForm({ ...form, resourceType: event.target.value })}>
            <option value="">Any</option>
            {resourceTypes.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        {field('resourceId', 'Resource id')}
        {field('requestId', 'Request id')}
        {field('actorId', 'Actor id')}
        {field('from', 'From', 'date')}
        {field('to', 'To', 'date')}
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? <EmptyState title="No entries found" /> : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <section className="panel" style={{ padding: 0 }} aria-label="Entries">
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Who</th>
                  <th scope="col">Request</th>
                  <th scope="col" className="num">
                    <span className="visually-hidden">Changes</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.data.items.flatMap((entry) => [
                  <tr key={entry.id} data-audit-id={entry.id}>
                    <td className="small nowrap">{formatDateTime(entry.at)}</td>
                    <td>{entry.action}</td>
                    <td className="small mono">{entry.resourceId}</td>
                    <td className="small">
                      {entry.actorId === systemActor.id ? (
                        'System'
                      ) : (
                        <>
                          <span title={entry.actorId}>{actorEmails.get(entry.actorId) ?? entry.actorId}</span> ({entry.actorRole})
                        </>
                      )}
                    </td>
                    <td className="small mono">{entry.requestId}</td>
                    <td className="num">
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-expanded={open === entry.id}
                        onClick={() => setOpen(open === entry.id ? null : entry.id)}
                      >
                        {open === entry.id ? 'Hide changes' : 'Show changes'}
                        <span className="visually-hidden">
                          {' '}
                          of {entry.action} {entry.resourceId}
                        </span>
                      </button>
                    </td>
                  </tr>,
                  open === entry.id ? (
                    <tr key={`${entry.id}-changes`}>
                      <td colSpan={6}>
                        <Changes entry={entry} />
                      </td>
                    </tr>
                  ) : null,
                ])}
              </tbody>
            </table>
          </div>
          <TablePager offset={result.data.offset} shown={result.data.items.length} total={result.data.total} pageSize={pageSize} onOffset={setOffset} />
        </section>
      ) : null}
    </>
  );
}
