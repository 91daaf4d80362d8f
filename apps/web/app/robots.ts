import type { MetadataRoute } from 'next';
import { headers } from 'next/headers';
import { publicWebUrl } from '../lib/config.ts';

export const dynamic = 'force-dynamic';

/** Crawlers may read the storefront, not the account, checkout or staff pages. */
export default async function robots(): Promise<MetadataRoute.Robots> {
  const requestHeaders = await headers();
  const base = publicWebUrl() ?? `${requestHeaders.get('x-forwarded-proto') ?? 'http'}://${requestHeaders.get('host') ?? 'localhost:3000'}`;
  return {
    rules: {
      userAgent: '*',
      allow: '/',
      disallow: ['/api/', '/auth/', '/cart', '/checkout', '/orders', '/overview', '/analytics', '/admin/', '/login', '/signup'],
    },
    sitemap: `${base}/sitemap.xml`,
  };
}
