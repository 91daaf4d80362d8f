import { passwordPolicy } from '@dema/contracts';
import { FormField } from '../../components/form-field.tsx';
import type { Session } from '../../lib/auth/session.tsx';
import { AuthForm, emailInput, useSessionForm } from './auth-form.tsx';
import { fieldProps, type SubmitState } from './use-submit.ts';

type SignupField = 'name' | 'email' | 'password';
const labels: Record<SignupField, string> = { name: 'Name', email: 'Email', password: 'Password' };

const signUp = (session: Session, values: Record<SignupField, string>) =>
  session.signUp({ name: values.name.trim(), email: values.email.trim(), password: values.password });

/** The signup form's data: the values, and creating the account through the session. */
export function useSignupForm(): SubmitState<SignupField> {
  return useSessionForm({ name: '', email: '', password: '' }, labels, signUp);
}

export function SignupView({ form }: { form: SubmitState<SignupField> }) {
  return (
    <AuthForm
      title="Create your account"
      lead="Track your orders and check out faster."
      form={form}
      submitLabel="Create account"
      other={{ question: 'Already have an account?', href: '/login', label: 'Sign in', accessibilityLabel: 'Sign in instead' }}
    >
      <FormField {...fieldProps(form, 'name')} autoComplete="name" textContentType="name" maxLength={100} />
      <FormField {...fieldProps(form, 'email')} {...emailInput} maxLength={254} />
      <FormField
        {...fieldProps(form, 'password')}
        hint={`At least ${passwordPolicy.minLength} characters. A short phrase is easy to remember and hard to guess.`}
        secureTextEntry
        autoComplete="new-password"
        textContentType="newPassword"
        maxLength={passwordPolicy.maxLength}
        onSubmitEditing={() => void form.submit()}
      />
    </AuthForm>
  );
}

/** The signup screen. */
export function SignupScreen() {
  return <SignupView form={useSignupForm()} />;
}
