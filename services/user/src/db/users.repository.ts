import { randomUUID } from 'node:crypto';
import type { Role, User, UserQuery } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled_at: string | null;
  email_verified_at: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
  password_hash: string;
}

/** The account as the API shows it: never the password hash. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled_at !== null,
    emailVerified: row.email_verified_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type StoredUser = UserRow;

export async function insertUser(tx: Queryable, fields: { email: string; name: string; role: Role; passwordHash: string }): Promise<StoredUser> {
  const { rows } = await tx.query<UserRow>('INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
    randomUUID(),
    fields.email,
    fields.name,
    fields.role,
    fields.passwordHash,
  ]);
  return rows[0]!;
}

/** Inserts a customer unless an account has the email; undefined then (nothing written to `users`). */
export async function insertUserIfNew(
  tx: Queryable,
  fields: { email: string; name: string; role: Role; passwordHash: string },
): Promise<StoredUser | undefined> {
  const { rows } = await tx.query<UserRow>(
    'INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING *',
    [randomUUID(), fields.email, fields.name, fields.role, fields.passwordHash],
  );
  return rows[0];
}

export async function findUserByEmail(db: Queryable, email: string): Promise<StoredUser | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE email = $1', [email]);
  return rows[0];
}

export async function findUser(db: Queryable, id: string, lock = false): Promise<StoredUser | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT * FROM users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0];
}

/** The admins who may sign in (neither disabled nor deleted), in id order. */
export async function listActiveAdmins(db: Queryable): Promise<Array<{ id: string; email: string; name: string }>> {
  const { rows } = await db.query<{ id: string; email: string; name: string }>(
    "SELECT id, email, name FROM users WHERE role = 'admin' AND disabled_at IS NULL AND deleted_at IS NULL ORDER BY id",
  );
  return rows;
}

/** The ids of the active admins, their rows locked until the transaction ends (in id order: no deadlock). */
export async function lockActiveAdmins(tx: Queryable): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>("SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE");
  return rows.map((row) => row.id);
}

export async function updateUser(
  tx: Queryable,
  id: string,
  fields: { name?: string; role?: Role; disabled?: boolean; passwordHash?: string },
): Promise<StoredUser | undefined> {
  const { rows } = await tx.query<UserRow>(
    `UPDATE users SET
       name = COALESCE($2, name),
       role = COALESCE($3, role),
       disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END,
       password_hash = COALESCE($5, password_hash)
     WHERE id = $1 RETURNING *`,
    [id, fields.name ?? null, fields.role ?? null, fields.disabled ?? null, fields.passwordHash ?? null],
  );
  return rows[0];
}

/** The LIKE pattern of emails containing `part` in any case (emails are stored lower-case). */
const emailContaining = (part: string) => `%${part.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listUsers(db: Queryable, query: UserQuery): Promise<{ items: User[]; total: number }> {
  // The filters' parameters come after limit and offset ($1, $2); `from` renumbers them for the count.
  const values: unknown[] = [];
  const conditions: Array<(n: (i: number) => string) => string> = [];
  if (query.email !== undefined) {
    values.push(emailContaining(query.email));
    const i = values.length - 1;
    conditions.push((n) => `email LIKE ${n(i)}`);
  }
  if (query.ids !== undefined) {
    values.push(query.ids);
    const i = values.length - 1;
    conditions.push((n) => `id = ANY(${n(i)}::uuid[])`);
  }
  const filter = (from: number) => (conditions.length > 0 ? `WHERE ${conditions.map((c) => c((i) => `$${from + i}`)).join(' AND ')}` : '');
  const { rows } = await db.query<UserRow & { total: number }>(
    `SELECT *, count(*) OVER ()::int AS total FROM users ${filter(3)} ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
    [query.limit, query.offset, ...values],
  );
  let total = rows[0]?.total;
  if (total === undefined) {
    const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users ${filter(1)}`, values);
    total = count.rows[0]!.n;
  }
  return { items: rows.map(toUser), total };
}

/**
 * Up to `limit` users whose email contains `email` (any case), after id `after`, in id order: an
 * export reads them page by page this way, each page one index range however far in.
 */
export async function usersAfter(db: Queryable, email: string | undefined, after: string | null, limit: number): Promise<User[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (email !== undefined) where.push(`email LIKE ${param(emailContaining(email))}`);
  if (after !== null) where.push(`id > ${param(after)}::uuid`);
  const condition = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await db.query<UserRow>(`SELECT * FROM users ${condition} ORDER BY id LIMIT ${param(limit)}`, params);
  return rows.map(toUser);
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}

/** Records that the owner proved the address is theirs (a verification or reset link); the first time stays. */
export async function markEmailVerified(tx: Queryable, id: string): Promise<StoredUser | undefined> {
  const { rows } = await tx.query<UserRow>('UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = $1 RETURNING *', [id]);
  return rows[0];
}

/**
 * Erases the personal data of an account its owner deleted: the email becomes `deleted-<id>@invalid`
 * (so the address can sign up again), the name a placeholder, the password hash one no password
 * matches; the account is disabled. Its saved addresses and emailed-link tokens are deleted, and
 * its emails lose the address: unsent ones are dropped, sent ones keep only who (the tombstone)
 * got which template when. Returns the erased row, or undefined when there was none to erase.
 */
export async function eraseUser(tx: Queryable, id: string): Promise<StoredUser | undefined> {
  const { rows } = await tx.query<UserRow & { old_email: string }>(
    `UPDATE users u SET email = 'deleted-' || u.id || '@invalid', name = 'Deleted account', password_hash = '!deleted',
            disabled_at = COALESCE(u.disabled_at, now()), deleted_at = now()
       FROM (SELECT id, email AS old_email FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE) old
      WHERE u.id = old.id RETURNING u.*, old.old_email`,
    [id],
  );
  const erased = rows[0];
  if (!erased) return undefined;
  await tx.query('DELETE FROM saved_addresses WHERE user_id = $1', [id]);
  await tx.query('DELETE FROM account_tokens WHERE user_id = $1', [id]);
  await tx.query('DELETE FROM email_outbox WHERE recipient = $1 AND sent_at IS NULL', [erased.old_email]);
  // An account-exists email's cause names the address too.
  await tx.query(
    `UPDATE email_outbox SET recipient = $2, data = NULL, cause = CASE WHEN strpos(cause, $1) > 0 THEN 'erased:' || id ELSE cause END WHERE recipient = $1`,
    [erased.old_email, erased.email],
  );
  const { old_email: _, ...user } = erased;
  return user;
}
