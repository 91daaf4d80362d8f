import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { LoginScreen } from '../features/auth/login-screen.tsx';
import { expectAccessible } from './support/accessibility.ts';
import { ann, harness, problem, renderRoutes, tokens, type Harness } from './support/account-harness.tsx';

const routes = (_h: Harness) => ({
  login: () => <LoginScreen />,
  signup: () => null,
  orders: () => null,
  account: () => null,
});

async function fillIn(email: string, password: string) {
  fireEvent.changeText(await screen.findByLabelText('Email'), email);
  fireEvent.changeText(screen.getByLabelText('Password'), password);
  fireEvent.press(screen.getByRole('button', { name: 'Sign in' }));
}

test('signing in stores the tokens and goes on to the route the user came from', async () => {
  const h = await harness({ signedIn: false });
  h.api.on('POST', '/api/auth/login', { status: 200, body: { user: ann, tokens } });
  const view = renderRoutes(h, routes(h), '/login?next=/account');
  await fillIn('  ann@example.com ', 'correct horse battery');
  await waitFor(() => expect(view.getPathname()).toBe('/account'));
  expect(h.api.calls('POST', '/api/auth/login')[0]?.body).toEqual({ email: 'ann@example.com', password: 'correct horse battery' });
  expect(await h.store.get()).toBeDefined();
});

test('a wrong password shows the API’s message and stays on the form', async () => {
  const h = await harness({ signedIn: false });
  h.api.on('POST', '/api/auth/login', problem(401, 'INVALID_CREDENTIALS', 'The email or password is incorrect'));
  const view = renderRoutes(h, routes(h), '/login');
  await fillIn('ann@example.com', 'wrong password!');
  expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is incorrect');
  expect(view.getPathname()).toBe('/login');
  expect(await h.store.get()).toBeUndefined();
});

test('empty fields are named without a round trip to the API', async () => {
  const h = await harness({ signedIn: false });
  renderRoutes(h, routes(h), '/login');
  fireEvent.press(await screen.findByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('Email is required')).toBeTruthy();
  expect(screen.getByText('Password is required')).toBeTruthy();
  expect(h.api.requests).toHaveLength(0);
});

test('offline, the form says the store cannot be reached', async () => {
  const h = await harness({ signedIn: false });
  h.api.on('POST', '/api/auth/login', 'offline');
  renderRoutes(h, routes(h), '/login');
  await fillIn('ann@example.com', 'correct horse battery');
  expect(await screen.findByRole('alert')).toHaveTextContent(/reach/i);
});

test('the form is usable with a screen reader and at a large text size, also showing its errors', async () => {
  const h = await harness({ signedIn: false });
  renderRoutes(h, routes(h), '/login');
  fireEvent.press(await screen.findByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('Email is required')).toBeTruthy();
  expectAccessible();
});
