import { cacheConfigs, ErrorCode } from '@dema/contracts';
import { unavailable, unprocessableContent, type HealingRedis } from '@dema/platform';

export interface CartLine {
  productId: string;
  variantId: string | null;
  quantity: number;
}

/** A cart holds at most this many lines (a product, or one variant of a product). */
export const maxCartLines = 100;
/** How often, at most, the embedded store looks for expired carts to drop. */
const pruneEveryMs = 60_000;

/**
 * Where carts live: the seed's `user-cart` cache config (key `cart:<userId>`, 86400 s, renewed on
 * every change). In Redis, a hash per user so that two tabs changing different lines never
 * overwrite each other; embedded, this process's memory with the same expiry: expired carts are
 * dropped when read and, at most once a minute, all at once when a cart is written, so carts that
 * nobody comes back to do not pile up. A line is a product, or one variant of it: two sizes of one
 * shirt are two lines (hash field `<productId>` or `<productId>:<variantId>`). With Redis configured but unreachable, cart calls answer 503
 * rather than keep a cart other instances cannot see. A cart is one key, so on a Redis Cluster every
 * script and pipeline stays within one slot; changes wait for a replica (see `write`).
 */
export class CartStore {
  private readonly local = new Map<string, { lines: Map<string, CartLine>; expiresAt: number }>();
  private lastPrune: number;

  /** `now` is the embedded store's clock (ms since the epoch), for tests; Redis keeps its own. */
  constructor(
    private readonly redis: HealingRedis | undefined,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastPrune = now();
  }

  /** Carts held in this process's memory (embedded only), expired ones not yet dropped included. */
  get localCarts(): number {
    return this.local.size;
  }

  /** Drops every expired cart from this process's memory; returns how many. */
  pruneExpired(): number {
    const now = this.now();
    this.lastPrune = now;
    let dropped = 0;
    for (const [userId, cart] of this.local) {
      if (cart.expiresAt <= now) {
        this.local.delete(userId);
        dropped += 1;
      }
    }
    return dropped;
  }

  async read(userId: string): Promise<{ lines: CartLine[]; expiresAt: string | null }> {
    if (this.redis) {
      const [[readError, fields], [, ttl]] = (await this.command((client) => client.pipeline().hgetall(key(userId)).pttl(key(userId)).exec())) as [
        [unknown, Record<string, string>],
        [unknown, number],
      ];
      if (readError) throw cartUnavailable();
      const lines = Object.entries(fields).map(([field, value]) => ({
        productId: field.split(':')[0]!,
        ...(JSON.parse(value) as Omit<CartLine, 'productId'>),
      }));
      return { lines, expiresAt: ttl > 0 ? new Date(Date.now() + ttl).toISOString() : null };
    }
    const cart = this.localCart(userId);
    return cart ? { lines: [...cart.lines.values()], expiresAt: new Date(cart.expiresAt).toISOString() } : { lines: [], expiresAt: null };
  }

  /** Sets the quantity of the line of `line.productId` in `line.variantId` and renews the cart's life. */
  async put(userId: string, line: CartLine): Promise<void> {
    const value = JSON.stringify({ variantId: line.variantId, quantity: line.quantity });
    if (this.redis) {
      // The limit check and the write in one script: concurrent adds cannot exceed it together.
      const accepted = (await this.write((pipeline) =>
        pipeline.eval(putScript, 1, key(userId), lineKey(line), value, String(this.ttlSeconds), String(maxCartLines)),
      )) as number;
      if (accepted === 0) throw cartFull();
      return;
    }
    if (this.now() - this.lastPrune >= pruneEveryMs) this.pruneExpired();
    const cart = this.localCart(userId) ?? { lines: new Map<string, CartLine>(), expiresAt: 0 };
    if (!cart.lines.has(lineKey(line)) && cart.lines.size >= maxCartLines) throw cartFull();
    cart.lines.set(lineKey(line), { ...line });
    cart.expiresAt = this.now() + this.ttlSeconds * 1000;
    this.local.set(userId, cart);
  }

