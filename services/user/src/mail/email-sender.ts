import { BatchWorker, type BatchOutcome, type Db, type Logger } from '@dema/platform';
import { claimDueEmails, markFailed, markSent, nextDue, type DueEmail } from '../db/email-outbox.repository.ts';
import type { MailTemplates } from './templates.ts';
import type { MailTransport } from './transports.ts';

/** The longest pause between two attempts at one email. */
export const maxRetryMs = 3_600_000;

/** The pause after the `attempts`-th failure: `baseMs`, doubling, at most an hour. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(maxRetryMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export interface EmailSenderOptions {
  from: string;
  retryBaseMs: number;
  /** How often to look for emails queued by other instances or due again; `notify` wakes it sooner. */
  pollMs?: number;
  batchSize?: number;
}

/**
 * Sends the emails of the outbox (`email_outbox`) through a transport. An email that fails (the
 * server down, refusing, a template that does not render) stays queued and is tried again after a
 * pause that doubles each time, up to an hour apart, for as long as it takes: none is dropped.
 * Once the transport accepted it, it is marked sent and never sent again.
 */
export class EmailSender extends BatchWorker {
  constructor(
    private readonly db: Db,
    private readonly templates: MailTemplates,
    readonly transport: MailTransport,
    log: Logger,
    private readonly options: EmailSenderOptions,
  ) {
    super(log, { batchSize: options.batchSize ?? 20, pollMs: options.pollMs ?? 1_000, name: 'email sender' });
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.transport.close();
  }

  /** A retry due before the next poll is not kept waiting for it. */
  protected override async pause(): Promise<number> {
    const due = await nextDue(this.db);
    return due ? Math.max(0, Math.min(this.batching.pollMs, due.getTime() - Date.now())) : this.batching.pollMs;
  }

  protected async runBatch(): Promise<BatchOutcome> {
    const due = await claimDueEmails(this.db, this.batching.batchSize, 60);
    const outcomes = await Promise.all(due.map((email) => this.sendOne(email)));
    const sent = outcomes.filter(Boolean).length;
    return { done: sent, failed: due.length - sent };
  }

  private async sendOne(email: DueEmail): Promise<boolean> {
    try {
      const rendered = await this.templates.render(email.template, email.data);
      await this.transport.send({ id: email.id, from: this.options.from, to: email.to, ...rendered });
    } catch (error) {
      const retryMs = retryDelayMs(email.attempts, this.options.retryBaseMs);
      this.log.warn({ err: error, emailId: email.id, template: email.template, attempts: email.attempts, retryMs }, 'email not sent; it stays queued');
      await markFailed(this.db, email.id, (error as Error).message ?? String(error), retryMs);
      return false;
    }
    await markSent(this.db, email.id);
    return true;
  }
}
