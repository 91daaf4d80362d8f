import type { InvalidParam, Promotion, ShippingRate, ShippingZone } from '@dema/contracts';

/**
 * The rules of the checkout configuration that a schema cannot say (they relate several fields),
 * as the problems they find: each names the field to fix, as `body.…`. The schemas have already
 * checked each field alone (formats, bounds, required fields). A change is checked whole, as it
 * would be stored (the current record with the change applied), and `given` says which fields the
 * request sent, so that a problem is named where the request can fix it.
 */
export type Given = ReadonlySet<string>;

/** A zone's regions belong to countries it lists ("US-CA" needs "US"). */
export function zoneProblems(zone: Pick<ShippingZone, 'countries' | 'regions'>, given: Given): InvalidParam[] {
  const problems: InvalidParam[] = [];
  for (const [index, region] of zone.regions.entries()) {
    const country = region.slice(0, 2);
    if (zone.countries.includes(country)) continue;
    problems.push(
      given.has('regions')
        ? { name: `body.regions.${index}`, reason: `is in ${country}, which countries does not list` }
        : { name: 'body.countries', reason: `must list ${country}: the zone's region ${region} is there` },
    );
  }
  return problems;
}

/** Weight brackets ascend by maxWeightGrams, no two alike (the first bracket a cart fits in is its price). */
export function rateProblems(rate: ShippingRate): InvalidParam[] {
  if (rate.kind !== 'weight') return [];
  const problems: InvalidParam[] = [];
  for (let index = 1; index < rate.brackets.length; index++) {
    const previous = rate.brackets[index - 1]!.maxWeightGrams;
    const current = rate.brackets[index]!.maxWeightGrams;
    if (current > previous) continue;
    problems.push({
      name: `body.rate.brackets.${index}.maxWeightGrams`,
      reason: current === previous ? `repeats the bracket before (${previous} g)` : `must be above the bracket before (${previous} g): brackets ascend`,
    });
  }
  return problems;
}

/** The fields of a promotion an admin sets. */
export type PromotionTerms = Pick<Promotion, 'kind' | 'value' | 'startsAt' | 'endsAt'>;

/**
 * A promotion's value fits its kind (a percent string above 0 for `percentage`, an amount for
 * `fixed`, none for `free_shipping`), and it ends after it starts.
 */
export function promotionProblems(terms: PromotionTerms, given: Given): InvalidParam[] {
  const problems: InvalidParam[] = [];
  const valueProblem = promotionValueProblem(terms);
  if (valueProblem) problems.push({ name: 'body.value', reason: valueProblem });
  if (terms.startsAt !== null && terms.endsAt !== null && Date.parse(terms.endsAt) <= Date.parse(terms.startsAt)) {
    problems.push(
      given.has('endsAt') || !given.has('startsAt')
        ? { name: 'body.endsAt', reason: `must be after startsAt (${terms.startsAt})` }
        : { name: 'body.startsAt', reason: `must be before endsAt (${terms.endsAt})` },
    );
  }
  return problems;
}

function promotionValueProblem({ kind, value }: PromotionTerms): string | undefined {
  if (kind === 'free_shipping') return value === null ? undefined : 'must be absent (or null) for a free_shipping promotion';
  if (kind === 'percentage') {
    if (typeof value !== 'string') return 'must be a percent string above 0 for a percentage promotion, like "10" or "12.5"';
    return /^0+(\.0+)?$/.test(value) ? 'must be above 0 for a percentage promotion' : undefined;
  }
  return typeof value === 'number' ? undefined : 'must be an amount above 0 (a number like 5.5) for a fixed promotion';
}
