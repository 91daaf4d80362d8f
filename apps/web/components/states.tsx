import Link from 'next/link';
import type { ReactNode } from 'react';

/** Shown when a list has nothing in it; says why and what to do next. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state panel" role="status">
      <h2>{title}</h2>
      {children ? <div>{children}</div> : null}
      {action ? <div style={{ marginTop: 12 }}>{action}</div> : null}
    </div>
  );
}

/** Shown when something failed; the message is announced to screen readers. */
export function ErrorState({ title = 'Something went wrong', message, action }: { title?: string; message: string; action?: ReactNode }) {
  return (
    <div className="state panel" role="alert">
      <h2>{title}</h2>
      <p>{message}</p>
      {action ?? null}
    </div>
  );
}

/** The page a shopper sees when the API cannot be reached: clear, with a way to retry. */
export function ServiceUnavailable({ heading: Heading = 'h1' }: { heading?: 'h1' | 'h2' }) {
  return (
    <div className="state panel" role="alert" data-testid="service-unavailable">
      <div className="state-icon" aria-hidden="true">
        ⚠
      </div>
      <Heading>The store is temporarily unavailable</Heading>
      <p>We can&apos;t reach our catalog right now. Your cart and orders are safe. Please try again in a moment.</p>
      {/* biome-ignore lint/a11y/useValidAnchor: an empty href reloads this very page, query included, without client script */}
      <a className="btn btn-primary" href="">
        Try again
      </a>
    </div>
  );
}

/** The catalog's shape (filters beside a grid) in grey, while the products load. */
export function CatalogSkeleton() {
  return (
    <div className="catalog" aria-busy="true">
      <div className="panel skeleton" style={{ height: 420 }} />
      <div>
        <div className="skeleton" style={{ height: 20, width: 260, marginBottom: 16 }} />
        <SkeletonGrid count={6} />
      </div>
    </div>
  );
}

/** Grey placeholder blocks while content loads. */
export function SkeletonGrid({ count = 8 }: { count?: number }) {
  return (
    <div className="product-grid" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders have no identity but their place
        <div key={index} className="card" style={{ padding: 12 }}>
          <div className="skeleton" style={{ aspectRatio: '4 / 3', marginBottom: 10 }} />
          <div className="skeleton" style={{ height: 16, width: '70%', marginBottom: 8 }} />
          <div className="skeleton" style={{ height: 16, width: '40%' }} />
        </div>
      ))}
    </div>
  );
}

/** A centered spinner with a label for assistive technology. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> <span>{label}</span>
    </div>
  );
}

/** Breadcrumbs: a trail of links, the last item the current page. */
export function Breadcrumbs({ items }: { items: Array<{ label: string; href?: string }> }) {
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {items.map((item) => (
          <li key={item.label}>{item.href ? <Link href={item.href}>{item.label}</Link> : <span aria-current="page">{item.label}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}
