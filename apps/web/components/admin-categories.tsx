'use client';

import { useState, type FormEvent } from 'react';
import { type Category, defaultCategoryId } from '@dema/contracts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { AdminResourcePage, FormActions, FormError, useAdminResource } from './admin-resource.tsx';
import { useFormSubmit } from '../lib/use-form-submit.ts';

function CategoryForm({ category, onDone, onCancel }: { category: Category | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [name, setName] = useState(category?.name ?? '');
  const [slug, setSlug] = useState(category?.slug ?? '');
  const [description, setDescription] = useState(category?.description ?? '');
  const { busy, errors, error, run, setErrors } = useFormSubmit();
  const prefix = category ? `edit-${category.id}` : 'new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    const body = { name: name.trim(), description: description.trim() || null, ...(slug.trim() ? { slug: slug.trim() } : {}) };
    await run(async () => {
      if (category) await api.PUT('/api/categories/{id}', { params: { path: { id: category.id } }, body });
      else await api.POST('/api/categories', { body });
      if (!category) {
        setName('');
        setSlug('');
        setDescription('');
      }
      onDone(category ? `Saved “${name.trim()}”.` : `Created “${name.trim()}”.`);
    });
  }

  return (
    <form onSubmit={submit} noValidate>
      <FormError error={error} />
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
      <FormActions busy={busy} submit={category ? 'Save' : 'Create category'} onCancel={onCancel} />
    </form>
  );
}

/**
 * Categories for staff: create, rename, describe, delete (only empty ones, and never the default
 * category, where products without a category go: the API refuses those).
 */
export function AdminCategories() {
  const result = useApi((client) => client.GET('/api/categories'), []);
  const resource = useAdminResource(result.reload);
  const remove = (category: Category): void => {
    if (!window.confirm(`Delete the category “${category.name}”?`)) return;
    void resource.act(() => api.DELETE('/api/categories/{id}', { params: { path: { id: category.id } } }), `Deleted “${category.name}”.`);
  };
  return (
    <AdminResourcePage
      title="Categories"
      creation={{ heading: 'New category', form: <CategoryForm category={null} onDone={resource.done} /> }}
      state={result}
      resource={resource}
      label="All categories"
      empty={{ title: 'No categories yet', text: 'Create the first one above.' }}
      columns={[
        {
          header: 'Category',
          cell: (category) => (
            <>
              {category.name}
              {category.id === defaultCategoryId ? <span className="muted small"> · default</span> : null}
            </>
          ),
        },
        { header: 'URL name', className: 'mono small', cell: (category) => category.slug },
        { header: 'Products', numeric: true, cell: (category) => category.productCount },
      ]}
      nameOf={(category) => category.name}
      editor={(category) => <CategoryForm category={category} onDone={resource.done} onCancel={() => resource.setEditing(null)} />}
      onDelete={remove}
      undeletable={(category) =>
        category.id === defaultCategoryId
          ? 'The default category cannot be deleted; it can be renamed'
          : category.productCount > 0
            ? 'Move or delete its products first'
            : undefined
      }
    />
  );
}
