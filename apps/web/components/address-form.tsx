'use client';

import { FormField } from './form-field.tsx';
import { addressCountries, addressFieldLabels, postalCodeExample, postalCodeRequired, regionsOf, type AddressDraft } from '../lib/checkout.ts';

type Field = keyof AddressDraft;

/**
 * The fields of an `Address` as one fieldset: the country first (it decides whether a region list
 * is offered and what a postal code looks like), every control labelled and carrying the
 * autocomplete token of its `section` ("shipping", "billing") so browsers fill the right address.
 * `errors` are the API's reasons by field name; the country select offers the countries Dema can
 * address (or only `countries`, when given: those the store ships to), and the API says when the
 * store does not ship to the one chosen. A country already in the address stays offered, so an
 * address from the address book shows as it is and the API's refusal names it.
 */
export function AddressForm({
  section,
  legend,
  value,
  errors,
  onChange,
  countries,
}: {
  section: 'shipping' | 'billing';
  legend: string;
  value: AddressDraft;
  errors: Record<string, string>;
  onChange: (next: AddressDraft) => void;
  countries?: readonly string[] | undefined;
}) {
  const offered = countries ? addressCountries.filter((country) => countries.includes(country.code) || country.code === value.country) : addressCountries;
  const id = (field: Field) => `${section}-${field}`;
  const auto = (token: string) => `${section} ${token}`;
  const set = (field: Field) => (event: { target: { value: string } }) => onChange({ ...value, [field]: event.target.value });
  const text = (field: Field, token: string, options: { optional?: boolean; className?: string; type?: string; hint?: string } = {}) => (
    <FormField
      id={id(field)}
      label={options.optional ? `${addressFieldLabels[field]} (optional)` : addressFieldLabels[field]}
      error={errors[field]}
      hint={options.hint}
      className={options.className}
    >
      {(aria) => (
        <input
          {...aria}
          name={field}
          type={options.type ?? 'text'}
          autoComplete={auto(token)}
          value={value[field]}
          onChange={set(field)}
          required={!options.optional}
          aria-required={!options.optional || undefined}
        />
      )}
    </FormField>
  );
  const regions = regionsOf(value.country);
  const example = postalCodeExample(value.country);

  return (
    <fieldset className="address-form">
      <legend>{legend}</legend>
      <div className="form-grid">
        <FormField id={id('country')} label={addressFieldLabels.country} error={errors.country} className="full">
          {(aria) => (
            <select
              {...aria}
              name="country"
              autoComplete={auto('country')}
              value={value.country}
              required
              aria-required
              // A region of the country before cannot be right for the next one.
              onChange={(event) => onChange({ ...value, country: event.target.value, region: '' })}
            >
              <option value="">Choose a country</option>
              {offered.map((country) => (
                <option key={country.code} value={country.code}>
                  {country.name}
                </option>
              ))}
            </select>
          )}
        </FormField>
        {text('firstName', 'given-name')}
        {text('lastName', 'family-name')}
        {text('company', 'organization', { optional: true, className: 'full' })}
        {text('line1', 'address-line1', { className: 'full' })}
        {text('line2', 'address-line2', { optional: true, className: 'full' })}
        {text('city', 'address-level2')}
        {regions ? (
          <FormField id={id('region')} label={addressFieldLabels.region} error={errors.region}>
            {(aria) => (
              <select {...aria} name="region" autoComplete={auto('address-level1')} value={value.region} onChange={set('region')} required aria-required>
                <option value="">Choose</option>
                {regions.map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        ) : (
          text('region', 'address-level1', { optional: true })
        )}
        {text('postalCode', 'postal-code', { optional: !postalCodeRequired(value.country), hint: example ? `For example ${example}` : undefined })}
        {text('phone', 'tel', { optional: true, type: 'tel' })}
      </div>
    </fieldset>
  );
}
