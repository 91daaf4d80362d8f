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
        {pagerPages(page, pages).map((number, index, all) =>
          number === null ? (
            <li key={`gap-after-${all[index - 1]}`}>
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

/**
 * The footer of an admin table: where the page stands in the list, and Previous / Next buttons that
 * move `offset` by `pageSize` (state, not URLs: admin lists are not pages to link to).
 */
export function TablePager({
  offset,
  shown,
  total,
  pageSize,
  onOffset,
}: {
  offset: number;
  shown: number;
  total: number;
  pageSize: number;
  onOffset: (offset: number) => void;
}) {
  return (
    <div className="toolbar" style={{ padding: 12, margin: 0, justifyContent: 'space-between', alignItems: 'center' }}>
      <span className="muted small">
        {offset + 1}–{offset + shown} of {total}
      </span>
      <span style={{ display: 'flex', gap: 6 }}>
        <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
          Previous
        </button>
        <button type="button" className="btn btn-small" disabled={offset + pageSize >= total} onClick={() => onOffset(offset + pageSize)}>
          Next
        </button>
      </span>
    </div>
  );
}
