'use client';

import { useSyncExternalStore } from 'react';

/**
 * A visitor's cart before they sign in: product ids and quantities in localStorage (nothing
 * secret), one line per product or variant like the Order service's cart. At sign-in it is moved into the
 * account's cart (`mergeGuestCart`) and cleared.
 */
export interface GuestLine {
  productId: string;
  variantId: string | null;
  quantity: number;
}

const storageKey = 'dema_guest_cart';
const listeners = new Set<() => void>();
let cached: GuestLine[] | null = null;
const empty: GuestLine[] = [];

function read(): GuestLine[] {
  if (cached) return cached;
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '[]');
    cached = Array.isArray(parsed)
      ? parsed
          .filter((l): l is GuestLine => typeof l?.productId === 'string' && Number.isInteger(l?.quantity) && l.quantity > 0)
          .map((l) => ({ ...l, variantId: l.variantId ?? null }))
      : [];
  } catch {
    cached = [];
  }
  return cached;
}

function write(lines: GuestLine[]): void {
  cached = lines;
  try {
    if (lines.length === 0) localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, JSON.stringify(lines));
  } catch {
    // Storage full or blocked: the cart still works for this page view.
  }
  for (const listener of listeners) listener();
}

export function useGuestCart(): GuestLine[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    read,
    () => empty,
  );
}

const sameLine = (line: GuestLine, productId: string, variantId: string | null) => line.productId === productId && line.variantId === variantId;

/** Adds units of a product in a variant (another variant of the product is a line of its own). */
export function addToGuestCart(productId: string, quantity: number, variantId: string | null): number {
  const lines = read();
  const current = lines.find((line) => sameLine(line, productId, variantId));
  const next = { productId, variantId, quantity: Math.min(1000, (current?.quantity ?? 0) + quantity) };
  write([...lines.filter((line) => !sameLine(line, productId, variantId)), next]);
  return read().reduce((sum, line) => sum + line.quantity, 0);
}

export function setGuestQuantity(productId: string, variantId: string | null, quantity: number): void {
  write(read().map((line) => (sameLine(line, productId, variantId) ? { ...line, quantity: Math.max(1, Math.min(1000, quantity)) } : line)));
}

export function removeFromGuestCart(productId: string, variantId: string | null): void {
  write(read().filter((line) => !sameLine(line, productId, variantId)));
}

/** The guest lines, handed over once: the caller moves them into the account's cart. */
export function takeGuestCart(): GuestLine[] {
  const lines = read();
  if (lines.length > 0) write([]);
  return lines;
}
