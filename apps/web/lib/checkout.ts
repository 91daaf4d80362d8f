import { countryRules, formatPrice, type Address, type CreateOrder, type SavedAddress } from '@dema/contracts';
import type { DemaApiError } from '@dema/client';

// The form's draft of an address lives with the address rules, shared with the mobile app.
export { addressOf, blankAddress, draftOf, type AddressDraft } from '@dema/contracts';

/**
 * What the checkout page keeps between its steps, and how it turns into the body of
 * `POST /api/checkout/preview` and `POST /api/orders` (the same body, so the review shows what the
 * order will charge). Every amount comes from the API: nothing here adds up money.
 */

/** The countries Dema can address (contracts' `countryRules`), by name, for the country select. */
export const addressCountries: ReadonlyArray<{ code: string; name: string }> = Object.entries(countryRules)
  .map(([code, rule]) => ({ code, name: rule.name }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));

/** The region codes a country's addresses must use (US states, Canadian provinces, …); undefined: free text, optional. */
export const regionsOf = (country: string): readonly string[] | undefined => countryRules[country]?.regions?.codes;

/** An example postal code of the country, for the field's hint. */
export const postalCodeExample = (country: string): string | undefined => countryRules[country]?.postalCode?.format;

/** Whether the country's addresses need a postal code (Ireland's, for one, do not). */
export const postalCodeRequired = (country: string): boolean => {
  const rule = countryRules[country]?.postalCode;
  return rule !== undefined && rule.optional !== true;
};

/** How a saved address is offered: its label when it has one, and where it is. */
export function savedAddressLabel(saved: SavedAddress): string {
  const { firstName, lastName, line1, city } = saved.address;
  const where = `${firstName} ${lastName}, ${line1}, ${city}`;
  return saved.label ? `${saved.label} — ${where}` : where;
}

/** What each address field is called on the page; a reason from the API reads after it ("Postal code must look like 12345"). */
export const addressFieldLabels: Record<keyof Address, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  company: 'Company',
  line1: 'Address',
  line2: 'Apartment, suite, etc.',
  city: 'City',
  region: 'State / province',
  postalCode: 'Postal code',
  country: 'Country',
  phone: 'Phone',
};

/** The API's reasons for an address's fields as sentences for the page, by field name. */
export function addressErrorMessages(reasons: Record<string, string>): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const [field, reason] of Object.entries(reasons)) {
    const label = addressFieldLabels[field as keyof Address];
    messages[field] = label ? `${label} ${reason}` : reason;
  }
  return messages;
}

/** What the shopper chose so far; null: not chosen (or, for the billing address, the shipping one). */
export interface CheckoutChoices {
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shippingMethodId: string | null;
  promotionCode: string | null;
}

export const noChoices: CheckoutChoices = { shippingAddress: null, billingAddress: null, shippingMethodId: null, promotionCode: null };

/** The body of the preview and of the order for the cart under `choices` (what is not chosen is left out). */
export function checkoutBody(choices: CheckoutChoices): CreateOrder {
  const body: CreateOrder = { fromCart: true };
  if (choices.shippingAddress) body.shippingAddress = choices.shippingAddress;
  if (choices.billingAddress) body.billingAddress = choices.billingAddress;
  if (choices.shippingMethodId) body.shippingMethodId = choices.shippingMethodId;
  if (choices.promotionCode) body.promotionCode = choices.promotionCode;
  return body;
}

/**
 * The reasons a refusal gives for the fields under `field` (`body.shippingAddress`), by the name
 * that follows (`postalCode`); the reason for `field` itself is under ''.
 */
export function fieldErrorsUnder(error: DemaApiError, field: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const param of error.problem?.invalidParams ?? []) {
    if (param.name === field) errors[''] ??= param.reason;
    else if (param.name.startsWith(`${field}.`)) errors[param.name.slice(field.length + 1)] ??= param.reason;
  }
  return errors;
}

/** Whether a refusal names `field` (`body.promotionCode`) or a field under it. */
export const names = (error: DemaApiError, field: string): boolean => Object.keys(fieldErrorsUnder(error, field)).length > 0;

/**
 * How the checkout learns whether the store ships at all (its zones are for admins to read): a
 * preview of the cart alone succeeds when no address is needed, and is refused naming
 * `body.shippingAddress` once the store has shipping zones.
 */
export const needsShippingAddress = (previewRefusal: DemaApiError): boolean => previewRefusal.status === 422 && names(previewRefusal, 'body.shippingAddress');

/** A shipping price in `currency` (the store's) as the shopper reads it: "Free" for nothing. */
export const shippingPrice = (amount: number, currency?: string): string => (amount === 0 ? 'Free' : formatPrice(amount, currency));
