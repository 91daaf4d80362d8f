import { Link, useLocalSearchParams, useRouter } from 'expo-router';
import { useCallback, useEffect } from 'react';
import { KeyboardAvoidingView, Platform, Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { FormField } from '../../components/form-field.tsx';
import { useSession } from '../../lib/auth/session.tsx';
import { useSubmit, type SubmitState } from './use-submit.ts';

type LoginField = 'email' | 'password';
const labels: Record<LoginField, string> = { email: 'Email', password: 'Password' };

/** Where to go after signing in: the `next` route the user was sent from (only an in-app path), else their orders. */
export function useAfterSignIn(): () => void {
  const router = useRouter();
  const { next } = useLocalSearchParams<{ next?: string }>();
  return useCallback(() => router.replace(typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/orders'), [router, next]);
}

/** The login form's data: the values, and signing in through the session. */
export function useLoginForm(): SubmitState<LoginField> {
  const session = useSession();
  const after = useAfterSignIn();
  const signedIn = session.state.status === 'signed-in';
  // biome-ignore lint/correctness/useExhaustiveDependencies: only becoming signed in should navigate, not each new `after`
  useEffect(() => {
    if (signedIn) after();
  }, [signedIn]);
  const action = useCallback(
    async (values: Record<LoginField, string>) => {
      await session.signIn({ email: values.email.trim(), password: values.password });
    },
    [session],
  );
  return useSubmit({ email: '', password: '' }, labels, action);
}

export function LoginView({ form }: { form: SubmitState<LoginField> }) {
  return (
    <KeyboardAvoidingView style={styles.fill} behavior={Platform.OS === 'ios' ? 'padding' : undefined}>
      <ScrollView contentContainerStyle={styles.content} keyboardShouldPersistTaps="handled">
        <Text style={styles.title} accessibilityRole="header">
          Sign in
        </Text>
        <Text style={styles.lead}>Welcome back. Sign in to see your cart and orders.</Text>
        {form.failure.form ? (
          <Text style={styles.alert} accessibilityRole="alert" accessibilityLiveRegion="assertive">
            {form.failure.form}
          </Text>
        ) : null}
        <FormField
          label={labels.email}
          value={form.values.email}
          onChangeText={(text) => form.setValue('email', text)}
          error={form.failure.fields.email}
          autoCapitalize="none"
          autoComplete="email"
          keyboardType="email-address"
          textContentType="emailAddress"
          editable={!form.busy}
        />
        <FormField
          label={labels.password}
          value={form.values.password}
          onChangeText={(text) => form.setValue('password', text)}
          error={form.failure.fields.password}
          secureTextEntry
          autoComplete="current-password"
          textContentType="password"
          editable={!form.busy}
          onSubmitEditing={() => void form.submit()}
        />
        <ActionButton label="Sign in" onPress={() => void form.submit()} busy={form.busy} />
        <View style={styles.alt}>
          <Text style={styles.altText}>New here?</Text>
          <Link href="/signup" replace asChild>
            <Pressable accessibilityRole="link" accessibilityLabel="Create an account" style={styles.link}>
              <Text style={styles.linkText}>Create an account</Text>
            </Pressable>
          </Link>
        </View>
      </ScrollView>
    </KeyboardAvoidingView>
  );
}

/** The login screen. */
export function LoginScreen() {
  return <LoginView form={useLoginForm()} />;
}

export const formStyles = StyleSheet.create({
  fill: { flex: 1, backgroundColor: '#ffffff' },
  content: { padding: 20, paddingBottom: 40 },
  title: { fontSize: 26, fontWeight: '700', color: '#111827', marginBottom: 6 },
  lead: { fontSize: 15, color: '#4b5563', marginBottom: 20 },
  alert: { backgroundColor: '#fef2f2', color: '#991b1b', borderRadius: 8, padding: 12, marginBottom: 16, fontSize: 15 },
  alt: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'center', marginTop: 16, gap: 6 },
  altText: { fontSize: 15, color: '#4b5563' },
  // Padding brings the link's touch target to 44 points without fixing its height.
  link: { paddingVertical: 12, paddingHorizontal: 4, minHeight: 44, minWidth: 44, justifyContent: 'center' },
  linkText: { fontSize: 15, color: '#1d4ed8', fontWeight: '600' },
});
const styles = formStyles;
