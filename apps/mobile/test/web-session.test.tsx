import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import * as SecureStore from 'expo-secure-store';
import { AccountScreen } from '../features/account/account-screen.tsx';
import { SignupScreen } from '../features/auth/signup-screen.tsx';
import { OrdersScreen } from '../features/orders/orders-screen.tsx';
import { platformAuth } from '../lib/auth/auth.ts';
import { ann, cookieTokens, harness, problem, renderRoutes, type Harness } from './support/account-harness.tsx';

/** The web build's session: the refresh token in the API's httpOnly cookie, the access token in memory only. */

const routes = (h: Harness) => ({
  account: () => <AccountScreen client={h.client} />,
  orders: () => <OrdersScreen client={h.client} />,
  signup: () => <SignupScreen />,
  login: () => null,
});

const emptyPage = { status: 200, body: { items: [], total: 0, limit: 20, offset: 0 } };
// As the API: the account only with the access token the cookie refresh handed out.
const me = ({ authorization }: { authorization: string | null }) =>
  authorization === 'Bearer access-1' ? { status: 200, body: ann } : problem(401, 'UNAUTHENTICATED', 'Sign in first');

test('the web signs in through the cookie flow, sending credentials; a device through tokenAuth and its secure store', async () => {
  const web = platformAuth('web');
  expect(web.auth.credentials).toBe('include');
  expect(await web.sessionHint()).toBe('ask');
  const device = platformAuth('ios');
  expect(device.auth.credentials).toBeUndefined();
  const read = jest.spyOn(SecureStore, 'getItemAsync').mockResolvedValue(null);
  expect(await device.sessionHint()).toBe('none');
  expect(read).toHaveBeenCalledWith('dema.session.tokens', expect.anything());
  read.mockRestore();
});

test('on the web a new account goes through /api/auth/cookie/signup and no token is stored', async () => {
  const h = await harness({ signedIn: false, os: 'web' });
  h.api.on('POST', '/api/auth/cookie/signup', { status: 202, body: { message: 'Sign in with this email and password next.' } });
  h.api.on('POST', '/api/auth/cookie', { status: 200, body: { user: ann, tokens: cookieTokens } });
  h.api.on('GET', '/api/orders', emptyPage);
  const view = renderRoutes(h, routes(h), '/signup');
  fireEvent.changeText(await screen.findByLabelText('Name'), 'Ann Smith');
  fireEvent.changeText(screen.getByLabelText('Email'), 'ann@example.com');
  fireEvent.changeText(screen.getByLabelText('Password'), 'correct horse battery');
  fireEvent.press(screen.getByRole('button', { name: 'Create account' }));
  await waitFor(() => expect(view.getPathname()).toBe('/orders'));
  expect(h.api.calls('POST', '/api/auth/cookie/signup')[0]?.credentials).toBe('include');
  expect(h.api.calls('POST', '/api/auth/cookie')[0]?.credentials).toBe('include');
  expect(h.api.calls('POST', '/api/auth/signup')).toHaveLength(0);
  expect(await h.store.get()).toBeUndefined();
  await screen.findByText('You have no orders yet');
  expect(h.api.calls('GET', '/api/orders')[0]?.authorization).toBe('Bearer access-1');
});

test('on the web, opening the app without a session cookie is being signed out: the signup form stays', async () => {
  const h = await harness({ signedIn: false, os: 'web' });
  h.api.on('GET', '/api/users/me', me);
  const view = renderRoutes(h, routes(h), '/signup');
  expect(await screen.findByRole('button', { name: 'Create account' })).toBeTruthy();
  await waitFor(() => expect(h.api.calls('POST', '/api/auth/cookie/refresh')).toHaveLength(1));
  expect(view.getPathname()).toBe('/signup');
});

test('on the web, the session cookie restores the session after a restart', async () => {
  const h = await harness({ signedIn: true, os: 'web' });
  h.api.on('GET', '/api/users/me', me);
  h.api.on('GET', '/api/orders', emptyPage);
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('You have no orders yet')).toBeTruthy();
  expect(h.api.calls('POST', '/api/auth/cookie/refresh')).toHaveLength(1);
});

test('signing out on the web ends the cookie session and forgets the access token', async () => {
  const h = await harness({ signedIn: true, os: 'web' });
  h.api.on('GET', '/api/users/me', me);
  h.api.on('DELETE', '/api/auth/cookie', { status: 204 });
  renderRoutes(h, routes(h), '/account');
  await screen.findByText('ann@example.com');
  expect(h.api.calls('GET', '/api/users/me').at(-1)?.authorization).toBe('Bearer access-1');
  // The cookie is gone with the session: the API refuses to refresh from now on.
  h.api.on('POST', '/api/auth/cookie/refresh', problem(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired'));
  fireEvent.press(screen.getByRole('button', { name: 'Sign out of this device' }));
  expect(await screen.findByText('You are not signed in')).toBeTruthy();
  expect(h.api.calls('DELETE', '/api/auth/cookie')).toHaveLength(1);
  expect(h.api.calls('DELETE', '/api/auth/cookie')[0]?.credentials).toBe('include');
  await expect(h.client.GET('/api/users/me')).rejects.toMatchObject({ status: 401 });
  expect(h.api.calls('GET', '/api/users/me').at(-1)?.authorization).toBeNull();
});
