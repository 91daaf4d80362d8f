import { FormField } from '../../components/form-field.tsx';
import type { Session } from '../../lib/auth/session.tsx';
import { AuthForm, emailInput, useSessionForm } from './auth-form.tsx';
import { fieldProps, type SubmitState } from './use-submit.ts';

type LoginField = 'email' | 'password';
const labels: Record<LoginField, string> = { email: 'Email', password: 'Password' };

const signIn = (session: Session, values: Record<LoginField, string>) => session.signIn({ email: values.email.trim(), password: values.password });

/** The login form's data: the values, and signing in through the session. */
export function useLoginForm(): SubmitState<LoginField> {
  return useSessionForm({ email: '', password: '' }, labels, signIn);
}

export function LoginView({ form }: { form: SubmitState<LoginField> }) {
  return (
    <AuthForm
      title="Sign in"
      lead="Welcome back. Sign in to see your cart and orders."
      form={form}
      submitLabel="Sign in"
      other={{ question: 'New here?', href: '/signup', label: 'Create an account', accessibilityLabel: 'Create an account' }}
    >
      <FormField {...fieldProps(form, 'email')} {...emailInput} />
      <FormField
        {...fieldProps(form, 'password')}
        secureTextEntry
        autoComplete="current-password"
        textContentType="password"
        onSubmitEditing={() => void form.submit()}
      />
    </AuthForm>
  );
}

/** The login screen. */
export function LoginScreen() {
  return <LoginView form={useLoginForm()} />;
}
