import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { SignupScreen } from '../features/auth/signup-screen.tsx';
import { ann, harness, problem, renderRoutes, tokens, type Harness } from './support/account-harness.tsx';
import { expectAccessible } from './support/accessibility.ts';

const routes = (_h: Harness) => ({ signup: () => <SignupScreen />, login: () => null, orders: () => null });

async function fillIn(name: string, email: string, password: string) {
  fireEvent.changeText(await screen.findByLabelText('Name'), name);
  fireEvent.changeText(screen.getByLabelText('Email'), email);
  fireEvent.changeText(screen.getByLabelText('Password'), password);
  fireEvent.press(screen.getByRole('button', { name: 'Create account' }));
}

const accepted = { status: 202, body: { message: 'Sign in with this email and password next.' } };

test('a new account is signed in with the same credentials and lands on its orders', async () => {
  const h = await harness({ signedIn: false });
  h.api.on('POST', '/api/auth/signup', accepted);
  h.api.on('POST', '/api/auth/login', { status: 200, body: { user: ann, tokens } });
  const view = renderRoutes(h, routes(h), '/signup');
  await fillIn('Ann Smith', 'ann@example.com', 'correct horse battery');
  await waitFor(() => expect(view.getPathname()).toBe('/orders'));
  expect(h.api.calls('POST', '/api/auth/signup')[0]?.body).toEqual({ name: 'Ann Smith', email: 'ann@example.com', password: 'correct horse battery' });
  expect(h.api.calls('POST', '/api/auth/login')[0]?.body).toEqual({ email: 'ann@example.com', password: 'correct horse battery' });
});

test('the API’s validation messages show on the fields they name', async () => {
  const h = await harness({ signedIn: false });
  h.api.on(
    'POST',
    '/api/auth/signup',
    problem(400, 'VALIDATION_FAILED', 'The request is invalid', [
      { name: 'body.email', reason: 'must match format "email"' },
      { name: 'body.password', reason: 'must NOT have fewer than 12 characters' },
    ]),
  );
  const view = renderRoutes(h, routes(h), '/signup');
  await fillIn('Ann', 'ann@', 'short');
  expect(await screen.findByText('Email must match format "email"')).toBeTruthy();
  expect(screen.getByText('Password must NOT have fewer than 12 characters')).toBeTruthy();
  expect(screen.getByText('Please correct the fields below.')).toBeTruthy();
  expectAccessible();
  expect(view.getPathname()).toBe('/signup');
});

test('when signing in after the signup is refused (the email had an account), the form says to check the email', async () => {
  const h = await harness({ signedIn: false });
  h.api.on('POST', '/api/auth/signup', accepted);
  h.api.on('POST', '/api/auth/login', problem(401, 'INVALID_CREDENTIALS', 'The email or password is wrong'));
  const view = renderRoutes(h, routes(h), '/signup');
  await fillIn('Ann Smith', 'ann@example.com', 'correct horse battery');
  expect(await screen.findByText(/^Check your email/)).toBeTruthy();
  expectAccessible();
  expect(view.getPathname()).toBe('/signup');
});

test('typing in a field clears its message', async () => {
  const h = await harness({ signedIn: false });
  renderRoutes(h, routes(h), '/signup');
  fireEvent.press(await screen.findByRole('button', { name: 'Create account' }));
  expect(await screen.findByText('Name is required')).toBeTruthy();
  fireEvent.changeText(screen.getByLabelText('Name'), 'Ann');
  expect(screen.queryByText('Name is required')).toBeNull();
});

test('the store being down is one message for the form', async () => {
  const h = await harness({ signedIn: false });
  h.api.on('POST', '/api/auth/signup', problem(503, 'SERVICE_UNAVAILABLE', 'The user service is unavailable'));
  const view = renderRoutes(h, routes(h), '/signup');
  await fillIn('Ann Smith', 'ann@example.com', 'correct horse battery');
  expect(await screen.findByRole('alert')).toBeTruthy();
  expect(view.getPathname()).toBe('/signup');
});
