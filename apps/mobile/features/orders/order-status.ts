import { fulfilmentPath, type OrderStatus, orderTransitions } from '@dema/contracts';

export type StepState = 'done' | 'current' | 'todo';

/** Each step of the order's progress with whether it is behind, at or ahead of the order; an ended order adds its end as the current step. */
export function progressOf(status: OrderStatus): { status: OrderStatus; state: StepState }[] {
  const ended = status === 'CANCELLED' || status === 'RETURNED';
  const reached = fulfilmentPath.indexOf(status);
  const steps = fulfilmentPath.map((step, index) => {
    const state: StepState = ended ? 'todo' : index < reached ? 'done' : index === reached ? 'current' : 'todo';
    return { status: step, state };
  });
  // Only a shipped order can be returned, so its path up to shipping is behind it.
  if (status === 'RETURNED') for (const step of steps) if (step.status !== 'DELIVERED') step.state = 'done';
  return ended ? [...steps, { status, state: 'current' }] : steps;
}

/** Statuses after which an order never changes again: no point watching it live. */
export const isFinal = (status: OrderStatus): boolean => orderTransitions[status].length === 0;
