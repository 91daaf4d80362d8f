import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Role, Session, User } from '@dema/contracts';
import type { Db, DemaConfig } from '@dema/platform';
import { startTestProcess, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { createUserService, type UserService } from '../src/app.ts';

/** A password that passes the policy; every account made by `createUser` has it unless told otherwise. */
export const goodPassword = 'tidal-orchid-lantern-42';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when there is none. */
  body: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An HTTP client that connects from one local address of its own (any of 127.0.0.0/8), so that the
 * per-address throttles see it as one visitor and other tests as others.
 */
export interface Client {
  readonly address: string;
  send(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  login(email: string, password: string): Promise<Reply>;
  signup(body: Record<string, unknown>): Promise<Reply>;
  refresh(refreshToken: string): Promise<Reply>;
  me(token: string): Promise<Reply>;
}

export interface UserTestProcess extends TestProcess<{ user: UserService }> {
  users: UserService;
  /** A client calling from a local address no other client of this file uses. */
  client(): Client;
  /** The text of every response any client of this process received. */
  responses: string[];
  /** Creates an account directly (no signup throttle), with `goodPassword` unless told otherwise. */
  createUser(options?: { role?: Role; email?: string; password?: string; name?: string }): Promise<{ user: User; email: string; password: string }>;
  /** Creates an account and logs it in over HTTP (from a fresh address). */
  signedIn(role?: Role): Promise<{ user: User; email: string; password: string; session: Session }>;
  /** Logs in over HTTP from a fresh address; throws unless 200. */
  login(email: string, password: string): Promise<Session>;
  userDb(): Promise<Db>;
}

let addresses = 0;
/** 127.1.0.2, 127.1.0.3, …: 127.0.0.1 is left to code that calls the service directly. */
function nextAddress(): string {
  const n = ++addresses;
  return `127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

let emails = 0;
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${++emails}.${randomBytes(3).toString('hex')}@test.dema.dev`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function makeClient(baseUrl: string, address: string, record?: string[]): Client {
  const url = new URL(baseUrl);
  const send = (method: string, path: string, options: RequestOptions = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          localAddress: address,
          agent: false,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
            ...options.headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            record?.push(text);
            let body: unknown;
            if (text && /json/.test(String(response.headers['content-type']))) body = JSON.parse(text);
            resolve({ status: response.statusCode!, headers: response.headers, text, body });
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return {
    address,
    send,
    login: (email, password) => send('POST', '/api/auth/login', { body: { email, password } }),
    signup: (body) => send('POST', '/api/auth/signup', { body }),
    refresh: (refreshToken) => send('POST', '/api/auth/refresh', { body: { refreshToken } }),
    me: (token) => send('GET', '/api/users/me', { token }),
  };
}

export async function startUserService(target: TestTarget, overrides: Partial<DemaConfig> = {}): Promise<UserTestProcess> {
  const running = await startTestProcess(target, { user: createUserService }, overrides);
  const users = running.services.user;
  const responses: string[] = [];
  const client = () => makeClient(running.url, nextAddress(), responses);
  const createUser: UserTestProcess['createUser'] = async (options = {}) => {
    const email = options.email ?? uniqueEmail(options.role ?? 'customer');
    const password = options.password ?? goodPassword;
    const user = await users.identity.createUser(email, password, options.name ?? 'Test User', options.role ?? 'customer');
    return { user, email: user.email, password };
  };
  const login = async (email: string, password: string) => {
    const reply = await client().login(email, password);
    if (reply.status !== 200) throw new Error(`logging in ${email}: ${reply.status} ${reply.text}`);
    return reply.body as Session;
  };
  return {
    ...running,
    users,
    client,
    responses,
    createUser,
    login,
    async signedIn(role = 'customer') {
      const account = await createUser({ role });
      return { ...account, session: await login(account.email, account.password) };
    },
    userDb: () => running.infra.database('user'),
  };
}
