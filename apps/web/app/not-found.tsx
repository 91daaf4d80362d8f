import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="state panel">
      <h1>Page not found</h1>
      <p>The page you are looking for does not exist or has moved.</p>
      <p>
        <Link className="btn btn-primary" href="/products">
          Browse products
        </Link>{' '}
        <Link className="btn" href="/">
          Home
        </Link>
      </p>
    </div>
  );
}
