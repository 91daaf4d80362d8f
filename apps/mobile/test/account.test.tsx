import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { AccountScreen } from '../features/account/account-screen.tsx';
import { ann, harness, problem, renderRoutes, type Harness } from './support/account-harness.tsx';
import { expectAccessible } from './support/accessibility.ts';

const routes = (h: Harness) => ({ account: () => <AccountScreen client={h.client} />, login: () => null });

test('the account shows who is signed in, with their name ready to change', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  renderRoutes(h, routes(h), '/account');
  expect(await screen.findByText('ann@example.com')).toBeTruthy();
  expect(screen.getByLabelText('Name')).toHaveDisplayValue('Ann Smith');
  expectAccessible();
  expect(h.api.calls('GET', '/api/users/me')[0]?.authorization).toBe('Bearer access-1');
});

test('a new name is saved through the API and shown', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  h.api.on('PUT', '/api/users/me', ({ body }) => ({ status: 200, body: { ...ann, ...(body as object) } }));
  renderRoutes(h, routes(h), '/account');
  fireEvent.changeText(await screen.findByLabelText('Name'), '  Ann Jones ');
  fireEvent.press(screen.getByRole('button', { name: 'Save name' }));
  expect(await screen.findByText('Your name is saved.')).toBeTruthy();
  expect(h.api.calls('PUT', '/api/users/me')[0]?.body).toEqual({ name: 'Ann Jones' });
  expect(screen.getByLabelText('Name')).toHaveDisplayValue('Ann Jones');
});

test('a wrong current password is said on that field', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  h.api.on(
    'PUT',
    '/api/users/me',
    problem(422, 'INVALID_CREDENTIALS', 'body.currentPassword is not your current password', [
      { name: 'body.currentPassword', reason: 'is not your current password' },
    ]),
  );
  renderRoutes(h, routes(h), '/account');
  fireEvent.changeText(await screen.findByLabelText('Current password'), 'not my password');
  fireEvent.changeText(screen.getByLabelText('New password'), 'a much longer passphrase');
  fireEvent.press(screen.getByRole('button', { name: 'Change password' }));
  expect(await screen.findByText('Current password is not your current password')).toBeTruthy();
  expectAccessible();
  expect(h.api.calls('PUT', '/api/users/me')[0]?.body).toEqual({ currentPassword: 'not my password', newPassword: 'a much longer passphrase' });
});

test('a changed password empties the fields and says the other devices are signed out', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  h.api.on('PUT', '/api/users/me', { status: 200, body: ann });
  renderRoutes(h, routes(h), '/account');
  fireEvent.changeText(await screen.findByLabelText('Current password'), 'correct horse battery');
  fireEvent.changeText(screen.getByLabelText('New password'), 'a much longer passphrase');
  fireEvent.press(screen.getByRole('button', { name: 'Change password' }));
  expect(await screen.findByText(/other devices are signed out/)).toBeTruthy();
  expect(screen.getByLabelText('New password')).toHaveDisplayValue('');
});

test('signing out ends the session at the API, forgets the tokens and every cached answer of theirs, not the catalog', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  h.api.on('POST', '/api/auth/logout', { status: 204 });
  h.queryClient.setQueryData(['orders', 'list'], { pages: [], pageParams: [] });
  h.queryClient.setQueryData(['cart'], { items: [] });
  h.queryClient.setQueryData(['catalog', { sort: 'newest' }], { pages: [], pageParams: [] });
  renderRoutes(h, routes(h), '/account');
  fireEvent.press(await screen.findByRole('button', { name: 'Sign out of this device' }));
  expect(await screen.findByText('You are not signed in')).toBeTruthy();
  expect(h.api.calls('POST', '/api/auth/logout')).toHaveLength(1);
  expect(await h.store.get()).toBeUndefined();
  expect(h.queryClient.getQueryData(['orders', 'list'])).toBeUndefined();
  expect(h.queryClient.getQueryData(['cart'])).toBeUndefined();
  expect(h.queryClient.getQueryData(['catalog', { sort: 'newest' }])).toBeDefined();
});

test('signing out offline still forgets the session on this device', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  renderRoutes(h, routes(h), '/account');
  await screen.findByText('ann@example.com');
  h.api.on('POST', '/api/auth/logout', 'offline');
  fireEvent.press(screen.getByRole('button', { name: 'Sign out of this device' }));
  expect(await screen.findByText('You are not signed in')).toBeTruthy();
  expect(await h.store.get()).toBeUndefined();
});

test('signed out, the account offers to sign in', async () => {
  const h = await harness({ signedIn: false });
  const view = renderRoutes(h, routes(h), '/account');
  fireEvent.press(await screen.findByRole('button', { name: 'Sign in' }));
  await waitFor(() => expect(view.getPathname()).toBe('/login'));
  expect(h.api.requests).toHaveLength(0);
});

test('offline, the account says so and can try again', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', 'offline');
  renderRoutes(h, routes(h), '/account');
  expect(await screen.findByText('You are offline')).toBeTruthy();
  expectAccessible();
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  fireEvent.press(screen.getByRole('button', { name: 'Load your account again' }));
  expect(await screen.findByText('ann@example.com')).toBeTruthy();
});

test('a failure of the API is an error state, not a blank screen', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', problem(500, 'INTERNAL', 'Internal error'));
  renderRoutes(h, routes(h), '/account');
  expect(await screen.findByText('We could not load your account')).toBeTruthy();
});

test('deleting the account asks first, says a wrong password at its field, then signs out', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/users/me', { status: 200, body: ann });
  let deletions = 0;
  h.api.on('DELETE', '/api/users/me', () =>
    ++deletions === 1
      ? problem(422, 'INVALID_CREDENTIALS', 'body.password is not your current password', [{ name: 'body.password', reason: 'is not your current password' }])
      : { status: 204 },
  );
  h.api.on('POST', '/api/auth/logout', problem(401, 'UNAUTHENTICATED', 'The session has ended; log in again'));
  renderRoutes(h, routes(h), '/account');
  fireEvent.press(await screen.findByRole('button', { name: 'Delete account' }));
  expect(h.api.calls('DELETE', '/api/users/me')).toHaveLength(0);
  fireEvent.changeText(screen.getByLabelText('Password'), 'not my password');
  fireEvent.press(screen.getByRole('button', { name: 'Delete my account for good' }));
  expect(await screen.findByText('Password is not your current password')).toBeTruthy();
  expectAccessible();
  fireEvent.changeText(screen.getByLabelText('Password'), 'correct horse battery');
  fireEvent.press(screen.getByRole('button', { name: 'Delete my account for good' }));
  expect(await screen.findByText('You are not signed in')).toBeTruthy();
  expect(h.api.calls('DELETE', '/api/users/me')[1]?.body).toEqual({ password: 'correct horse battery' });
  expect(await h.store.get()).toBeUndefined();
});
