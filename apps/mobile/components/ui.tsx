import type { ReactNode } from 'react';
import { ActivityIndicator, Pressable, StyleSheet, Text, View } from 'react-native';
import { describeFailure, isOffline } from '../lib/api.ts';

/** Apple's and Android's minimum comfortable touch target. */
export const minTarget = 44;

type ButtonProps = { label: string; accessibilityLabel: string; onPress: () => void; disabled?: boolean; kind?: 'primary' | 'plain'; selected?: boolean };

/** A button that is always labelled for screen readers and never smaller than 44 pt; its text grows with the font size. */
export function Button({ label, accessibilityLabel, onPress, disabled = false, kind = 'primary', selected }: ButtonProps) {
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel}
      accessibilityState={{ disabled, selected }}
      disabled={disabled}
      onPress={onPress}
      hitSlop={4}
      style={({ pressed }) => [styles.button, kind === 'plain' && styles.plain, selected && styles.selected, (pressed || disabled) && styles.dim]}
    >
      <Text style={[styles.buttonText, kind === 'plain' && !selected && styles.plainText]}>{label}</Text>
    </Pressable>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <View style={styles.centre} accessibilityLabel={label} accessibilityRole="progressbar">
      <ActivityIndicator size="large" />
      <Text style={styles.body}>{label}</Text>
    </View>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <View style={styles.centre}>
      <Text style={styles.title} accessibilityRole="header">
        {title}
      </Text>
      {children}
    </View>
  );
}

/** An error or offline state with a way to try again; never a blank screen. */
export function Failure({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <View style={styles.centre} accessibilityRole="alert">
      <Text style={styles.title}>{isOffline(error) ? 'You are offline' : 'Could not load'}</Text>
      <Text style={styles.body}>{describeFailure(error)}</Text>
      <Button label="Try again" accessibilityLabel="Try again" onPress={onRetry} />
    </View>
  );
}

/** A thin line over content shown from the device's cache while the store cannot be reached. */
export function OfflineBanner() {
  return (
    <Text style={styles.banner} accessibilityRole="alert">
      Offline: showing what you saw last.
    </Text>
  );
}

export const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: '#fff' },
  centre: { flex: 1, alignItems: 'center', justifyContent: 'center', padding: 24, gap: 12 },
  title: { fontSize: 20, fontWeight: '600', textAlign: 'center' },
  body: { fontSize: 16, textAlign: 'center' },
  muted: { fontSize: 14, color: '#555' },
  problem: { fontSize: 14, color: '#b00020' },
  button: {
    minHeight: minTarget,
    minWidth: minTarget,
    paddingHorizontal: 16,
    paddingVertical: 10,
    borderRadius: 8,
    backgroundColor: '#1f4fd1',
    alignItems: 'center',
    justifyContent: 'center',
  },
  plain: { backgroundColor: 'transparent', borderWidth: 1, borderColor: '#1f4fd1' },
  selected: { backgroundColor: '#1f4fd1' },
  dim: { opacity: 0.5 },
  buttonText: { color: '#fff', fontSize: 16, fontWeight: '600' },
  plainText: { color: '#1f4fd1' },
  banner: { backgroundColor: '#fff4ce', padding: 8, fontSize: 14, textAlign: 'center' },
  input: { minHeight: minTarget, borderWidth: 1, borderColor: '#888', borderRadius: 8, paddingHorizontal: 12, fontSize: 16, margin: 12 },
  row: { flexDirection: 'row', flexWrap: 'wrap', gap: 8, alignItems: 'center' },
});
