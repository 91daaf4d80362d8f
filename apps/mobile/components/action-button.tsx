import { ActivityIndicator, Pressable, StyleSheet, Text } from 'react-native';

export interface ActionButtonProps {
  label: string;
  onPress: () => void;
  /** What the button does, for screen readers, when the visible label alone does not say it. */
  accessibilityLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  tone?: 'primary' | 'secondary' | 'danger';
}

/** A full-width button at least 44 points tall, showing a spinner (and telling screen readers it is busy) while its action runs. */
export function ActionButton({ label, onPress, accessibilityLabel, busy = false, disabled = false, tone = 'primary' }: ActionButtonProps) {
  const inactive = disabled || busy;
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel ?? label}
      accessibilityState={{ disabled: inactive, busy }}
      disabled={inactive}
      onPress={onPress}
      hitSlop={4}
      style={({ pressed }) => [styles.button, styles[tone], inactive ? styles.inactive : null, pressed ? styles.pressed : null]}
    >
      {busy ? <ActivityIndicator color={tone === 'secondary' ? '#111827' : '#ffffff'} style={styles.spinner} /> : null}
      <Text style={[styles.text, tone === 'secondary' ? styles.textSecondary : null]}>{label}</Text>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  button: {
    minHeight: 48,
    minWidth: 44,
    borderRadius: 10,
    paddingHorizontal: 16,
    paddingVertical: 12,
    flexDirection: 'row',
    alignItems: 'center',
    justifyContent: 'center',
  },
  primary: { backgroundColor: '#1d4ed8' },
  secondary: { backgroundColor: '#ffffff', borderWidth: 1, borderColor: '#d1d5db' },
  danger: { backgroundColor: '#b91c1c' },
  inactive: { opacity: 0.6 },
  pressed: { opacity: 0.85 },
  spinner: { marginRight: 8 },
  text: { color: '#ffffff', fontSize: 16, fontWeight: '600', textAlign: 'center' },
  textSecondary: { color: '#111827' },
});
