import type { MetadataRoute } from 'next';
import { headers } from 'next/headers';
import { catalogApi } from '../lib/api-server.ts';
import { publicWebUrl } from '../lib/config.ts';

export const dynamic = 'force-dynamic';

// A sitemap holds at most 50,000 URLs; stay well inside it.
const maxProducts = 45_000;

/** Every category and product page, with their last change, from the live catalog. */
export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  const requestHeaders = await headers();
  const host = requestHeaders.get('x-forwarded-host') ?? requestHeaders.get('host') ?? 'localhost:3000';
  const proto = requestHeaders.get('x-forwarded-proto') ?? 'http';
  const base = publicWebUrl() ?? `${proto}://${host}`;
  const entries: MetadataRoute.Sitemap = [
    { url: `${base}/`, changeFrequency: 'daily', priority: 1 },
    { url: `${base}/products`, changeFrequency: 'daily', priority: 0.9 },
    { url: `${base}/categories`, changeFrequency: 'weekly', priority: 0.8 },
  ];
  const categories = await catalogApi.categories();
  if (categories.ok) {
    for (const category of categories.data.items) {
      entries.push({ url: `${base}/categories/${category.slug}`, lastModified: category.updatedAt, changeFrequency: 'weekly', priority: 0.7 });
    }
  }
  for (let offset = 0; offset < maxProducts; offset += 100) {
    const page = await catalogApi.listProducts({ limit: 100, offset, sort: 'name' });
    if (!page.ok) break;
    for (const product of page.data.items) {
      entries.push({ url: `${base}/products/${product.id}`, lastModified: product.updatedAt, changeFrequency: 'weekly', priority: 0.6 });
    }
    if (offset + page.data.items.length >= page.data.total || page.data.items.length === 0) break;
  }
  return entries;
}
