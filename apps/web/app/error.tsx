'use client';

/** Anything a page did not handle itself: a clear message and a retry, never a blank page. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="state panel" role="alert">
      <h1>Something went wrong</h1>
      <p>We could not show this page. The store may be briefly unavailable; please try again.</p>
      <button type="button" className="btn btn-primary" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
