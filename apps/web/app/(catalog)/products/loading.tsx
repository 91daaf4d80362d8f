import { SkeletonGrid } from '../../../components/states.tsx';

export default function Loading() {
  return (
    <>
      <div className="skeleton" style={{ height: 32, width: 240, marginBottom: 20 }} />
      <SkeletonGrid />
    </>
  );
}
