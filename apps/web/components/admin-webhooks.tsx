'use client';

import { type FormEvent, useState } from 'react';
import { formatDateTime, type WebhookDelivery, type WebhookEndpoint, webhookEventNames } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import { errorUnder } from '../lib/field-errors.ts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { AdminResourcePage, FormActions, FormError, NoticeAlert, useAdminResource } from './admin-resource.tsx';
import { FormField } from './form-field.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { useFormSubmit } from '../lib/use-form-submit.ts';

const eventNames = Object.values(webhookEventNames);

function EndpointForm({ endpoint, onDone, onCancel }: { endpoint: WebhookEndpoint | null; onDone: (message: string) => void; onCancel?: () => void }) {
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? ['order.created']);
  const { busy, errors, error, run } = useFormSubmit();
  const prefix = endpoint ? `webhook-${endpoint.id}` : 'webhook-new';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const body = { url: url.trim(), events: events as Array<(typeof eventNames)[number]> };
    await run(async () => {
      if (endpoint) {
        await api.PATCH('/api/webhooks/{id}', { params: { path: { id: endpoint.id } }, body });
        onDone(`Saved the endpoint ${body.url}.`);
      } else {
        // The secret is shown once, here: lists never carry it.
        const created = await api.POST('/api/webhooks', { body });
        setUrl('');
        onDone(`Added ${created.url}. Its signing secret (shown once; GET /api/webhooks/${created.id} reads it again): ${created.secret}`);
      }
    });
  }

  const toggle = (name: string, on: boolean) => setEvents(on ? [...events, name] : events.filter((e) => e !== name));
  return (
    <form onSubmit={submit} noValidate aria-label={endpoint ? `Edit ${endpoint.url}` : 'New endpoint'}>
      <FormError error={error} />
      <FormField id={`${prefix}-url`} label="URL" hint="https://… where your system receives the events" error={errors.url}>
        {(aria) => <input {...aria} type="url" value={url} maxLength={2048} onChange={(e) => setUrl(e.target.value)} />}
      </FormField>
      <fieldset aria-describedby={errorUnder(errors, 'events') ? `${prefix}-events-error` : undefined}>
        <legend>Events</legend>
        {eventNames.map((name) => (
          <label key={name} className="checkbox">
            <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} /> {name}
          </label>
        ))}
        {errorUnder(errors, 'events') ? (
          <div className="field-error" id={`${prefix}-events-error`}>
            {errorUnder(errors, 'events')}
          </div>
        ) : null}
      </fieldset>
      <FormActions busy={busy} submit={endpoint ? 'Save' : 'Add endpoint'} onCancel={onCancel} />
    </form>
  );
}

const attemptsOf = (delivery: WebhookDelivery): string =>
  delivery.attempts.map((attempt) => (attempt.responseStatus === null ? (attempt.error ?? 'no answer') : String(attempt.responseStatus))).join(' → ') || '—';

