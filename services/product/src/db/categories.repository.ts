import { randomUUID } from 'node:crypto';
import type { Category } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import { isUuid } from '../domain/product-query.ts';

interface CategoryRow {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  product_count: number;
  created_at: string;
  updated_at: string;
}

const categoryColumns = `c.id, c.name, c.slug, c.description, c.created_at, c.updated_at,
  (SELECT count(*)::int FROM products p WHERE p.category_id = c.id) AS product_count`;

function toCategory(row: CategoryRow): Category {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    productCount: row.product_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listCategories(db: Queryable): Promise<Category[]> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${categoryColumns} FROM categories c ORDER BY c.name, c.id`);
  return rows.map(toCategory);
}

/** By id when `idOrSlug` is a uuid, else by slug. */
export async function findCategory(db: Queryable, idOrSlug: string, byId: boolean): Promise<Category | undefined> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${categoryColumns} FROM categories c WHERE ${byId ? 'c.id = $1' : 'c.slug = $1'}`, [idOrSlug]);
  return rows[0] ? toCategory(rows[0]) : undefined;
}

export async function insertCategory(tx: Queryable, fields: { name: string; slug: string; description: string | null }): Promise<string> {
  const id = randomUUID();
  await tx.query('INSERT INTO categories (id, name, slug, description) VALUES ($1, $2, $3, $4)', [id, fields.name, fields.slug, fields.description]);
  return id;
}

export async function updateCategory(tx: Queryable, id: string, fields: { name?: string; slug?: string; description?: string | null }): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE categories SET
       name = COALESCE($2, name),
       slug = COALESCE($3, slug),
       description = CASE WHEN $4::boolean THEN $5 ELSE description END
     WHERE id = $1`,
    [id, fields.name ?? null, fields.slug ?? null, fields.description !== undefined, fields.description ?? null],
  );
  return rowCount > 0;
}

/** Deletes the category unless products still use it: `'in-use'` then, `false` when absent. */
export async function deleteCategory(tx: Queryable, id: string): Promise<boolean | 'in-use'> {
  // Locked first, so a product being created in it either commits before the count below or, after this delete, finds no category.
  const locked = await tx.query('SELECT 1 FROM categories WHERE id = $1 FOR UPDATE', [id]);
  if (locked.rows.length === 0) return false;
  const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM products WHERE category_id = $1', [id]);
  if (rows[0]!.n > 0) return 'in-use';
  const { rowCount } = await tx.query('DELETE FROM categories WHERE id = $1', [id]);
  return rowCount > 0;
}

/**
 * A URL slug from a display name: "Home & Kitchen" → "home-kitchen". Never a uuid's shape, which
 * would be read as a category id: such a name gets `-category` after it.
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (isUuid(slug)) return `${slug}-category`;
  return slug.slice(0, 255) || 'category';
}
