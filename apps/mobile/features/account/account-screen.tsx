import { useRouter } from 'expo-router';
import { useCallback, useState } from 'react';
import { ScrollView, StyleSheet, Text, View } from 'react-native';
import { DemaApiError, type DemaClient } from '@dema/client';
import { passwordPolicy, type User } from '@dema/contracts';
import { ActionButton } from '../../components/action-button.tsx';
import { FormField } from '../../components/form-field.tsx';
import { ScreenState } from '../../components/screen-state.tsx';
import { useSession, type Session } from '../../lib/auth/session.tsx';
import { fieldProps, useSubmit, type SubmitState } from '../auth/use-submit.ts';

type NameField = 'name';
type PasswordField = 'currentPassword' | 'newPassword';
const nameLabels: Record<NameField, string> = { name: 'Name' };
const emptyPasswords: Record<PasswordField, string> = { currentPassword: '', newPassword: '' };
const passwordLabels: Record<PasswordField, string> = { currentPassword: 'Current password', newPassword: 'New password' };
const deletionLabels: Record<'password', string> = { password: 'Password' };

export interface AccountForms {
  name: SubmitState<NameField>;
  password: SubmitState<PasswordField>;
  /** What the last successful change was, for the confirmation line. */
  saved: string | null;
  signingOut: boolean;
  signOut: () => void;
  /** Deleting the account: asked for (`confirming`, then the password) before it is sent. */
  deletion: SubmitState<'password'> & { confirming: boolean; setConfirming: (confirming: boolean) => void };
}

/** The account screen's data: the name and password changes (PUT /api/users/me), signing out and deleting the account (DELETE /api/users/me). */
export function useAccountForms(client: DemaClient, session: Session, user: User): AccountForms {
  const [saved, setSaved] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const saveName = useCallback(
    async ({ name }: Record<NameField, string>) => {
      setSaved(null);
      session.replaceUser((await client.PUT('/api/users/me', { body: { name: name.trim() } })) as User);
      setSaved('Your name is saved.');
    },
    [client, session],
  );
  const changePassword = useCallback(
    async (values: Record<PasswordField, string>) => {
      setSaved(null);
      session.replaceUser((await client.PUT('/api/users/me', { body: values })) as User);
      setSaved('Your password is changed. Your other devices are signed out.');
    },
    [client, session],
  );
  const name = useSubmit({ name: user.name }, nameLabels, saveName);
  const password = useSubmit(emptyPasswords, passwordLabels, changePassword, { resetOnSuccess: true });
  const signOut = useCallback(() => {
    setSigningOut(true);
    session.signOut().finally(() => setSigningOut(false));
  }, [session]);
  const [confirming, setConfirming] = useState(false);
  const deleteAccount = useCallback(
    async ({ password }: Record<'password', string>) => {
      await client.DELETE('/api/users/me', { body: { password } });
      // The API ended every session already; this forgets it on the device with its cached answers.
      await session.signOut();
    },
    [client, session],
  );
  const deletion = useSubmit({ password: '' }, deletionLabels, deleteAccount, { resetOnSuccess: true });
  return { name, password, saved, signingOut, signOut, deletion: { ...deletion, confirming, setConfirming } };
}