/** The endpoint's last deliveries with each attempt's answer, and Redeliver for any of them. */
function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const log = useApi((client) => client.GET('/api/webhooks/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { limit: 50 } } }), [endpoint.id]);
  const { act, notice } = useAdminResource(log.reload);
  const redeliver = (delivery: WebhookDelivery) =>
    void act(
      () => api.POST('/api/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: endpoint.id, deliveryId: delivery.id } } }),
      `Sending ${delivery.eventType} again.`,
    );
  return (
    <section className="panel" aria-label={`Deliveries to ${endpoint.url}`}>
      <h2>Deliveries to {endpoint.url}</h2>
      <NoticeAlert notice={notice} />
      {log.status === 'loading' ? <Loading /> : null}
      {log.status === 'error' ? <ErrorState message={describeFailure(log.error)} /> : null}
      {log.status === 'ready' && log.data.items.length === 0 ? (
        <EmptyState title="No deliveries yet">Events this endpoint listens to show here once they happen.</EmptyState>
      ) : null}
      {log.status === 'ready' && log.data.items.length > 0 ? (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Answers</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((delivery) => (
              <tr key={delivery.id}>
                <td className="mono small">{delivery.eventType}</td>
                <td className="small">{formatDateTime(delivery.createdAt)}</td>
                <td>
                  <span className={`pill delivery-${delivery.status}`}>{delivery.status}</span>
                  {delivery.nextAttemptAt ? <div className="muted small">next try {formatDateTime(delivery.nextAttemptAt)}</div> : null}
                </td>
                <td className="mono small">{attemptsOf(delivery)}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => redeliver(delivery)}>
                    Redeliver<span className="visually-hidden"> {delivery.eventType}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/**
 * Webhook endpoints for admins: where the shop's events go (signed per Standard Webhooks), each
 * enabled or not — one that kept failing says why it stopped — with its delivery log and Redeliver.
 */
export function AdminWebhooks() {
  const result = useApi((client) => client.GET('/api/webhooks'), []);
  const resource = useAdminResource(result.reload);
  const [shown, setShown] = useState<WebhookEndpoint | null>(null);
  const setEnabled = (endpoint: WebhookEndpoint, enabled: boolean): void =>
    void resource.act(
      () => api.PATCH('/api/webhooks/{id}', { params: { path: { id: endpoint.id } }, body: { enabled } }),
      enabled ? `Enabled ${endpoint.url}.` : `Disabled ${endpoint.url}.`,
    );
  const remove = (endpoint: WebhookEndpoint): void => {
    if (!window.confirm(`Delete the endpoint ${endpoint.url}? Its delivery log goes with it.`)) return;
    if (shown?.id === endpoint.id) setShown(null);
    void resource.act(() => api.DELETE('/api/webhooks/{id}', { params: { path: { id: endpoint.id } } }), `Deleted ${endpoint.url}.`);
  };
  return (
    <>
      <AdminResourcePage
        title="Webhooks"
        creation={{ heading: 'New endpoint', form: <EndpointForm endpoint={null} onDone={resource.done} /> }}
        state={result}
        resource={resource}
        label="All endpoints"
        empty={{ title: 'No endpoints yet', text: 'Add the URL of a system that should hear about orders, stock and payments.' }}
        columns={[
          { header: 'URL', className: 'mono small', cell: (endpoint) => endpoint.url },
          { header: 'Events', className: 'small', cell: (endpoint) => endpoint.events.join(', ') },
          {
            header: 'Status',
            cell: (endpoint) =>
              endpoint.enabled ? (
                <>
                  <span className="pill pill-ok">Enabled</span>
                  {endpoint.failingSince ? (
                    <div className="muted small">
                      failing since {formatDateTime(endpoint.failingSince)} ({endpoint.consecutiveFailures} attempts in a row)
                    </div>
                  ) : null}
                </>
              ) : (
                <>
                  <span className="pill pill-warn">Disabled</span>
                  {endpoint.disabledReason ? <div className="muted small">{endpoint.disabledReason}</div> : null}
                </>
              ),
          },
        ]}
        nameOf={(endpoint) => endpoint.url}
        editor={(endpoint) => <EndpointForm endpoint={endpoint} onDone={resource.done} onCancel={() => resource.setEditing(null)} />}
        actions={(endpoint) => (
          <>
            <button type="button" className="btn btn-small" onClick={() => setShown(endpoint)} aria-pressed={shown?.id === endpoint.id}>
              Deliveries<span className="visually-hidden"> to {endpoint.url}</span>
            </button>
            <button type="button" className="btn btn-small" onClick={() => setEnabled(endpoint, !endpoint.enabled)}>
              {endpoint.enabled ? 'Disable' : 'Enable'}
              <span className="visually-hidden"> {endpoint.url}</span>
            </button>
          </>
        )}
        onDelete={remove}
      />
      {shown ? <DeliveryLog key={shown.id} endpoint={shown} /> : null}
    </>
  );
}
