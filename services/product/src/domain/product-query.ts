import type { ProductQuery, ProductSort } from '@dema/contracts';

/**
 * Turns free text into a prefix-matching full-text query: every word must appear at the start of a
 * word of the name or description ("headph wire" finds "Wireless Headphones", "3.5" a "3.5 mm
 * jack"). Only letters, digits and dots between them survive, so the text can never be tsquery
 * syntax.
 */
export function toSearchQuery(text: string): string | undefined {
  // A dot between letters or digits stays in the word, as PostgreSQL's parser keeps "3.5", "v1.2" and
  // "1.2.3" whole in the document: split at the dot, "3.5" asked for a word starting with "5" and
  // found no product with a 3.5 in it.
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:\.[\p{L}\p{N}]+)*/gu);
  if (!words) return undefined;
  return [...new Set(words)]
    .slice(0, 10)
    .map((word) => `${word}:*`)
    .join(' & ');
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => uuidPattern.test(value);

export const orderBy: Record<ProductSort, string> = {
  newest: 'created_at DESC, id DESC',
  price: 'price ASC, id ASC',
  '-price': 'price DESC, id DESC',
  name: 'name ASC, id ASC',
  '-name': 'name DESC, id DESC',
};

/** One cache key per distinct query, whatever order its parameters came in. */
export function listCacheKey(query: ProductQuery): string {
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  // `ids` in any order is the same list.
  return entries.map(([key, value]) => `${key}=${encodeURIComponent(String(Array.isArray(value) ? [...value].sort() : value))}`).join('&');
}

/**
 * The cache tag of one product's own entries (its detail), in one spelling whatever the caller
 * sent: a move of its stock alone drops them and leaves every other product's.
 */
export function productCacheTag(id: string): string {
  return `product:${id.toLowerCase()}`;
}
