import { Link } from 'expo-router';
import { useCallback, useEffect } from 'react';
import { KeyboardAvoidingView, Platform, Pressable, ScrollView, Text, View } from 'react-native';
import { passwordPolicy } from '@dema/contracts';
import { ActionButton } from '../../components/action-button.tsx';
import { FormField } from '../../components/form-field.tsx';
import { useSession } from '../../lib/auth/session.tsx';
import { formStyles as styles, useAfterSignIn } from './login-screen.tsx';
import { useSubmit, type SubmitState } from './use-submit.ts';

type SignupField = 'name' | 'email' | 'password';
const labels: Record<SignupField, string> = { name: 'Name', email: 'Email', password: 'Password' };

/** The signup form's data: the values, and creating the account through the session. */
export function useSignupForm(): SubmitState<SignupField> {
  const session = useSession();
  const after = useAfterSignIn();
  const signedIn = session.state.status === 'signed-in';
  // biome-ignore lint/correctness/useExhaustiveDependencies: only becoming signed in should navigate, not each new `after`
  useEffect(() => {
    if (signedIn) after();
  }, [signedIn]);
  const action = useCallback(
    async (values: Record<SignupField, string>) => {
      await session.signUp({ name: values.name.trim(), email: values.email.trim(), password: values.password });
    },
    [session],
  );
  return useSubmit({ name: '', email: '', password: '' }, labels, action);
}

export function SignupView({ form }: { form: SubmitState<SignupField> }) {
  return (
    <KeyboardAvoidingView style={styles.fill} behavior={Platform.OS === 'ios' ? 'padding' : undefined}>
      <ScrollView contentContainerStyle={styles.content} keyboardShouldPersistTaps="handled">
        <Text style={styles.title} accessibilityRole="header">
          Create your account
        </Text>
        <Text style={styles.lead}>Track your orders and check out faster.</Text>
        {form.failure.form ? (
          <Text style={styles.alert} accessibilityRole="alert" accessibilityLiveRegion="assertive">
            {form.failure.form}
          </Text>
        ) : null}
        <FormField
          label={labels.name}
          value={form.values.name}
          onChangeText={(text) => form.setValue('name', text)}
          error={form.failure.fields.name}
          autoComplete="name"
          textContentType="name"
          maxLength={100}
          editable={!form.busy}
        />
        <FormField
          label={labels.email}
          value={form.values.email}
          onChangeText={(text) => form.setValue('email', text)}
          error={form.failure.fields.email}
          autoCapitalize="none"
          autoComplete="email"
          keyboardType="email-address"
          textContentType="emailAddress"
          maxLength={254}
          editable={!form.busy}
        />
        <FormField
          label={labels.password}
          value={form.values.password}
          onChangeText={(text) => form.setValue('password', text)}
          error={form.failure.fields.password}
          hint={`At least ${passwordPolicy.minLength} characters. A short phrase is easy to remember and hard to guess.`}
          secureTextEntry
          autoComplete="new-password"
          textContentType="newPassword"
          maxLength={passwordPolicy.maxLength}
          editable={!form.busy}
          onSubmitEditing={() => void form.submit()}
        />
        <ActionButton label="Create account" onPress={() => void form.submit()} busy={form.busy} />
        <View style={styles.alt}>
          <Text style={styles.altText}>Already have an account?</Text>
          <Link href="/login" replace asChild>
            <Pressable accessibilityRole="link" accessibilityLabel="Sign in instead" style={styles.link}>
              <Text style={styles.linkText}>Sign in</Text>
            </Pressable>
          </Link>
        </View>
      </ScrollView>
    </KeyboardAvoidingView>
  );
}

/** The signup screen. */
export function SignupScreen() {
  return <SignupView form={useSignupForm()} />;
}
