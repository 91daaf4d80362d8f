import Link from 'next/link';
import { AccountMenu } from './account-menu.tsx';
import { CartLink } from './cart-link.tsx';

/** The storefront header: brand, catalog search (a plain GET form: works before scripts load), cart and account. */
export function SiteHeader({ storeName }: { storeName: string }) {
  return (
    <header className="site-header">
      <div className="container bar">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            {storeName.charAt(0)}
          </span>
          {storeName}
        </Link>
        <nav className="site-nav" aria-label="Shop">
          <Link href="/products">Products</Link>
          <Link href="/categories">Categories</Link>
        </nav>
        {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every browser knows; <search> is too new */}
        <form className="header-search" role="search" action="/products" method="get">
          <label htmlFor="site-search" className="visually-hidden">
            Search products
          </label>
          <input id="site-search" type="search" name="q" placeholder="Search products" maxLength={200} />
          <button className="btn btn-primary" type="submit">
            Search
          </button>
        </form>
        <div className="header-actions">
          <CartLink />
          <AccountMenu />
        </div>
      </div>
    </header>
  );
}
