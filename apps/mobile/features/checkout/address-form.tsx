import { type Address, type AddressDraft, countryRules } from '@dema/contracts';
import { Text, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { FormField } from '../../components/form-field.tsx';

/** What each field is called on screen; an API reason reads after it ("Postal code must look like 12345"). */
export const addressLabels: Record<keyof Address, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  company: 'Company (optional)',
  line1: 'Address',
  line2: 'Apartment, suite (optional)',
  city: 'City',
  region: 'State / province',
  postalCode: 'Postal code',
  country: 'Country',
  phone: 'Phone (optional)',
};

// The countries the contracts know the rules of: the API refuses any other.
const countries = Object.entries(countryRules)
  .map(([code, rule]) => ({ code, name: rule.name }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));

const textFields = ['firstName', 'lastName', 'company', 'line1', 'line2', 'city'] as const;

/**
 * The shipping address: text fields, the country as a row of choices (only countries the store can
 * address; of those, only `shipsTo` when given, keeping the one chosen), then the region where the country needs one and the postal code in the country's format.
 * `errors` are sentences by field name, shown at their field.
 */
export function AddressForm({
  draft,
  errors,
  onChange,
  shipsTo,
}: {
  shipsTo?: readonly string[] | undefined;
  draft: AddressDraft;
  errors: Partial<Record<keyof Address, string>>;
  onChange: (next: AddressDraft) => void;
}) {
  const rule = countryRules[draft.country];
  const set = (field: keyof Address) => (value: string) => onChange({ ...draft, [field]: value });
  return (
    <View>
      {textFields.map((field) => (
        <FormField key={field} label={addressLabels[field]} value={draft[field]} onChangeText={set(field)} error={errors[field]} />
      ))}
      <Text style={{ fontSize: 15, fontWeight: '600', marginBottom: 6 }} accessibilityRole="header">
        Country
      </Text>
      <View style={{ flexDirection: 'row', flexWrap: 'wrap', gap: 8, marginBottom: 8 }} accessibilityRole="radiogroup" accessibilityLabel="Country">
        {(shipsTo ? countries.filter(({ code }) => shipsTo.includes(code) || code === draft.country) : countries).map(({ code, name }) => (
          <ActionButton
            key={code}
            label={name}
            tone="outline"
            selected={draft.country === code}
            onPress={() => onChange({ ...draft, country: code, region: '' })}
          />
        ))}
      </View>
      {errors.country ? (
        <Text style={{ fontSize: 14, color: '#b91c1c', marginBottom: 12 }} accessibilityRole="alert">
          {errors.country}
        </Text>
      ) : null}
      {rule?.regions ? (
        <FormField
          label={addressLabels.region}
          value={draft.region}
          onChangeText={set('region')}
          autoCapitalize="characters"
          hint={`Use ${rule.regions.label}, e.g. ${rule.regions.codes[0]}`}
          error={errors.region}
        />
      ) : null}
      <FormField
        label={addressLabels.postalCode}
        value={draft.postalCode}
        onChangeText={set('postalCode')}
        autoCapitalize="characters"
        hint={rule?.postalCode ? `e.g. ${rule.postalCode.format}` : undefined}
        error={errors.postalCode}
      />
      <FormField label={addressLabels.phone} value={draft.phone} onChangeText={set('phone')} keyboardType="phone-pad" error={errors.phone} />
    </View>
  );
}
