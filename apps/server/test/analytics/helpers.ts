import type { UserService } from '@dema/user';

/** Signs an admin and a customer in through the User service; resolves their access tokens. */
export async function signInAdminAndCustomer(users: UserService): Promise<{ admin: string; customer: string }> {
  const login = async (email: string, role: 'admin' | 'customer') => {
    const password = 'correct-horse-battery-staple';
    await users.identity.createUser(email, password, role, role);
    return (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
  };
  return { admin: await login('admin@test.dema.dev', 'admin'), customer: await login('customer@test.dema.dev', 'customer') };
}

/** A JSON request to the process at `baseUrl` with `token` as the bearer. */
export function bearerSender(baseUrl: string) {
  return (token: string, method: string, url: string, body?: unknown): Promise<Response> =>
    fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}
