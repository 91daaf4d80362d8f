'use client';

import { useState, type FormEvent } from 'react';
import { type Category, defaultCategoryId } from '@dema/contracts';
import { describeFailure, type DemaApiError } from '@dema/client';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { EmptyState, ErrorState, Loading } from './states.tsx';

function CategoryForm({ category, onDone, onCancel }: { category: Category | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [name, setName] = useState(category?.name ?? '');
  const [slug, setSlug] = useState(category?.slug ?? '');
  const [description, setDescription] = useState(category?.description ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = category ? `edit-${category.id}` : 'new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    setBusy(true);
    setError(null);
    setErrors({});
    const body = { name: name.trim(), description: description.trim() || null, ...(slug.trim() ? { slug: slug.trim() } : {}) };
    try {
      if (category) await api.PUT('/api/categories/{id}', { params: { path: { id: category.id } }, body });
      else await api.POST('/api/categories', { body });
      if (!category) {
        setName('');
        setSlug('');
        setDescription('');
      }
      onDone(category ? `Saved “${name.trim()}”.` : `Created “${name.trim()}”.`);
    } catch (caught) {
      const failure = caught as DemaApiError;
      setErrors(failure.fieldErrors());
      setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <div aria-live="assertive">
        {error ? (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>Name</label>
          <input
            id={`${prefix}-name`}
            type="text"
            value={name}
            maxLength={255}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${prefix}-name-error` : undefined}
          />
          {errors.name ? (
            <div className="field-error" id={`${prefix}-name-error`}>
              {errors.name}
            </div>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-slug`}>URL name</label>
          <input
            id={`${prefix}-slug`}
            type="text"
            value={slug}
            maxLength={255}
            placeholder="made from the name"
            onChange={(e) => setSlug(e.target.value)}
            aria-invalid={errors.slug ? true : undefined}
            aria-describedby={`${prefix}-slug-hint`}
          />
          <div className="field-hint" id={`${prefix}-slug-hint`}>
            Lowercase letters, digits and dashes: /categories/<strong>{slug || 'your-category'}</strong>
          </div>
          {errors.slug ? <div className="field-error">{errors.slug}</div> : null}
        </div>
        <div className="field full">
          <label htmlFor={`${prefix}-description`}>Description</label>
          <textarea
            id={`${prefix}-description`}
            value={description}
            maxLength={10000}
            onChange={(e) => setDescription(e.target.value)}
            style={{ minHeight: 64 }}
          />
        </div>
      </div>
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {category ? 'Save' : 'Create category'}
        </button>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

/**
 * Categories for staff: create, rename, describe, delete (only empty ones, and never the default
 * category, where products without a category go: the API refuses those).
 */
export function AdminCategories() {
  const result = useApi((client) => client.GET('/api/categories'), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  async function remove(category: Category): Promise<void> {
    if (!window.confirm(`Delete the category “${category.name}”?`)) return;
    try {
      await api.DELETE('/api/categories/{id}', { params: { path: { id: category.id } } });
      setNotice({ ok: true, text: `Deleted “${category.name}”.` });
      result.reload();
    } catch (error) {
      setNotice({ ok: false, text: describeFailure(error) });
    }
  }
  const done = (text: string) => {
    setNotice({ ok: true, text });
    setEditing(null);
    result.reload();
  };

  return (
    <>
      <div className="page-head">
        <h1>Categories</h1>
      </div>
      <div aria-live="polite">
        {notice ? (
          <p className={notice.ok ? 'alert alert-success' : 'alert alert-error'} role={notice.ok ? 'status' : 'alert'}>
            {notice.text}
          </p>
        ) : null}
      </div>
      <section className="panel" aria-labelledby="new-category">
        <h2 id="new-category">New category</h2>
        <CategoryForm category={null} onDone={done} />
      </section>
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? <EmptyState title="No categories yet">Create the first one above.</EmptyState> : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <section className="panel" style={{ padding: 0 }} aria-label="All categories">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">URL name</th>
                <th scope="col" className="num">
                  Products
                </th>
                <th scope="col" className="num">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {result.data.items.map((category) =>
                editing === category.id ? (
                  <tr key={category.id}>
                    <td colSpan={4}>
                      <CategoryForm category={category} onDone={done} onCancel={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <tr key={category.id}>
                    <td>
                      {category.name}
                      {category.id === defaultCategoryId ? <span className="muted small"> · default</span> : null}
                    </td>
                    <td className="mono small">{category.slug}</td>
                    <td className="num">{category.productCount}</td>
                    <td className="num">
                      <div className="row-actions">
                        <button type="button" className="btn btn-small" onClick={() => setEditing(category.id)}>
                          Edit<span className="visually-hidden"> {category.name}</span>
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          onClick={() => void remove(category)}
                          disabled={category.id === defaultCategoryId || category.productCount > 0}
                          title={
                            category.id === defaultCategoryId
                              ? 'The default category cannot be deleted; it can be renamed'
                              : category.productCount > 0
                                ? 'Move or delete its products first'
                                : undefined
                          }
                        >
                          Delete<span className="visually-hidden"> {category.name}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
