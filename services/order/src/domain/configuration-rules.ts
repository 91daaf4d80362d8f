import {
  addressableCountries,
  countryRuleOf,
  regionOutsideList,
  type InvalidParam,
  type Promotion,
  type ShippingRate,
  type ShippingZone,
  type TaxRate,
} from '@dema/contracts';

/**
 * The rules of the checkout configuration that a schema cannot say (they relate several fields),
 * as the problems they find: each names the field to fix, as `body.…`. The schemas have already
 * checked each field alone (formats, bounds, required fields). A change is checked whole, as it
 * would be stored (the current record with the change applied), and `given` says which fields the
 * request sent, so that a problem is named where the request can fix it.
 */
export type Given = ReadonlySet<string>;

/**
 * Why no address could be in `country` (the address check refuses it: Dema cannot address it), or
 * undefined. A zone or a tax rate there would never match.
 */
function countryProblem(country: string): string | undefined {
  if (countryRuleOf(country)) return undefined;
  return `is no country Dema addresses (ISO 3166-1 alpha-2): ${addressableCountries.join(', ')}`;
}

/**
 * Why no address of `country` could be in `region` (without its country prefix; `prefix` adds it
 * back in what the reason lists), or undefined. A country without a list of regions takes any.
 */
function regionProblem(country: string, region: string, prefix = ''): string | undefined {
  const regions = regionOutsideList(country, region);
  if (!regions) return undefined;
  return `is not ${regions.label} of ${country}: ${regions.codes.map((code) => `${prefix}${code}`).join(', ')}`;
}

/**
 * A zone's countries and regions are places an address can be (the address check's rules), and its
 * regions belong to countries it lists ("US-CA" needs "US"). Countries and regions are checked when
 * the request sends them: a zone stored before these checks can still be renamed.
 */
export function zoneProblems(zone: Pick<ShippingZone, 'countries' | 'regions'>, given: Given): InvalidParam[] {
  const problems: InvalidParam[] = [];
  if (given.has('countries')) {
    for (const [index, country] of zone.countries.entries()) {
      const problem = countryProblem(country);
      if (problem) problems.push({ name: `body.countries.${index}`, reason: problem });
    }
  }
  if (given.has('regions')) {
    for (const [index, region] of zone.regions.entries()) {
      const country = region.slice(0, 2);
      // A region of a country Dema does not address is refused below: its country is not listed, or refused above.
      const problem = regionProblem(country, region.slice(3), `${country}-`);
      if (problem) problems.push({ name: `body.regions.${index}`, reason: problem });
    }
  }
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

/** A tax rate's country and region are places an address can be, when the request sends them. */
export function taxRateProblems(rate: Pick<TaxRate, 'country' | 'region'>, given: Given): InvalidParam[] {
  const problems: InvalidParam[] = [];
  const country = given.has('country') ? countryProblem(rate.country) : undefined;
  if (country) problems.push({ name: 'body.country', reason: country });
  const region = !country && rate.region !== null && (given.has('region') || given.has('country')) ? regionProblem(rate.country, rate.region) : undefined;
  if (region)
    problems.push({
      name: given.has('region') ? 'body.region' : 'body.country',
      reason: given.has('region') ? region : `does not have the rate's region ${rate.region}`,
    });
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
