import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';
import type { RenderedEmail } from './templates.ts';

/** One email as it leaves: `id` is the outbox row's, the same on every attempt. */
export interface OutgoingEmail extends RenderedEmail {
  id: string;
  from: string;
  to: string;
}

/** Where emails go: a mail server, or the local mailbox. Resolves once the email is accepted. */
export interface MailTransport {
  readonly kind: 'smtp' | 'mailbox';
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer. The Message-ID is the outbox id, so in the rare case that a sender dies
 * between the server's acceptance and recording it, the repeat carries the same id for the
 * receiving side to recognise.
 */
export class SmtpTransport implements MailTransport {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(smtpUrl: string) {
    // Well inside the outbox's claim (60 s): a hung server fails the attempt before another sender may take the email.
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as TransportOptions);
  }

  async send(email: OutgoingEmail): Promise<void> {
    await this.transport.sendMail({
      messageId: `<${email.id}@dema>`,
      from: email.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** An email in the local mailbox, as the admin reads it. */
export interface MailboxEmail extends OutgoingEmail {
  sentAt: string;
}

/**
 * The mailbox of the embedded defaults: each email a JSON file in `dir` (`<dataDir>/mail`), named
 * by its outbox id, so a repeated send rewrites the same file instead of adding a second one.
 */
export class MailboxTransport implements MailTransport {
  readonly kind = 'mailbox';

  constructor(readonly dir: string) {}

  async send(email: OutgoingEmail): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${email.id}.json`);
    // Written aside and renamed: a reader never sees half an email.
    await writeFile(`${file}.tmp`, JSON.stringify({ ...email, sentAt: new Date().toISOString() }, null, 2));
    await rename(`${file}.tmp`, file);
  }

  /** The newest `limit` emails, to `to` only when given. */
  async list(limit: number, to?: string): Promise<MailboxEmail[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => name.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const emails = await Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as MailboxEmail));
    return emails
      .filter((email) => to === undefined || email.to === to)
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
      .slice(0, limit);
  }

  close(): void {}
}
