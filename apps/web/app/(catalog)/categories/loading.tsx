import { SkeletonGrid } from '../../../components/states.tsx';

export default function Loading() {
  return <SkeletonGrid count={8} />;
}
