'use client';

import { useState, type FormEvent } from 'react';
import type { CheckoutSettings } from '@dema/contracts';
import { describeFailure, type DemaApiError } from '@dema/client';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { FormField } from './form-field.tsx';
import { ErrorState, Loading } from './states.tsx';
import { NoticeAlert } from './admin-resource.tsx';

function SettingsForm({ settings, onDone }: { settings: CheckoutSettings; onDone: () => void }) {
  const [pricesIncludeTax, setPricesIncludeTax] = useState(settings.pricesIncludeTax);
  const [currency, setCurrency] = useState(settings.currency);
  const [timeout, setTimeoutMinutes] = useState(String(settings.paymentTimeoutMinutes));
  const [captureOn, setCaptureOn] = useState(settings.captureOn);
  const [requireVerifiedEmail, setRequireVerifiedEmail] = useState(settings.requireVerifiedEmail);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const minutes = Number(timeout);
    if (!Number.isInteger(minutes)) {
      setErrors({ paymentTimeoutMinutes: 'Enter a whole number of minutes.' });
      return;
    }
    setBusy(true);
    setNotice(null);
    setErrors({});
    try {
      await api.PUT('/api/checkout-settings', {
        body: { pricesIncludeTax, currency: currency.trim().toUpperCase(), paymentTimeoutMinutes: minutes, captureOn, requireVerifiedEmail },
      });
      setNotice({ ok: true, text: 'Saved the checkout settings.' });
      onDone();
    } catch (caught) {
      const failure = caught as DemaApiError;
      setErrors(failure.fieldErrors());
      setNotice({ ok: false, text: describeFailure(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Checkout settings">
      <NoticeAlert notice={notice} />
      <div className="form-grid">
        <FormField id="settings-currency" label="Currency" hint="ISO 4217, three letters: USD, EUR" error={errors.currency}>
          {(aria) => <input {...aria} type="text" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} />}
        </FormField>
        <FormField
          id="settings-timeout"
          label="Payment timeout (minutes)"
          hint="An order unpaid this long is cancelled and its stock released (at most a week)."
          error={errors.paymentTimeoutMinutes}
        >
          {(aria) => <input {...aria} type="number" min={1} max={10080} step={1} value={timeout} onChange={(e) => setTimeoutMinutes(e.target.value)} />}
        </FormField>
        <FormField id="settings-capture" label="Capture card payments" error={errors.captureOn}>
          {(aria) => (
            <select {...aria} value={captureOn} onChange={(e) => setCaptureOn(e.target.value === 'checkout' ? 'checkout' : 'shipment')}>
              <option value="shipment">When the order ships</option>
              <option value="checkout">At checkout</option>
            </select>
          )}
        </FormField>
        <div className="field">
          <label>
            <input type="checkbox" checked={pricesIncludeTax} onChange={(e) => setPricesIncludeTax(e.target.checked)} /> Catalog prices include tax
          </label>
          {errors.pricesIncludeTax ? <div className="field-error">{errors.pricesIncludeTax}</div> : null}
        </div>
        <div className="field">
          <label>
            <input type="checkbox" checked={requireVerifiedEmail} onChange={(e) => setRequireVerifiedEmail(e.target.checked)} /> Only customers who verified
            their email may place orders
          </label>
          {errors.requireVerifiedEmail ? <div className="field-error">{errors.requireVerifiedEmail}</div> : null}
        </div>
      </div>
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Save settings
        </button>
      </div>
    </form>
  );
}

/** The store's checkout settings for admins: tax-inclusive prices, currency, payment timeout, when payments are captured, who may order. */
export function AdminCheckoutSettings() {
  const result = useApi((client) => client.GET('/api/checkout-settings'), []);
  return (
    <>
      <div className="page-head">
        <h1>Checkout settings</h1>
      </div>
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' ? (
        <section className="panel">
          <SettingsForm settings={result.data} onDone={result.reload} />
        </section>
      ) : null}
    </>
  );
}
