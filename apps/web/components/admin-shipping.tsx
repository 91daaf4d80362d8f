'use client';

import { useState, type FormEvent } from 'react';
import { formatPrice, type ShippingMethod, type ShippingRate, type ShippingZone } from '@dema/contracts';
import { describeFailure, type DemaApiError } from '@dema/client';
import { codesOf, errorUnder } from '../lib/field-errors.ts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { FormField } from './form-field.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { useStoreCurrency } from './store-currency.tsx';
import { FormActions, type Notice as NoticeState, NoticeAlert } from './admin-resource.tsx';

type Notice = NoticeState | null;

function ZoneForm({ zone, onDone, onCancel }: { zone: ShippingZone | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [name, setName] = useState(zone?.name ?? '');
  const [countries, setCountries] = useState(zone?.countries.join(', ') ?? '');
  const [regions, setRegions] = useState(zone?.regions.join(', ') ?? '');
  const [taxShipping, setTaxShipping] = useState(zone?.taxShipping ?? false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const prefix = zone ? `zone-${zone.id}` : 'zone-new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    setErrors({});
    const body = { name: name.trim(), countries: codesOf(countries), regions: codesOf(regions), taxShipping };
    try {
      if (zone) await api.PATCH('/api/shipping-zones/{id}', { params: { path: { id: zone.id } }, body });
      else await api.POST('/api/shipping-zones', { body });
      if (!zone) {
        setName('');
        setCountries('');
        setRegions('');
        setTaxShipping(false);
      }
      onDone(zone ? `Saved the zone “${body.name}”.` : `Created the zone “${body.name}”.`);
    } catch (caught) {
      const failure = caught as DemaApiError;
      setErrors(failure.fieldErrors());
      setNotice({ ok: false, text: describeFailure(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={zone ? `Edit zone ${zone.name}` : 'New shipping zone'}>
      <NoticeAlert notice={notice} />
      <div className="form-grid">
        <FormField id={`${prefix}-name`} label="Zone name" error={errors.name}>
          {(aria) => <input {...aria} type="text" value={name} maxLength={255} onChange={(e) => setName(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-countries`} label="Countries" hint="Two-letter codes, comma-separated: US, CA" error={errorUnder(errors, 'countries')}>
          {(aria) => <input {...aria} type="text" value={countries} onChange={(e) => setCountries(e.target.value)} />}
        </FormField>
        <FormField
          id={`${prefix}-regions`}
          label="Regions (optional)"
          hint="US-CA, US-NY: a country with regions listed is covered only there"
          error={errorUnder(errors, 'regions')}
        >
          {(aria) => <input {...aria} type="text" value={regions} onChange={(e) => setRegions(e.target.value)} />}
        </FormField>
        <div className="field">
          <label>
            <input type="checkbox" checked={taxShipping} onChange={(e) => setTaxShipping(e.target.checked)} /> Tax shipping to this zone
          </label>
        </div>
      </div>
      <FormActions busy={busy} submit={zone ? 'Save zone' : 'Create zone'} onCancel={onCancel} />
    </form>
  );
}

/** Brackets as the admin types them, one a line: `1000: 4.90` (up to 1000 g costs 4.90). */
const bracketsText = (rate: ShippingRate | undefined): string =>
  rate?.kind === 'weight' ? rate.brackets.map((bracket) => `${bracket.maxWeightGrams}: ${bracket.amount}`).join('\n') : '';
function bracketsOf(text: string): { maxWeightGrams: number; amount: number }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [grams = '', amount = ''] = line.split(':');
      return { maxWeightGrams: Number(grams.trim()), amount: Number(amount.trim()) };
    });
}

/** A rate for reading in the list, in the store's currency. */
export function describeRate(rate: ShippingRate, currency: string | undefined): string {
  if (rate.kind === 'flat') return `${formatPrice(rate.amount, currency)} flat`;
  if (rate.kind === 'free_above') return `${formatPrice(rate.amount, currency)}, free from ${formatPrice(rate.threshold, currency)}`;
  return rate.brackets.map((bracket) => `≤ ${bracket.maxWeightGrams} g: ${formatPrice(bracket.amount, currency)}`).join(' · ');
}

function MethodForm({
  zoneId,
  method,
  onDone,
  onCancel,
}: {
  zoneId: string;
  method: ShippingMethod | null;
  onDone: (message: string) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(method?.name ?? '');
  const [kind, setKind] = useState<ShippingRate['kind']>(method?.rate.kind ?? 'flat');
  const [amount, setAmount] = useState(method && method.rate.kind !== 'weight' ? String(method.rate.amount) : '');
  const [threshold, setThreshold] = useState(method?.rate.kind === 'free_above' ? String(method.rate.threshold) : '');
  const [brackets, setBrackets] = useState(bracketsText(method?.rate));
  const [active, setActive] = useState(method?.active ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const prefix = method ? `method-${method.id}` : `method-new-${zoneId}`;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    setErrors({});
    const rate: ShippingRate =
      kind === 'flat'
        ? { kind, amount: Number(amount) }
        : kind === 'free_above'
          ? { kind, amount: Number(amount), threshold: Number(threshold) }
          : { kind, brackets: bracketsOf(brackets) };
    const body = { name: name.trim(), rate, active };
    try {
      if (method) await api.PATCH('/api/shipping-methods/{id}', { params: { path: { id: method.id } }, body });
      else await api.POST('/api/shipping-zones/{id}/methods', { params: { path: { id: zoneId } }, body });
      if (!method) {
        setName('');
        setAmount('');
        setThreshold('');
        setBrackets('');
      }
      onDone(method ? `Saved the method “${body.name}”.` : `Added the method “${body.name}”.`);
    } catch (caught) {
      const failure = caught as DemaApiError;
      setErrors(failure.fieldErrors());
      setNotice({ ok: false, text: describeFailure(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={method ? `Edit method ${method.name}` : 'New shipping method'}>
      <NoticeAlert notice={notice} />
      <div className="form-grid">
        <FormField id={`${prefix}-name`} label="Method name" error={errors.name}>
          {(aria) => <input {...aria} type="text" value={name} maxLength={255} placeholder="Standard" onChange={(e) => setName(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-kind`} label="Priced" error={errors['rate.kind']}>
          {(aria) => (
            <select {...aria} value={kind} onChange={(e) => setKind(e.target.value as ShippingRate['kind'])}>
              <option value="flat">Flat</option>
              <option value="free_above">Free above a subtotal</option>
              <option value="weight">By weight</option>
            </select>
          )}
        </FormField>
        {kind !== 'weight' ? (
          <FormField id={`${prefix}-amount`} label="Price" error={errors['rate.amount']}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
          </FormField>
        ) : null}
        {kind === 'free_above' ? (
          <FormField id={`${prefix}-threshold`} label="Free from subtotal" error={errors['rate.threshold']}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} />}
          </FormField>
        ) : null}
        {kind === 'weight' ? (
          <FormField
            id={`${prefix}-brackets`}
            label="Weight brackets"
            hint="One a line, ascending: grams: price (1000: 4.90)"
            error={errorUnder(errors, 'rate.brackets')}
            className="full"
          >
            {(aria) => <textarea {...aria} value={brackets} onChange={(e) => setBrackets(e.target.value)} style={{ minHeight: 64 }} />}
          </FormField>
        ) : null}
        <div className="field">
          <label>
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Offered at checkout
          </label>
        </div>
      </div>
      <FormActions busy={busy} submit={method ? 'Save method' : 'Add method'} onCancel={onCancel} />
    </form>
  );
}

function ZoneMethods({ zone, currency }: { zone: ShippingZone; currency: string | undefined }) {
  const result = useApi((client) => client.GET('/api/shipping-zones/{id}/methods', { params: { path: { id: zone.id } } }), [zone.id]);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const done = (text: string) => {
    setNotice({ ok: true, text });
    setEditing(null);
    result.reload();
  };
  async function remove(method: ShippingMethod): Promise<void> {
    if (!window.confirm(`Delete the shipping method “${method.name}”?`)) return;
    try {
      await api.DELETE('/api/shipping-methods/{id}', { params: { path: { id: method.id } } });
      done(`Deleted the method “${method.name}”.`);
    } catch (error) {
      setNotice({ ok: false, text: describeFailure(error) });
    }
  }

  return (
    <div>
      <NoticeAlert notice={notice} />
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? <p className="muted">No methods yet: nothing ships to this zone.</p> : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <table className="data" aria-label={`Methods of ${zone.name}`}>
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col">Rate</th>
              <th scope="col" className="num">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.data.items.map((method) =>
              editing === method.id ? (
                <tr key={method.id}>
                  <td colSpan={3}>
                    <MethodForm zoneId={zone.id} method={method} onDone={done} onCancel={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <tr key={method.id}>
                  <td>
                    {method.name}
                    {method.active ? null : <span className="muted small"> · inactive</span>}
                  </td>
                  <td>{describeRate(method.rate, currency)}</td>
                  <td className="num">
                    <div className="row-actions">
                      <button type="button" className="btn btn-small" onClick={() => setEditing(method.id)}>
                        Edit<span className="visually-hidden"> {method.name}</span>
                      </button>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(method)}>
                        Delete<span className="visually-hidden"> {method.name}</span>
                      </button>
                    </div>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      ) : null}
      <details>
        <summary>Add a method to {zone.name}</summary>
        <MethodForm zoneId={zone.id} method={null} onDone={done} />
      </details>
    </div>
  );
}

/**
 * Shipping for admins: zones (countries, optionally narrowed to regions) and, in each, the methods
 * a shopper there can choose with how each is priced.
 */
export function AdminShipping() {
  const result = useApi((client) => client.GET('/api/shipping-zones'), []);
  const currency = useStoreCurrency();
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const done = (text: string) => {
    setNotice({ ok: true, text });
    setEditing(null);
    result.reload();
  };
  async function remove(zone: ShippingZone): Promise<void> {
    if (!window.confirm(`Delete the zone “${zone.name}” and its methods?`)) return;
    try {
      await api.DELETE('/api/shipping-zones/{id}', { params: { path: { id: zone.id } } });
      done(`Deleted the zone “${zone.name}”.`);
    } catch (error) {
      setNotice({ ok: false, text: describeFailure(error) });
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>Shipping</h1>
      </div>
      <NoticeAlert notice={notice} />
      <section className="panel" aria-labelledby="new-zone">
        <h2 id="new-zone">New zone</h2>
        <ZoneForm zone={null} onDone={done} />
      </section>
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? (
        <EmptyState title="No shipping zones yet">Shoppers cannot check out until a zone covers their address.</EmptyState>
      ) : null}
      {result.status === 'ready'
        ? result.data.items.map((zone) => (
            <section key={zone.id} className="panel" aria-label={`Zone ${zone.name}`}>
              {editing === zone.id ? (
                <ZoneForm zone={zone} onDone={done} onCancel={() => setEditing(null)} />
              ) : (
                <div className="page-head">
                  <div>
                    <h2>{zone.name}</h2>
                    <p className="muted small">
                      {zone.countries.join(', ')}
                      {zone.regions.length > 0 ? ` · regions ${zone.regions.join(', ')}` : ''}
                      {zone.taxShipping ? ' · shipping taxed' : ''}
                    </p>
                  </div>
                  <div className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(zone.id)}>
                      Edit<span className="visually-hidden"> zone {zone.name}</span>
                    </button>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(zone)}>
                      Delete<span className="visually-hidden"> zone {zone.name}</span>
                    </button>
                  </div>
                </div>
              )}
              <ZoneMethods zone={zone} currency={currency} />
            </section>
          ))
        : null}
    </>
  );
}
