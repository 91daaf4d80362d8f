'use client';

import { useState, type FormEvent } from 'react';
import type { TaxRate } from '@dema/contracts';
import { describeFailure, type DemaApiError } from '@dema/client';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { FormField } from './form-field.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';

function TaxRateForm({ rate, onDone, onCancel }: { rate: TaxRate | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [name, setName] = useState(rate?.name ?? '');
  const [country, setCountry] = useState(rate?.country ?? '');
  const [region, setRegion] = useState(rate?.region ?? '');
  const [percent, setPercent] = useState(rate?.rate ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = rate ? `tax-${rate.id}` : 'tax-new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    // The API is the judge of every field (a rate above 100 %, an unknown country format): its
    // problem+json names the field, shown below it.
    const body = { name: name.trim(), country: country.trim().toUpperCase(), region: region.trim().toUpperCase() || null, rate: percent.trim() };
    try {
      if (rate) await api.PATCH('/api/tax-rates/{id}', { params: { path: { id: rate.id } }, body });
      else await api.POST('/api/tax-rates', { body });
      if (!rate) {
        setName('');
        setCountry('');
        setRegion('');
        setPercent('');
      }
      onDone(rate ? `Saved “${body.name}”.` : `Added “${body.name}”.`);
    } catch (caught) {
      const failure = caught as DemaApiError;
      setErrors(failure.fieldErrors());
      setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={rate ? `Edit ${rate.name}` : 'New tax rate'}>
      <div aria-live="assertive">
        {error ? (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
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
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {rate ? 'Save' : 'Add tax rate'}
        </button>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** Tax rates for admins: one per country, or per region of a country; an address takes its region's rate, else its country's. */
export function AdminTaxRates() {
  const result = useApi((client) => client.GET('/api/tax-rates'), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  async function remove(rate: TaxRate): Promise<void> {
    if (!window.confirm(`Delete the tax rate “${rate.name}”?`)) return;
    try {
      await api.DELETE('/api/tax-rates/{id}', { params: { path: { id: rate.id } } });
      setNotice({ ok: true, text: `Deleted “${rate.name}”.` });
      result.reload();
    } catch (error) {
      setNotice({ ok: false, text: describeFailure(error) });
    }
  }
  const done = (text: string) => {
    setNotice({ ok: true, text });
    setEditing(null);
    result.reload();
  };

  return (
    <>
      <div className="page-head">
        <h1>Tax rates</h1>
      </div>
      <div aria-live="polite">
        {notice ? (
          <p className={notice.ok ? 'alert alert-success' : 'alert alert-error'} role={notice.ok ? 'status' : 'alert'}>
            {notice.text}
          </p>
        ) : null}
      </div>
      <section className="panel" aria-labelledby="new-tax-rate">
        <h2 id="new-tax-rate">New tax rate</h2>
        <TaxRateForm rate={null} onDone={done} />
      </section>
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? (
        <EmptyState title="No tax rates yet">Orders are not taxed until you add one.</EmptyState>
      ) : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <section className="panel" style={{ padding: 0 }} aria-label="All tax rates">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Country</th>
                <th scope="col">Region</th>
                <th scope="col" className="num">
                  Rate
                </th>
                <th scope="col" className="num">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {result.data.items.map((rate) =>
                editing === rate.id ? (
                  <tr key={rate.id}>
                    <td colSpan={5}>
                      <TaxRateForm rate={rate} onDone={done} onCancel={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <tr key={rate.id}>
                    <td>{rate.name}</td>
                    <td className="mono">{rate.country}</td>
                    <td className="mono">{rate.region ?? <span className="muted small">whole country</span>}</td>
                    <td className="num">{rate.rate} %</td>
                    <td className="num">
                      <div className="row-actions">
                        <button type="button" className="btn btn-small" onClick={() => setEditing(rate.id)}>
                          Edit<span className="visually-hidden"> {rate.name}</span>
                        </button>
                        <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(rate)}>
                          Delete<span className="visually-hidden"> {rate.name}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
