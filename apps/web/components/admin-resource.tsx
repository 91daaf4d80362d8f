'use client';

import { type ReactNode, useState } from 'react';
import { describeFailure } from '@dema/client';
import type { ApiState } from '../lib/use-api.ts';
import { EmptyState, ErrorState, Loading } from './states.tsx';

export type Notice = { ok: boolean; text: string };

/** The outcome of the last action, read out when it changes. */
export function NoticeAlert({ notice }: { notice: Notice | null }) {
  return (
    <div aria-live="polite">
      {notice ? (
        <p className={notice.ok ? 'alert alert-success' : 'alert alert-error'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      ) : null}
    </div>
  );
}

/** A form's refusal as a whole (its fields' reasons show at the fields), read out at once. */
export function FormError({ error }: { error: string | null }) {
  return (
    <div aria-live="assertive">
      {error ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A form's submit button, and Cancel when the form edits a row in place. */
export function FormActions({ busy, submit, onCancel }: { busy: boolean; submit: string; onCancel?: (() => void) | undefined }) {
  return (
    <div className="toolbar">
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {submit}
      </button>
      {onCancel ? (
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </div>
  );
}

/**
 * What every admin list page keeps: the row being edited, the last outcome shown above the list,
 * and how an action ends (its outcome noticed, the editor closed, the list read again).
 */
export function useAdminResource(reload: () => void) {
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const done = (text: string): void => {
    setNotice({ ok: true, text });
    setEditing(null);
    reload();
  };
  /** Runs an action of a row; its success is noticed as `text`, its refusal as the API's reason. */
  async function act(action: () => Promise<unknown>, text: string): Promise<void> {
    try {
      await action();
      done(text);
    } catch (error) {
      setNotice({ ok: false, text: describeFailure(error) });
    }
  }
  return { editing, setEditing, notice, done, act };
}

export interface AdminColumn<T> {
  header: string;
  numeric?: boolean;
  /** The cells' class beside `num` (mono, small). */
  className?: string;
  cell: (item: T) => ReactNode;
}

const cellClass = (column: AdminColumn<unknown>): string | undefined =>
  [column.numeric ? 'num' : '', column.className ?? ''].filter(Boolean).join(' ') || undefined;

interface AdminResourcePageProps<T extends { id: string }> {
  title: string;
  /** The heading and form of the "new" panel. */
  creation: { heading: string; form: ReactNode };
  state: ApiState<{ items: T[] }>;
  resource: ReturnType<typeof useAdminResource>;
  /** What the list is called for screen readers ("All tax rates"). */
  label: string;
  empty: { title: string; text: string };
  columns: AdminColumn<T>[];
  /** The row's name, said after each action's label to screen readers ("Edit Standard VAT"). */
  nameOf: (item: T) => string;
  editor: (item: T) => ReactNode;
  /** Actions beside Edit and Delete. */
  actions?: (item: T) => ReactNode;
  onDelete: (item: T) => void;
  /** Why a row cannot be deleted (the button is then disabled with it as its title). */
  undeletable?: (item: T) => string | undefined;
  /** Below the table (a pager). */
  footer?: ReactNode;
}

/**
 * An admin page over one kind of record: a heading, the outcome of the last action, a panel to
 * create one, and the list — each row with Edit (the row becomes its form), Delete and the page's
 * own actions — with loading, error and empty states.
 */
export function AdminResourcePage<T extends { id: string }>(props: AdminResourcePageProps<T>) {
  const { title, creation, state, resource, label, empty, columns, nameOf, editor, actions, onDelete, undeletable, footer } = props;
  const { editing, setEditing, notice } = resource;
  const creationId = creation.heading.toLowerCase().replace(/\W+/g, '-');
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
      </div>
      <NoticeAlert notice={notice} />
      <section className="panel" aria-labelledby={creationId}>
        <h2 id={creationId}>{creation.heading}</h2>
        {creation.form}
      </section>
      {state.status === 'loading' ? <Loading /> : null}
      {state.status === 'error' ? <ErrorState message={describeFailure(state.error)} /> : null}
      {state.status === 'ready' && state.data.items.length === 0 ? <EmptyState title={empty.title}>{empty.text}</EmptyState> : null}
      {state.status === 'ready' && state.data.items.length > 0 ? (
        <section className="panel" style={{ padding: 0 }} aria-label={label}>
          <table className="data">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.header} scope="col" className={column.numeric ? 'num' : undefined}>
                    {column.header}
                  </th>
                ))}
                <th scope="col" className="num">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((item) => {
                if (editing === item.id) {
                  return (
                    <tr key={item.id}>
                      <td colSpan={columns.length + 1}>{editor(item)}</td>
                    </tr>
                  );
                }
                const name = nameOf(item);
                const refusal = undeletable?.(item);
                return (
                  <tr key={item.id}>
                    {columns.map((column) => (
                      <td key={column.header} className={cellClass(column as AdminColumn<unknown>)}>
                        {column.cell(item)}
                      </td>
                    ))}
                    <td className="num">
                      <div className="row-actions">
                        <button type="button" className="btn btn-small" onClick={() => setEditing(item.id)}>
                          Edit<span className="visually-hidden"> {name}</span>
                        </button>
                        {actions?.(item)}
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          onClick={() => onDelete(item)}
                          disabled={refusal !== undefined}
                          title={refusal}
                        >
                          Delete<span className="visually-hidden"> {name}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {footer}
        </section>
      ) : null}
    </>
  );
}
