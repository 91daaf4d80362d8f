/**
 * Money is carried as decimal strings ("19.99") at rest and as JSON numbers with at most two
 * decimals on the wire; arithmetic happens in integer cents (bigint), never in binary floating point.
 */
const decimalPattern = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** Parses "19.9", "19.99" or 19.99 into cents; throws on anything with more than two decimals. */
export function toCents(amount: string | number): bigint {
  // Shortest round-trip formatting keeps 19.99 as "19.99"; a third decimal, NaN, Infinity or an
  // exponent ("1e+21") fails the pattern rather than being silently rounded.
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const match = decimalPattern.exec(text);
  if (!match) throw new RangeError(`not a money amount: ${String(amount)}`);
  const [, sign, whole, fraction = ''] = match;
  const cents = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign ? -cents : cents;
}

/** Formats cents as a decimal string with exactly two decimals ("1999" → "19.99"). */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** A JSON number for the wire; exact for every DECIMAL(10,2) value (shortest round-trip form). */
export function toWireAmount(decimal: string): number {
  return Number(decimal);
}

/** Largest value a DECIMAL(10,2) column holds. */
export const maxAmount = 99_999_999.99;

// Intl's list is ISO 4217's circulating currencies (and a few funds), without XXX ("no currency"),
// XTS (testing) or the metals: what a store can price in and a payment provider charge.
const currencies = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency a store may use (`USD`, `EUR`, `JPY`; not `XXX`, not `usd`). */
export const isCurrencyCode = (code: string): boolean => currencies.has(code);
