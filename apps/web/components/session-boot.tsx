'use client';

import { useEffect } from 'react';
import { mergeGuestCart, resetCart } from '../lib/cart.ts';
import { startSession, useSession } from '../lib/session.ts';

/** Starts the session once per page load and keeps the cart in step with who is signed in. */
export function SessionBoot() {
  const session = useSession();
  useEffect(() => startSession(), []);
  const userId = session.status === 'signed-in' ? session.user.id : null;
  useEffect(() => {
    if (userId) void mergeGuestCart();
    else resetCart();
  }, [userId]);
  return null;
}
