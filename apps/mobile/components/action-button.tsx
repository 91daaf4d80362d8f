import { ActivityIndicator, Pressable, StyleSheet, Text } from 'react-native';

export interface ActionButtonProps {
  label: string;
  onPress: () => void;
  /** What the button does, for screen readers, when the visible label alone does not say it. */
  accessibilityLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  /** `outline`: a lighter button among others (a category, a sort, a quantity step); `selected` fills it. */
  tone?: 'primary' | 'secondary' | 'danger' | 'outline';
  /** For an `outline` choice: whether it is the one chosen (told to screen readers too). */
  selected?: boolean;
}

/**
 * A button at least 44 points tall whose text grows with the reader's font size, always labelled
 * for screen readers, showing a spinner (and telling screen readers it is busy) while its action runs.
 */
export function ActionButton({ label, onPress, accessibilityLabel, busy = false, disabled = false, tone = 'primary', selected }: ActionButtonProps) {
  const inactive = disabled || busy;
  const filled = tone !== 'secondary' && (tone !== 'outline' || selected === true);
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel ?? label}
      accessibilityState={{ disabled: inactive, busy, selected }}
      disabled={inactive}
      onPress={onPress}
      hitSlop={4}
      style={({ pressed }) => [
        styles.button,
        styles[tone],
        selected ? styles.selected : null,
        inactive ? styles.inactive : null,
        pressed ? styles.pressed : null,
      ]}
    >
      {busy ? <ActivityIndicator color={filled ? '#ffffff' : '#111827'} style={styles.spinner} /> : null}
      <Text style={[styles.text, tone === 'secondary' ? styles.textSecondary : null, filled ? null : styles.textOutline]}>{label}</Text>
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
  outline: { backgroundColor: 'transparent', borderWidth: 1, borderColor: '#1d4ed8', paddingVertical: 10 },
  selected: { backgroundColor: '#1d4ed8' },
  inactive: { opacity: 0.6 },
  pressed: { opacity: 0.85 },
  spinner: { marginRight: 8 },
  text: { color: '#ffffff', fontSize: 16, fontWeight: '600', textAlign: 'center' },
  textSecondary: { color: '#111827' },
  textOutline: { color: '#1d4ed8' },
});