  /**
   * Removes the line of `productId` in `variantId` (null: the product without a variant), or every
   * line of the product when `variantId` is undefined; false when the cart had no such line.
   */
  async remove(userId: string, productId: string, variantId?: string | null): Promise<boolean> {
    if (this.redis) {
      if (variantId !== undefined) return (await this.write((pipeline) => pipeline.hdel(key(userId), lineKey({ productId, variantId })))) === 1;
      return ((await this.write((pipeline) => pipeline.eval(removeProductScript, 1, key(userId), productId))) as number) > 0;
    }
    const cart = this.localCart(userId);
    if (!cart) return false;
    if (variantId !== undefined) return cart.lines.delete(lineKey({ productId, variantId }));
    let removed = false;
    for (const [field, line] of cart.lines) {
      if (line.productId === productId) removed = cart.lines.delete(field) || removed;
    }
    return removed;
  }

  /**
   * Removes the lines that were checked out, each only if it is still exactly as ordered: a line
   * added or changed while the order was being placed stays in the cart.
   */
  async removeOrdered(userId: string, lines: CartLine[]): Promise<void> {
    if (this.redis) {
      const args = lines.flatMap((l) => [lineKey(l), JSON.stringify({ variantId: l.variantId, quantity: l.quantity })]);
      await this.write((pipeline) => pipeline.eval(removeUnchangedScript, 1, key(userId), ...args));
      return;
    }
    const cart = this.localCart(userId);
    for (const line of lines) {
      const held = cart?.lines.get(lineKey(line));
      if (held && held.quantity === line.quantity && held.variantId === line.variantId) cart!.lines.delete(lineKey(line));
    }
  }

  async clear(userId: string): Promise<void> {
    if (this.redis) await this.write((pipeline) => pipeline.del(key(userId)));
    else this.local.delete(userId);
  }

  /** Runs a Redis command; Redis away, or lost while the command ran, is a 503 rather than a 500. */
  private async command<T>(run: (client: HealingRedis['client']) => Promise<T>): Promise<T> {
    if (!this.redis!.isReady) throw cartUnavailable();
    try {
      return await run(this.redis!.client);
    } catch {
      throw cartUnavailable();
    }
  }

  /**
   * Changes the cart (commands on its one key) and, on a Redis Cluster, returns only once a replica
   * holds the change too: a master failing over right after loses no cart.
   */
  private async write(build: Parameters<HealingRedis['execReplicated']>[0]): Promise<unknown> {
    const [[error, reply] = [null, undefined]] = await this.command(() => this.redis!.execReplicated(build));
    if (error) throw cartUnavailable();
    return reply;
  }

  private localCart(userId: string) {
    const cart = this.local.get(userId);
    if (cart && cart.expiresAt <= this.now()) {
      this.local.delete(userId);
      return undefined;
    }
    return cart;
  }
}

const key = (userId: string) => `${cacheConfigs['user-cart'].key}:${userId}`;

/** A line's field in the cart: the product, or the product and its variant. */
const lineKey = (line: { productId: string; variantId: string | null }) => (line.variantId ? `${line.productId}:${line.variantId}` : line.productId);

const cartUnavailable = () => unavailable('The cart is unavailable right now; try again shortly', 5);

const cartFull = () =>
  unprocessableContent(ErrorCode.VALIDATION_FAILED, `A cart holds at most ${maxCartLines} products`, [
    { name: 'path.productId', reason: `the cart already holds ${maxCartLines} products` },
  ]);

const removeUnchangedScript = `
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1`;

// Fields are `<productId>` or `<productId>:<variantId>`; ids are uuids, so the prefix test is exact.
const removeProductScript = `
local removed = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if field == ARGV[1] or string.sub(field, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then
    removed = removed + redis.call('HDEL', KEYS[1], field)
  end
end
return removed`;

const putScript = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;
