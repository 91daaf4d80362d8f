import Link from 'next/link';
import { pagerPages } from '../lib/product-query.ts';

/** Numbered pagination links; `hrefFor(page)` builds each page's URL. */
export function Pager({ page, pages, hrefFor }: { page: number; pages: number; hrefFor: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pagination">
      <ul className="pager">
        {page > 1 ? (
          <li>
            <Link href={hrefFor(page - 1)} rel="prev">
              ‹ <span className="visually-hidden">Previous page</span>
            </Link>
          </li>
        ) : null}
        {pagerPages(page, pages).map((number, index) =>
          number === null ? (
            <li key={`gap-${index}`}>
              <span className="gap">…</span>
            </li>
          ) : (
            <li key={number}>
              <Link href={hrefFor(number)} aria-current={number === page ? 'page' : undefined} aria-label={`Page ${number}`}>
                {number}
              </Link>
            </li>
          ),
        )}
        {page < pages ? (
          <li>
            <Link href={hrefFor(page + 1)} rel="next">
              › <span className="visually-hidden">Next page</span>
            </Link>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
