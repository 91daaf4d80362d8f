import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { after, before } from 'node:test';
import { routingKeys, type DemaEvent } from '@dema/contracts';
import { loadConfig } from '@dema/platform';
import { waitFor, type TestTarget } from '@dema/platform/testing';
import { startUserService, type UserTestProcess } from './helpers.ts';

/** An email as a real SMTP server received it, parsed back into its parts. */
export interface ReceivedEmail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A real SMTP server (the `smtp-server` package) on 127.0.0.1 that keeps what it receives. */
export class TestSmtpServer {
  readonly received: ReceivedEmail[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  /** Listens on `port` (0: any free one). */
  static async start(port = 0): Promise<TestSmtpServer> {
    let self: TestSmtpServer | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            self!.received.push({
              messageId: mail.messageId ?? '',
              from: mail.from?.text ?? '',
              to: Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? ''),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    self = new TestSmtpServer(server, (server.server.address() as AddressInfo).port);
    return self;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The emails to `to`. */
  to(to: string): ReceivedEmail[] {
    return this.received.filter((email) => email.to === to);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * For a suite: a User service on `target` whose emails go to a real SMTP server, links starting with
 * https://shop.test and the shop named Test Shop. Read `dema` and `smtp` inside tests.
 */
export function userServiceWithSmtp(target: TestTarget): { readonly dema: UserTestProcess; readonly smtp: TestSmtpServer } {
  const running = {} as { dema: UserTestProcess; smtp: TestSmtpServer };
  before(async () => {
    running.smtp = await TestSmtpServer.start();
    running.dema = await startUserService(target, {
      mail: { ...loadConfig({}).mail, smtpUrl: running.smtp.url, publicUrl: 'https://shop.test', storeName: 'Test Shop' },
    });
  });
  after(async () => {
    await running.dema.dispose();
    await running.smtp.close();
  });
  return running;
}

/**
 * Publishes `event` twice, then again each second until an email reached every address of `to`: on
 * a broker, the service's queue is bound a moment after it starts and an event published before
 * that reaches no one (the same event again is de-duplicated by id).
 */
export async function publishTwiceUntilEmailed(dema: UserTestProcess, smtp: TestSmtpServer, event: DemaEvent, to: string[]): Promise<void> {
  const publish = () => dema.infra.bus.publish(event, routingKeys[event.type]);
  await publish();
  await publish();
  let lastPublished = Date.now();
  await waitFor(
    `an email to ${to.join(' and ')}`,
    async () => {
      if (to.every((address) => smtp.to(address).length > 0)) return true;
      if (Date.now() - lastPublished > 1_000) {
        lastPublished = Date.now();
        await publish();
      }
      return false;
    },
    30_000,
  );
}
