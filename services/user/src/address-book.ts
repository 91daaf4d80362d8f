import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  maxSavedAddresses,
  normalizeAddress,
  validateAddress,
  type Address,
  type CreateSavedAddress,
  type Principal,
  type SavedAddress,
  type UpdateSavedAddress,
} from '@dema/contracts';
import { notFound, unauthenticated, unprocessableContent, type Db } from '@dema/platform';
import * as addresses from './db/addresses.repository.ts';

/**
 * A customer's address book: addresses kept for checkout, each checked against its country's
 * rules (postal code format, region) as checkout checks it, with at most one default shipping and
 * one default billing address. Another customer's address is absent (404), never forbidden.
 */
export class AddressBook {
  constructor(private readonly db: Db) {}

  async list(principal: Principal): Promise<{ items: SavedAddress[] }> {
    return { items: await addresses.listAddresses(this.db, userIdOf(principal)) };
  }

  async get(principal: Principal, id: string): Promise<SavedAddress> {
    const saved = await addresses.findAddress(this.db, userIdOf(principal), id);
    if (!saved) throw addressNotFound(id);
    return saved;
  }

  async add(principal: Principal, input: CreateSavedAddress): Promise<SavedAddress> {
    const userId = userIdOf(principal);
    const address = checked(input.address);
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      if ((await addresses.lockBook(tx, userId)) >= maxSavedAddresses) {
        throw unprocessableContent(ErrorCode.VALIDATION_FAILED, `An address book holds at most ${maxSavedAddresses} addresses`, [
          { name: 'body.address', reason: `the book already holds ${maxSavedAddresses}: delete one first` },
        ]);
      }
      const saved = { id, label: input.label ?? null, address, defaultShipping: input.defaultShipping ?? false, defaultBilling: input.defaultBilling ?? false };
      await addresses.clearDefaults(tx, userId, id, { shipping: saved.defaultShipping, billing: saved.defaultBilling });
      await addresses.saveAddress(tx, userId, saved);
    });
    return (await addresses.findAddress(this.db, userId, id))!;
  }

  async update(principal: Principal, id: string, input: UpdateSavedAddress): Promise<SavedAddress> {
    const userId = userIdOf(principal);
    await this.db.transaction(async (tx) => {
      await addresses.lockBook(tx, userId);
      const current = await addresses.findAddress(tx, userId, id);
      if (!current) throw addressNotFound(id);
      const next = {
        id,
        label: input.label === undefined ? current.label : input.label,
        address: input.address ? checked(input.address) : current.address,
        defaultShipping: input.defaultShipping ?? current.defaultShipping,
        defaultBilling: input.defaultBilling ?? current.defaultBilling,
      };
      await addresses.clearDefaults(tx, userId, id, { shipping: next.defaultShipping, billing: next.defaultBilling });
      await addresses.saveAddress(tx, userId, next);
    });
    return (await addresses.findAddress(this.db, userId, id))!;
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const userId = userIdOf(principal);
    const removed = await this.db.transaction(async (tx) => addresses.deleteAddress(tx, userId, id));
    if (!removed) throw addressNotFound(id);
  }
}

function userIdOf(principal: Principal): string {
  if (principal.kind !== 'user') throw unauthenticated('Sign in to use your address book');
  return principal.userId;
}

function checked(address: Address): Address {
  const normalized = normalizeAddress(address);
  const problems = validateAddress(normalized, 'body.address');
  if (problems.length > 0) throw unprocessableContent(ErrorCode.VALIDATION_FAILED, 'The address is not complete or not valid for its country', problems);
  return normalized;
}

const addressNotFound = (id: string) => notFound(ErrorCode.ADDRESS_NOT_FOUND, `No address ${id} in your address book`);
