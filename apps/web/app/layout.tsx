import './globals.css';
import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SessionBoot } from '../components/session-boot.tsx';
import { SiteHeader } from '../components/site-header.tsx';
import { StoreCurrencyProvider } from '../components/store-currency.tsx';
import { storeSettings } from '../lib/api-server.ts';
import { publicWebUrl, storeName } from '../lib/config.ts';

// Every page reads live data (catalog, stock, prices) or the session: nothing is prerendered at build.
export const dynamic = 'force-dynamic';

export function generateMetadata(): Metadata {
  const name = storeName();
  const base = publicWebUrl();
  return {
    title: { default: name, template: `%s · ${name}` },
    description: `Shop ${name}: browse the catalog, compare specifications and order online.`,
    applicationName: name,
    ...(base ? { metadataBase: new URL(base) } : {}),
    openGraph: { siteName: name, type: 'website' },
  };
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0e6f66' };

/** The root layout: header, main landmark, footer; the session starts here once per page load. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const name = storeName();
  const settings = await storeSettings();
  const currency = settings.ok ? settings.data.currency : undefined;
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SessionBoot />
        <SiteHeader storeName={name} />
        <main id="main" tabIndex={-1}>
          <StoreCurrencyProvider currency={currency}>
            <div className="container">{children}</div>
          </StoreCurrencyProvider>
        </main>
        <footer className="site-footer">
          <div className="container">
            <span>© {name}. Powered by Dema.</span>
            <span>Secure checkout · Prices in {currency ?? 'USD'}</span>
          </div>
        </footer>
      </body>
    </html>
  );
}
