import { Link, useLocalSearchParams, useRouter, type Href } from 'expo-router';
import { type ReactNode, useCallback, useEffect } from 'react';
import { KeyboardAvoidingView, Platform, Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { useSession, type Session } from '../../lib/auth/session.tsx';
import { useSubmit, type SubmitState } from './use-submit.ts';

/** Where to go after signing in: the `next` route the user was sent from (only an in-app path), else their orders. */
function useAfterSignIn(): () => void {
  const router = useRouter();
  const { next } = useLocalSearchParams<{ next?: string }>();
  return useCallback(() => router.replace(typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/orders'), [router, next]);
}

/**
 * A sign-in or sign-up form's data: `start` (a function of the module, not of the render) starts the
 * session with the form's values; once signed in (by it, or already), the screen gives way to where
 * the user was going.
 */
export function useSessionForm<Field extends string>(
  initial: Record<Field, string>,
  labels: Record<Field, string>,
  start: (session: Session, values: Record<Field, string>) => Promise<unknown>,
): SubmitState<Field> {
  const session = useSession();
  const signedIn = session.state.status === 'signed-in';
  const after = useAfterSignIn();
  // biome-ignore lint/correctness/useExhaustiveDependencies: only becoming signed in should navigate, not each new `after`
  useEffect(() => {
    if (signedIn) after();
  }, [signedIn]);
  const action = useCallback(
    async (values: Record<Field, string>) => {
      await start(session, values);
    },
    [session, start],
  );
  return useSubmit(initial, labels, action);
}

/** The email field of the sign-in and sign-up forms: no capitals, the email keyboard and autofill. */
export const emailInput = { autoCapitalize: 'none', autoComplete: 'email', keyboardType: 'email-address', textContentType: 'emailAddress' } as const;

export interface AuthFormProps {
  title: string;
  lead: string;
  /** What of the form the frame shows: its message, whether it is being sent, and sending it. */
  form: Pick<SubmitState<never>, 'busy' | 'submit'> & { failure: { form: string | null } };
  /** The fields, bound with `fieldProps`. */
  children: ReactNode;
  submitLabel: string;
  /** The way to the other form: "New here? Create an account". */
  other: { question: string; href: Href; label: string; accessibilityLabel: string };
}

/** The frame of the sign-in and sign-up screens: heading, the form's message, its fields, the submit button and the way to the other form. */
export function AuthForm({ title, lead, form, children, submitLabel, other }: AuthFormProps) {
  return (
    <KeyboardAvoidingView style={styles.fill} behavior={Platform.OS === 'ios' ? 'padding' : undefined}>
      <ScrollView contentContainerStyle={styles.content} keyboardShouldPersistTaps="handled">
        <Text style={styles.title} accessibilityRole="header">
          {title}
        </Text>
        <Text style={styles.lead}>{lead}</Text>
        {form.failure.form ? (
          <Text style={styles.alert} accessibilityRole="alert" accessibilityLiveRegion="assertive">
            {form.failure.form}
          </Text>
        ) : null}
        {children}
        <ActionButton label={submitLabel} onPress={() => void form.submit()} busy={form.busy} />
        <View style={styles.alt}>
          <Text style={styles.altText}>{other.question}</Text>
          <Link href={other.href} replace asChild>
            <Pressable accessibilityRole="link" accessibilityLabel={other.accessibilityLabel} style={styles.link}>
              <Text style={styles.linkText}>{other.label}</Text>
            </Pressable>
          </Link>
        </View>
      </ScrollView>
    </KeyboardAvoidingView>
  );
}

const styles = StyleSheet.create({
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
