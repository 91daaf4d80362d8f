'use client';

import { useState } from 'react';
import { formatDateTime, type MailboxEmail } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import { splitLinks } from '../lib/text-links.ts';
import { useApi } from '../lib/use-api.ts';
import { EmptyState, ErrorState, Loading } from './states.tsx';

const limit = 50;
// Emails leave the outbox about a second after the change that queued them: a link someone is
// waiting for shows up without a reload.
const refreshMs = 5_000;

/** An email's plain text with its web addresses as links, opened in a new tab so the mailbox stays. */
function PlainText({ text }: { text: string }) {
  return (
    <pre className="small" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0 }}>
      {splitLinks(text).map((piece, index) =>
        'href' in piece ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one text never move
          <a key={index} href={piece.href} target="_blank" rel="noreferrer">
            {piece.href}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one text never move
          <span key={index}>{piece.text}</span>
        ),
      )}
    </pre>
  );
}

/**
 * One email as its recipient would get it: the plain text, and the HTML in a frame with every
 * sandbox restriction (no script, form, navigation or same-origin access), since the HTML is
 * rendered from templates a merchant may replace and values customers typed.
 */
function EmailBody({ email }: { email: MailboxEmail }) {
  return (
    <div style={{ display: 'grid', gap: 12 }}>
      <p className="small muted" style={{ margin: 0 }}>
        From {email.from} to {email.to}, {formatDateTime(email.sentAt)}
      </p>
      <section aria-label={`Text of ${email.subject}`}>
        <h3 className="small">Plain text</h3>
        <PlainText text={email.text} />
      </section>
      <section aria-label={`HTML of ${email.subject}`}>
        <h3 className="small">HTML (shown without scripts; open links from the text above)</h3>
        <iframe
          title={`HTML of ${email.subject}`}
          sandbox=""
          referrerPolicy="no-referrer"
          srcDoc={email.html}
          style={{ width: '100%', height: 320, border: '1px solid var(--line)', borderRadius: 8, background: '#fff' }}
        />
      </section>
    </div>
  );
}

/**
 * The local mailbox for staff: the emails the shop sent while no mail server is configured (the
 * embedded defaults), newest first, each one's text (links clickable) and HTML. Read-only, as the
 * API is; with SMTP configured it says the mailbox is off.
 */
export function AdminMailbox() {
  const [form, setForm] = useState('');
  const [to, setTo] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const result = useApi((client) => client.GET('/api/admin/mailbox', { params: { query: { limit, ...(to ? { to } : {}) } } }), [to], {
    everyMs: refreshMs,
  });
  const smtp = result.status === 'ready' && result.data.transport === 'smtp';
  return (
    <>
      <div className="page-head">
        <h1>Mailbox</h1>
      </div>
      {smtp ? (
        <EmptyState title="The local mailbox is off">
          Emails go out through the mail server set in <code>DEMA_MAIL_SMTP_URL</code>, so none are kept here: read them in the inboxes they were sent to.
        </EmptyState>
      ) : (
        <>
          <p className="muted">
            No mail server is configured, so the emails this shop sends (email verification, password resets, order updates) land here instead of in
            customers&apos; inboxes. The newest {limit}, refreshed every few seconds.
          </p>
          {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every browser knows; <search> is too new */}
          <form
            className="toolbar"
            role="search"
            aria-label="Search the mailbox"
            onSubmit={(event) => {
              event.preventDefault();
              setTo(form.trim());
              setOpen(null);
            }}
          >
            <div className="field" style={{ flex: 1, minWidth: 200 }}>
              <label htmlFor="mailbox-to">Sent to</label>
              <input
                id="mailbox-to"
                type="search"
                value={form}
                maxLength={254}
                placeholder="the whole address"
                onChange={(event) => setForm(event.target.value)}
              />
            </div>
            <button type="submit" className="btn">
              Search
            </button>
          </form>
        </>
      )}
      {result.status === 'loading' ? <Loading /> : null}
      {result.status === 'error' ? <ErrorState message={describeFailure(result.error)} /> : null}
      {result.status === 'ready' && !smtp && result.data.items.length === 0 ? (
        <EmptyState title={to ? `No emails to ${to}` : 'No emails yet'}>Signing up or asking for a password reset sends one.</EmptyState>
      ) : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <section className="panel" style={{ padding: 0 }} aria-label="Emails">
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                  <th scope="col" className="num">
                    <span className="visually-hidden">Read</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.data.items.flatMap((email) => [
                  <tr key={email.id} data-email-id={email.id}>
                    <td className="small nowrap">{formatDateTime(email.sentAt)}</td>
                    <td className="small">{email.to}</td>
                    <td>{email.subject}</td>
                    <td className="num">
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-expanded={open === email.id}
                        onClick={() => setOpen(open === email.id ? null : email.id)}
                      >
                        {open === email.id ? 'Close' : 'Read'}
                        <span className="visually-hidden">
                          {' '}
                          {email.subject} to {email.to}
                        </span>
                      </button>
                    </td>
                  </tr>,
                  open === email.id ? (
                    <tr key={`${email.id}-body`}>
                      <td colSpan={4}>
                        <EmailBody email={email} />
                      </td>
                    </tr>
                  ) : null,
                ])}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
