'use client';

import { useState, type FormEvent } from 'react';
import type { TaxRate } from '@dema/contracts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { FormField } from './form-field.tsx';
import { AdminResourcePage, FormActions, FormError, useAdminResource } from './admin-resource.tsx';
import { useFormSubmit } from '../lib/use-form-submit.ts';

function TaxRateForm({ rate, onDone, onCancel }: { rate: TaxRate | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [name, setName] = useState(rate?.name ?? '');
  const [country, setCountry] = useState(rate?.country ?? '');
  const [region, setRegion] = useState(rate?.region ?? '');
  const [percent, setPercent] = useState(rate?.rate ?? '');
  const { busy, errors, error, run } = useFormSubmit();
  const prefix = rate ? `tax-${rate.id}` : 'tax-new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    // The API is the judge of every field (a rate above 100 %, an unknown country format): its
    // problem+json names the field, shown below it.
    const body = { name: name.trim(), country: country.trim().toUpperCase(), region: region.trim().toUpperCase() || null, rate: percent.trim() };
    await run(async () => {
      if (rate) await api.PATCH('/api/tax-rates/{id}', { params: { path: { id: rate.id } }, body });
      else await api.POST('/api/tax-rates', { body });
      if (!rate) {
        setName('');
        setCountry('');
        setRegion('');
        setPercent('');
      }
      onDone(rate ? `Saved “${body.name}”.` : `Added “${body.name}”.`);
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={rate ? `Edit ${rate.name}` : 'New tax rate'}>
      <FormError error={error} />
      <div className="form-grid">
        <FormField id={`${prefix}-name`} label="Name" error={errors.name}>
          {(aria) => <input {...aria} type="text" value={name} maxLength={255} placeholder="California sales tax" onChange={(e) => setName(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-country`} label="Country" hint="Two letters: US, DE" error={errors.country}>
          {(aria) => <input {...aria} type="text" value={country} maxLength={2} onChange={(e) => setCountry(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-region`} label="Region (optional)" hint="Without the country: CA. Empty: the whole country." error={errors.region}>
          {(aria) => <input {...aria} type="text" value={region} maxLength={3} onChange={(e) => setRegion(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-rate`} label="Rate (%)" hint="Up to three decimals: 8.875" error={errors.rate}>
          {(aria) => <input {...aria} type="text" inputMode="decimal" value={percent} maxLength={7} onChange={(e) => setPercent(e.target.value)} />}
        </FormField>
      </div>
      <FormActions busy={busy} submit={rate ? 'Save' : 'Add tax rate'} onCancel={onCancel} />
    </form>
  );
}

/** Tax rates for admins: one per country, or per region of a country; an address takes its region's rate, else its country's. */
export function AdminTaxRates() {
  const result = useApi((client) => client.GET('/api/tax-rates'), []);
  const resource = useAdminResource(result.reload);
  const remove = (rate: TaxRate): void => {
    if (!window.confirm(`Delete the tax rate “${rate.name}”?`)) return;
    void resource.act(() => api.DELETE('/api/tax-rates/{id}', { params: { path: { id: rate.id } } }), `Deleted “${rate.name}”.`);
  };
  return (
    <AdminResourcePage
      title="Tax rates"
      creation={{ heading: 'New tax rate', form: <TaxRateForm rate={null} onDone={resource.done} /> }}
      state={result}
      resource={resource}
      label="All tax rates"
      empty={{ title: 'No tax rates yet', text: 'Orders are not taxed until you add one.' }}
      columns={[
        { header: 'Name', cell: (rate) => rate.name },
        { header: 'Country', className: 'mono', cell: (rate) => rate.country },
        { header: 'Region', className: 'mono', cell: (rate) => rate.region ?? <span className="muted small">whole country</span> },
        { header: 'Rate', numeric: true, cell: (rate) => `${rate.rate} %` },
      ]}
      nameOf={(rate) => rate.name}
      editor={(rate) => <TaxRateForm rate={rate} onDone={resource.done} onCancel={() => resource.setEditing(null)} />}
      onDelete={remove}
    />
  );
}
