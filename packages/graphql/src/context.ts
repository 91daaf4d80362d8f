import DataLoader from 'dataloader';
import { ErrorCode, type Category, type Principal, type Product, type User } from '@dema/contracts';
import { graphqlError, graphqlErrorCodes, problemError, type FieldMapping } from './errors.ts';
import type { ApiRequest, ApiTransport } from '@dema/platform';

/** What every resolver gets: the REST API as the caller, and this request's batching loaders. */
export interface GraphqlContext {
  rest: Rest;
  principal: Principal;
  loaders: Loaders;
}

export interface Loaders {
  /** Category details by id, from one `GET /api/categories` per request. */
  category: DataLoader<string, Category>;
  /** Users by id: the caller's own from `/api/users/me`, others (an admin's view) from one `GET /api/users?ids=…`. */
  user: DataLoader<string, User>;
  /** Products by id (order and cart lines); null for one no longer in the catalog. */
  product: DataLoader<string, Product | null>;
}

export interface RestCall {
  body?: unknown;
  /** Sent besides the caller's own (an Idempotency-Key). */
  headers?: Record<string, string>;
  /** How REST's field names map to this operation's arguments. */
  fields?: FieldMapping;
}

/** Who calls, as the GraphQL request showed it. */
export interface Caller {
  headers: Record<string, string>;
  clientIp: string;
  principal: Principal;
}

/**
 * The REST API as the GraphQL caller: their credentials and request id on every call, REST's problems
 * as GraphQL errors, Set-Cookie handed back for the GraphQL reply, and the operation's time limit.
 */
export class Rest {
  constructor(
    private readonly transport: ApiTransport,
    private readonly caller: Caller,
    /** Epoch ms past which no call starts and a call in flight is abandoned (TIMEOUT). */
    private readonly deadline: number,
    private readonly onSetCookie: (cookies: string[]) => void,
  ) {}

  /** The parsed 2xx body of `method path`; a REST problem is thrown as its GraphQL error. */
  async call<T>(method: ApiRequest['method'], path: string, options: RestCall = {}): Promise<T> {
    const response = await this.withinDeadline(
      this.transport({
        method,
        path,
        headers: { ...this.caller.headers, ...options.headers },
        body: options.body,
        clientIp: this.caller.clientIp,
      }),
    );
    const cookies = response.headers['set-cookie'];
    if (cookies !== undefined) this.onSetCookie(Array.isArray(cookies) ? cookies : [cookies]);
    if (response.status >= 400) throw problemError(response.status, response.body, options.fields);
    return response.body as T;
  }

  private withinDeadline<T>(work: Promise<T>): Promise<T> {
    const left = this.deadline - Date.now();
    const timedOut = () => graphqlError(graphqlErrorCodes.TIMEOUT, 'The operation ran past its time limit', 504);
    if (left <= 0) return Promise.reject(timedOut());
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(timedOut()), left);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

/** The per-request loaders: each batches what one GraphQL request asks for into as few REST calls as it can. */
export function createLoaders(rest: Rest, principal: Principal): Loaders {
  return {
    category: new DataLoader<string, Category>(async (ids) => {
      const { items } = await rest.call<{ items: Category[] }>('GET', '/api/categories');
      const byId = new Map(items.map((category) => [category.id, category]));
      return ids.map((id) => byId.get(id) ?? graphqlError(ErrorCode.CATEGORY_NOT_FOUND, `No category ${id}`, 404));
    }),
    user: new DataLoader<string, User>(
      async (ids) => {
        // The caller's own account needs no users:read; anyone else's (an admin's view) comes in one list call.
        const own = principal.kind === 'user' ? principal.userId : undefined;
        const others = ids.filter((id) => id !== own);
        const [mine, page] = await Promise.all([
          ids.includes(own ?? '') ? rest.call<User>('GET', '/api/users/me').catch((error: Error) => error) : undefined,
          others.length > 0
            ? rest
                .call<{ items: User[] }>('GET', `/api/users?limit=100&${others.map((id) => `ids=${encodeURIComponent(id)}`).join('&')}`)
                .catch((error: Error) => error)
            : undefined,
        ]);
        const byId = new Map(page && !(page instanceof Error) ? page.items.map((user) => [user.id, user]) : []);
        return ids.map((id) => {
          if (id === own) return mine!;
          if (page instanceof Error) return page;
          return byId.get(id) ?? graphqlError(ErrorCode.USER_NOT_FOUND, `No user ${id}`, 404);
        });
      },
      { maxBatchSize: 100 },
    ),
    product: new DataLoader<string, Product | null>(
      async (ids) => {
        const page = await rest.call<{ items: Product[] }>('GET', `/api/products?limit=100&${ids.map((id) => `ids=${encodeURIComponent(id)}`).join('&')}`);
        const byId = new Map(page.items.map((product) => [product.id, product]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { maxBatchSize: 100 },
    ),
  };
}
