'use client';

import { useState, type FormEvent } from 'react';
import { formatCount, formatDateTime, formatPrice, type Promotion } from '@dema/contracts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { FormField } from './form-field.tsx';
import { AdminResourcePage, FormActions, FormError, useAdminResource } from './admin-resource.tsx';
import { useStoreCurrency } from './store-currency.tsx';
import { useFormSubmit } from '../lib/use-form-submit.ts';

type Kind = Promotion['kind'];
const pageSize = 20;

// Dates are entered and shown in UTC, as every date of the dashboard is (formatDateTime).
const toInput = (iso: string | null): string => (iso ? iso.slice(0, 16) : '');
const fromInput = (value: string): string | null => (value ? `${value}:00.000Z` : null);
const numberOrNull = (text: string): number | null => (text.trim() ? Number(text) : null);

function describeValue(promotion: Promotion, currency: string | undefined): string {
  if (promotion.kind === 'free_shipping') return 'Free shipping';
  if (promotion.kind === 'percentage') return `${promotion.value} % off`;
  return `${formatPrice(Number(promotion.value), currency)} off`;
}

function PromotionForm({ promotion, onDone, onCancel }: { promotion: Promotion | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [code, setCode] = useState(promotion?.code ?? '');
  const [kind, setKind] = useState<Kind>(promotion?.kind ?? 'percentage');
  const [value, setValue] = useState(promotion?.value === null || promotion === null ? '' : String(promotion.value));
  const [minSubtotal, setMinSubtotal] = useState(promotion?.minSubtotal === null || promotion === null ? '' : String(promotion.minSubtotal));
  const [startsAt, setStartsAt] = useState(toInput(promotion?.startsAt ?? null));
  const [endsAt, setEndsAt] = useState(toInput(promotion?.endsAt ?? null));
  const [usageLimit, setUsageLimit] = useState(promotion?.usageLimit === null || promotion === null ? '' : String(promotion.usageLimit));
  const [perCustomerLimit, setPerCustomerLimit] = useState(
    promotion?.perCustomerLimit === null || promotion === null ? '' : String(promotion.perCustomerLimit),
  );
  const { busy, errors, error, run } = useFormSubmit();
  const prefix = promotion ? `promotion-${promotion.id}` : 'promotion-new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    // A percentage travels as a percent string, a fixed amount as a number (contracts/checkout.ts).
    const typedValue = kind === 'free_shipping' ? null : kind === 'percentage' ? value.trim() : Number(value);
    const body = {
      code: code.trim(),
      kind,
      value: typedValue,
      minSubtotal: numberOrNull(minSubtotal),
      startsAt: fromInput(startsAt),
      endsAt: fromInput(endsAt),
      usageLimit: numberOrNull(usageLimit),
      perCustomerLimit: numberOrNull(perCustomerLimit),
    };
    await run(async () => {
      if (promotion) await api.PATCH('/api/promotions/{id}', { params: { path: { id: promotion.id } }, body });
      else await api.POST('/api/promotions', { body });
      if (!promotion) {
        setCode('');
        setValue('');
        setMinSubtotal('');
        setStartsAt('');
        setEndsAt('');
        setUsageLimit('');
        setPerCustomerLimit('');
      }
      onDone(promotion ? `Saved ${body.code.toUpperCase()}.` : `Created ${body.code.toUpperCase()}.`);
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={promotion ? `Edit ${promotion.code}` : 'New promotion'}>
      <FormError error={error} />
      <div className="form-grid">
        <FormField id={`${prefix}-code`} label="Code" hint="Letters, digits, - and _; shoppers may type any case" error={errors.code}>
          {(aria) => <input {...aria} type="text" value={code} maxLength={50} onChange={(e) => setCode(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-kind`} label="Discount" error={errors.kind}>
          {(aria) => (
            <select {...aria} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="percentage">Percentage off</option>
              <option value="fixed">Fixed amount off</option>
              <option value="free_shipping">Free shipping</option>
            </select>
          )}
        </FormField>
        {kind !== 'free_shipping' ? (
          <FormField id={`${prefix}-value`} label={kind === 'percentage' ? 'Percent' : 'Amount'} error={errors.value}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} />}
          </FormField>
        ) : null}
        <FormField id={`${prefix}-min`} label="Minimum subtotal (optional)" error={errors.minSubtotal}>
          {(aria) => <input {...aria} type="text" inputMode="decimal" value={minSubtotal} onChange={(e) => setMinSubtotal(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-starts`} label="Starts (UTC, optional)" error={errors.startsAt}>
          {(aria) => <input {...aria} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-ends`} label="Ends (UTC, optional)" error={errors.endsAt}>
          {(aria) => <input {...aria} type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-limit`} label="Total uses (optional)" error={errors.usageLimit}>
          {(aria) => <input {...aria} type="number" min={1} step={1} value={usageLimit} onChange={(e) => setUsageLimit(e.target.value)} />}
        </FormField>
        <FormField id={`${prefix}-per-customer`} label="Uses per customer (optional)" error={errors.perCustomerLimit}>
          {(aria) => <input {...aria} type="number" min={1} step={1} value={perCustomerLimit} onChange={(e) => setPerCustomerLimit(e.target.value)} />}
        </FormField>
      </div>
      <FormActions busy={busy} submit={promotion ? 'Save' : 'Create promotion'} onCancel={onCancel} />
    </form>
  );
}

/** Promotion codes for admins: create, edit, deactivate (keeps the record) or delete, with how often each was used. */
export function AdminPromotions() {
  const [offset, setOffset] = useState(0);
  const result = useApi((client) => client.GET('/api/promotions', { params: { query: { limit: pageSize, offset } } }), [offset]);
  const currency = useStoreCurrency();
  const resource = useAdminResource(result.reload);
  const setActive = (promotion: Promotion, active: boolean): void =>
    void resource.act(
      () => api.PATCH('/api/promotions/{id}', { params: { path: { id: promotion.id } }, body: { active } }),
      active ? `Activated ${promotion.code}.` : `Deactivated ${promotion.code}.`,
    );
  const remove = (promotion: Promotion): void => {
    if (!window.confirm(`Delete the promotion ${promotion.code}? Orders that used it keep their discount.`)) return;
    void resource.act(() => api.DELETE('/api/promotions/{id}', { params: { path: { id: promotion.id } } }), `Deleted ${promotion.code}.`);
  };
  const total = result.status === 'ready' ? result.data.total : 0;
  return (
    <AdminResourcePage
      title="Promotions"
      creation={{ heading: 'New promotion', form: <PromotionForm promotion={null} onDone={resource.done} /> }}
      state={result}
      resource={resource}
      label="All promotions"
      empty={{ title: 'No promotions yet', text: 'Create the first code above.' }}
      columns={[
        {
          header: 'Code',
          className: 'mono',
          cell: (promotion) => (
            <>
              {promotion.code}
              {promotion.active ? null : <span className="muted small"> · inactive</span>}
            </>
          ),
        },
        {
          header: 'Discount',
          cell: (promotion) => (
            <>
              {describeValue(promotion, currency)}
              {promotion.minSubtotal !== null ? <span className="muted small"> · from {formatPrice(promotion.minSubtotal, currency)}</span> : null}
            </>
          ),
        },
        {
          header: 'Valid',
          className: 'small',
          cell: (promotion) => (
            <>
              {promotion.startsAt ? `from ${formatDateTime(promotion.startsAt)}` : 'now'}
              {promotion.endsAt ? ` until ${formatDateTime(promotion.endsAt)}` : ''}
            </>
          ),
        },
        {
          header: 'Uses',
          numeric: true,
          cell: (promotion) => (
            <>
              {formatCount(promotion.timesUsed)}
              {promotion.usageLimit !== null ? ` / ${formatCount(promotion.usageLimit)}` : ''}
              {promotion.perCustomerLimit !== null ? <div className="muted small">{promotion.perCustomerLimit} per customer</div> : null}
            </>
          ),
        },
      ]}
      nameOf={(promotion) => promotion.code}
      editor={(promotion) => <PromotionForm promotion={promotion} onDone={resource.done} onCancel={() => resource.setEditing(null)} />}
      actions={(promotion) => (
        <button type="button" className="btn btn-small" onClick={() => setActive(promotion, !promotion.active)}>
          {promotion.active ? 'Deactivate' : 'Activate'}
          <span className="visually-hidden"> {promotion.code}</span>
        </button>
      )}
      onDelete={remove}
      footer={
        total > pageSize ? (
          <div className="toolbar">
            <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
              Newer
            </button>
            <button type="button" className="btn btn-small" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)}>
              Older
            </button>
          </div>
        ) : null
      }
    />
  );
}