export function AccountView({ user, forms }: { user: User; forms: AccountForms }) {
  return (
    <ScrollView contentContainerStyle={styles.content} keyboardShouldPersistTaps="handled">
      <Text style={styles.title} accessibilityRole="header">
        Your account
      </Text>
      <Text style={styles.email} accessibilityLabel={`Signed in as ${user.email}`}>
        {user.email}
      </Text>
      {forms.saved ? (
        <Text style={styles.saved} accessibilityRole="alert" accessibilityLiveRegion="polite">
          {forms.saved}
        </Text>
      ) : null}

      <View style={styles.section}>
        <Text style={styles.heading} accessibilityRole="header">
          Name
        </Text>
        {forms.name.failure.form ? (
          <Text style={styles.alert} accessibilityRole="alert">
            {forms.name.failure.form}
          </Text>
        ) : null}
        <FormField {...fieldProps(forms.name, 'name')} autoComplete="name" maxLength={100} />
        <ActionButton label="Save name" onPress={() => void forms.name.submit()} busy={forms.name.busy} />
      </View>

      <View style={styles.section}>
        <Text style={styles.heading} accessibilityRole="header">
          Password
        </Text>
        {forms.password.failure.form ? (
          <Text style={styles.alert} accessibilityRole="alert">
            {forms.password.failure.form}
          </Text>
        ) : null}
        <FormField {...fieldProps(forms.password, 'currentPassword')} secureTextEntry autoComplete="current-password" />
        <FormField
          {...fieldProps(forms.password, 'newPassword')}
          hint={`At least ${passwordPolicy.minLength} characters. Your other devices will be signed out.`}
          secureTextEntry
          autoComplete="new-password"
          maxLength={passwordPolicy.maxLength}
        />
        <ActionButton label="Change password" onPress={() => void forms.password.submit()} busy={forms.password.busy} />
      </View>

      <View style={styles.section}>
        <ActionButton label="Sign out" accessibilityLabel="Sign out of this device" tone="danger" onPress={forms.signOut} busy={forms.signingOut} />
      </View>

      <View style={styles.section}>
        <Text style={styles.heading} accessibilityRole="header">
          Delete account
        </Text>
        {forms.deletion.confirming ? (
          <>
            <Text style={styles.warning}>
              Your name, email, password and saved addresses are erased and every device is signed out. Your orders stay on record for the shop&apos;s
              bookkeeping. This cannot be undone.
            </Text>
            {forms.deletion.failure.form ? (
              <Text style={styles.alert} accessibilityRole="alert">
                {forms.deletion.failure.form}
              </Text>
            ) : null}
            <FormField {...fieldProps(forms.deletion, 'password')} secureTextEntry autoComplete="current-password" />
            <ActionButton label="Delete my account for good" tone="danger" onPress={() => void forms.deletion.submit()} busy={forms.deletion.busy} />
            <ActionButton label="Keep my account" tone="secondary" onPress={() => forms.deletion.setConfirming(false)} />
          </>
        ) : (
          <ActionButton label="Delete account" tone="outline" onPress={() => forms.deletion.setConfirming(true)} />
        )}
      </View>
    </ScrollView>
  );
}

function SignedInAccount({ client, session, user }: { client: DemaClient; session: Session; user: User }) {
  return <AccountView user={user} forms={useAccountForms(client, session, user)} />;
}

/** The account screen: sign-in prompt when signed out, the account's state while it loads or cannot be read. */
export function AccountScreen({ client }: { client: DemaClient }) {
  const session = useSession();
  const router = useRouter();
  const state = session.state;
  if (state.status === 'restoring') return <ScreenState kind="loading" title="Loading your account…" />;
  if (state.status === 'signed-out') {
    return (
      <ScreenState
        kind="empty"
        title="You are not signed in"
        message="Sign in to change your name or password."
        action={{ label: 'Sign in', onPress: () => router.push('/login?next=/account') }}
      />
    );
  }
  if (!state.user) {
    if (!state.userError) return <ScreenState kind="loading" title="Loading your account…" />;
    const offline = state.userError instanceof DemaApiError && state.userError.status === 0;
    return (
      <ScreenState
        kind={offline ? 'offline' : 'error'}
        title={offline ? 'You are offline' : 'We could not load your account'}
        message={offline ? 'Your account shows once the store can be reached.' : 'Please try again in a moment.'}
        action={{ label: 'Try again', onPress: session.reloadUser, accessibilityLabel: 'Load your account again' }}
      />
    );
  }
  // Keyed by the user: another account signed in here starts with its own name in the form.
  return <SignedInAccount key={state.user.id} client={client} session={session} user={state.user} />;
}

const styles = StyleSheet.create({
  content: { padding: 20, paddingBottom: 40, backgroundColor: '#ffffff', flexGrow: 1 },
  title: { fontSize: 26, fontWeight: '700', color: '#111827' },
  email: { fontSize: 15, color: '#4b5563', marginTop: 4, marginBottom: 12 },
  saved: { backgroundColor: '#ecfdf5', color: '#065f46', borderRadius: 8, padding: 12, marginBottom: 12, fontSize: 15 },
  warning: { color: '#374151', fontSize: 15, marginBottom: 12 },
  alert: { backgroundColor: '#fef2f2', color: '#991b1b', borderRadius: 8, padding: 12, marginBottom: 12, fontSize: 15 },
  section: { marginTop: 20, paddingTop: 16, borderTopWidth: StyleSheet.hairlineWidth, borderTopColor: '#e5e7eb' },
  heading: { fontSize: 18, fontWeight: '600', color: '#111827', marginBottom: 12 },
});
