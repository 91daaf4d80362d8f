import type { ReactNode } from 'react';
import { ActivityIndicator, StyleSheet, Text, View } from 'react-native';
import { describeFailure, isOffline } from '../lib/api.ts';
import { ActionButton } from './action-button.tsx';

export type ScreenStateKind = 'loading' | 'empty' | 'offline' | 'error';

export interface ScreenStateProps {
  kind: ScreenStateKind;
  title: string;
  message?: string | undefined;
  /** A way on: try again, sign in, go shopping. */
  action?: { label: string; onPress: () => void; accessibilityLabel?: string } | undefined;
  children?: ReactNode;
}

/** What a screen shows instead of its content while loading, when there is nothing, offline or after a failure: never a blank screen. */
export function ScreenState({ kind, title, message, action, children }: ScreenStateProps) {
  return (
    <View style={styles.wrap} testID={`state-${kind}`} accessibilityLiveRegion={kind === 'loading' ? 'none' : 'polite'}>
      {kind === 'loading' ? <ActivityIndicator size="large" accessibilityLabel={title} /> : null}
      <Text style={styles.title} accessibilityRole={kind === 'error' || kind === 'offline' ? 'alert' : 'header'}>
        {title}
      </Text>
      {message ? <Text style={styles.message}>{message}</Text> : null}
      {children}
      {action ? (
        <View style={styles.action}>
          <ActionButton label={action.label} onPress={action.onPress} accessibilityLabel={action.accessibilityLabel} tone="secondary" />
        </View>
      ) : null}
    </View>
  );
}

/** A failed load as the API's client reports it: offline or an error, in the client's words, with a way to try again. */
export function Failure({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const offline = isOffline(error);
  return (
    <ScreenState
      kind={offline ? 'offline' : 'error'}
      title={offline ? 'You are offline' : 'Could not load'}
      message={describeFailure(error)}
      action={{ label: 'Try again', onPress: onRetry }}
    />
  );
}

const styles = StyleSheet.create({
  wrap: { flexGrow: 1, alignItems: 'center', justifyContent: 'center', padding: 24, gap: 8 },
  title: { fontSize: 18, fontWeight: '600', color: '#111827', textAlign: 'center' },
  message: { fontSize: 15, color: '#4b5563', textAlign: 'center' },
  action: { marginTop: 12, alignSelf: 'stretch' },
});
