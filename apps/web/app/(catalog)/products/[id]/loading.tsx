export default function Loading() {
  return (
    <div className="product-detail" aria-busy="true" aria-label="Loading product">
      <div className="skeleton" style={{ aspectRatio: '4 / 3' }} />
      <div>
        <div className="skeleton" style={{ height: 32, width: '70%', marginBottom: 16 }} />
        <div className="skeleton" style={{ height: 28, width: '30%', marginBottom: 16 }} />
        <div className="skeleton" style={{ height: 120 }} />
      </div>
    </div>
  );
}
