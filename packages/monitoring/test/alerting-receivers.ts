import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accessTokenAudience, accessTokenIssuer, type Role } from '@dema/contracts';
import type { ServiceModule } from '@dema/platform';

/**
 * Local stand-ins for the far ends of the alert channels, speaking their real protocols: an HTTP
 * server for the Slack webhook and the SMS provider, an SMTP server for email. Each records what
 * arrived and can be told to refuse the next N deliveries.
 */

export interface HttpDelivery {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class HttpReceiver {
  readonly received: HttpDelivery[] = [];
  /** Requests answered 500 before the receiver starts accepting. */
  failNext = 0;
  /** Requests this says to refuse are answered 500, as are the next `failNext`. */
  refuse: ((delivery: HttpDelivery) => boolean) | undefined;
  /** Every refused request, for checking retries. */
  refused = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<HttpReceiver> {
    const receiver: HttpReceiver = new HttpReceiver(
      http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const delivery = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
          if (receiver.failNext > 0 || receiver.refuse?.(delivery)) {
            if (receiver.failNext > 0) receiver.failNext--;
            receiver.refused++;
            response.writeHead(500, { 'content-type': 'text/plain' }).end('internal_error');
            return;
          }
          receiver.received.push(delivery);
          response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface SmtpMessage {
  from: string;
  to: string[];
  /** The message as sent after DATA: headers, blank line, body. */
  data: string;
  /** Who authenticated, if anyone. */
  user: string | undefined;
}

/**
 * Enough of an SMTP server (RFC 5321) for nodemailer: EHLO/HELO, AUTH PLAIN and LOGIN, MAIL,
 * RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT. No STARTTLS is offered, so the client stays in
 * plain text on loopback.
 */
export class SmtpReceiver {
  readonly messages: SmtpMessage[] = [];
  /** MAIL FROM commands answered 451 (try again later) before accepting. */
  failNext = 0;
  refused = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly credentials?: { user: string; pass: string },
  ) {}

  static async start(credentials?: { user: string; pass: string }): Promise<SmtpReceiver> {
    const server = net.createServer();
    const receiver = new SmtpReceiver(server, credentials);
    server.on('connection', (socket) => receiver.session(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** An smtp:// URL for nodemailer, with the receiver's credentials when it has any. */
  get url(): string {
    const auth = this.credentials ? `${encodeURIComponent(this.credentials.user)}:${encodeURIComponent(this.credentials.pass)}@` : '';
    return `smtp://${auth}127.0.0.1:${this.port}`;
  }

  private session(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const reply = (line: string) => socket.write(`${line}\r\n`);
    let buffer = '';
    let mode: 'command' | 'data' | 'auth-plain' | 'auth-user' | 'auth-pass' = 'command';
    let user: string | undefined;
    let pendingUser = '';
    let envelope: { from: string; to: string[]; lines: string[] } | undefined;
    const checkCredentials = (name: string, pass: string) => {
      if (!this.credentials || (name === this.credentials.user && pass === this.credentials.pass)) {
        user = name;
        reply('235 2.7.0 Authentication successful');
      } else {
        reply('535 5.7.8 Authentication credentials invalid');
      }
      mode = 'command';
    };
    const handle = (line: string) => {
      if (mode === 'data') {
        if (line === '.') {
          this.messages.push({ from: envelope!.from, to: envelope!.to, data: envelope!.lines.join('\r\n'), user });
          envelope = undefined;
          mode = 'command';
          reply('250 2.0.0 Ok: queued');
        } else {
          envelope!.lines.push(line.startsWith('..') ? line.slice(1) : line);
        }
        return;
      }
      if (mode === 'auth-plain') {
        const [, name = '', pass = ''] = Buffer.from(line, 'base64').toString('utf8').split('\0');
        return checkCredentials(name, pass);
      }
      if (mode === 'auth-user') {
        pendingUser = Buffer.from(line, 'base64').toString('utf8');
        mode = 'auth-pass';
        return reply(`334 ${Buffer.from('Password:').toString('base64')}`);
      }
      if (mode === 'auth-pass') return checkCredentials(pendingUser, Buffer.from(line, 'base64').toString('utf8'));
      const [verb = '', ...args] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          return socket.write('250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
        case 'HELO':
          return reply('250 localhost');
        case 'AUTH': {
          const method = args[0]?.toUpperCase();
          if (method === 'PLAIN' && args[1]) {
            const [, name = '', pass = ''] = Buffer.from(args[1], 'base64').toString('utf8').split('\0');
            return checkCredentials(name, pass);
          }
          if (method === 'PLAIN') {
            mode = 'auth-plain';
            return reply('334 ');
          }
          if (method === 'LOGIN') {
            mode = 'auth-user';
            return reply(`334 ${Buffer.from('Username:').toString('base64')}`);
          }
          return reply('504 5.5.4 Unrecognized authentication type');
        }
        case 'MAIL':
          if (this.credentials && user === undefined) return reply('530 5.7.0 Authentication required');
          if (this.failNext > 0) {
            this.failNext--;
            this.refused++;
            return reply('451 4.3.0 Try again later');
          }
          envelope = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', to: [], lines: [] };
          return reply('250 2.1.0 Ok');
        case 'RCPT':
          if (!envelope) return reply('503 5.5.1 MAIL first');
          envelope.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          return reply('250 2.1.5 Ok');
        case 'DATA':
          if (!envelope || envelope.to.length === 0) return reply('503 5.5.1 RCPT first');
          mode = 'data';
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          envelope = undefined;
          return reply('250 2.0.0 Ok');
        case 'NOOP':
          return reply('250 2.0.0 Ok');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          return socket.end();
        default:
          return reply('502 5.5.2 Command not recognized');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        handle(line);
      }
    });
    reply('220 localhost ESMTP dema-test');
  }

  /** The Subject header of a received message. */
  static subject(message: SmtpMessage): string {
    return /^Subject: (.*)$/im.exec(message.data)?.[1] ?? '';
  }

  /** The body of a received message, quoted-printable decoded. */
  static text(message: SmtpMessage): string {
    const split = message.data.indexOf('\r\n\r\n');
    const body = message.data.slice(split + 4);
    if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(message.data.slice(0, split))) return body;
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Access tokens for platform tests, which run without the User service: a module that provides
 * the public key the process verifies with, and signs tokens of any role with its private key.
 */
export async function testIdentity(): Promise<{ module: ServiceModule; token(role: Role): Promise<string> }> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), alg: 'EdDSA', kid: 'test' };
  return {
    module: {
      name: 'test-identity',
      schemas: [],
      routes: async () => undefined,
      accessTokenKeys: createLocalJWKSet({ keys: [jwk] }),
      start: () => undefined,
      close: async () => undefined,
    },
    token: (role) =>
      new SignJWT({ role, sid: randomUUID() })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test' })
        .setSubject(randomUUID())
        .setIssuer(accessTokenIssuer)
        .setAudience(accessTokenAudience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
  };
}

/** A logger whose lines the test can read back. */
export function memoryLogger(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}
