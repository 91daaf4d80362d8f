'use client';

import type { SavedAddress } from '@dema/contracts';
import { savedAddressLabel } from '../lib/checkout.ts';
import { useApi } from '../lib/use-api.ts';

const none: SavedAddress[] = [];

/**
 * The signed-in customer's address book (`GET /api/users/me/addresses`) once `enabled`; empty until
 * it arrives, and when it cannot be read: checkout goes on with the forms alone.
 */
export function useAddressBook(enabled: boolean): SavedAddress[] {
  const book = useApi((client) => (enabled ? client.GET('/api/users/me/addresses') : null), [enabled]);
  return book.status === 'ready' ? book.data.items : none;
}

/** A choice among the saved addresses, or a new one (''): picking one fills the form below it. */
export function SavedAddressPicker({
  id,
  saved,
  selected,
  onPick,
}: {
  id: string;
  saved: SavedAddress[];
  selected: string;
  onPick: (saved: SavedAddress | null) => void;
}) {
  if (saved.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Saved addresses</label>
      <select id={id} value={selected} onChange={(event) => onPick(saved.find((s) => s.id === event.target.value) ?? null)}>
        <option value="">A new address</option>
        {saved.map((s) => (
          <option key={s.id} value={s.id}>
            {savedAddressLabel(s)}
          </option>
        ))}
      </select>
    </div>
  );
}
