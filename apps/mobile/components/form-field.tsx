import { forwardRef } from 'react';
import { StyleSheet, Text, TextInput, View, type TextInputProps } from 'react-native';

export interface FormFieldProps extends Omit<TextInputProps, 'accessibilityLabel' | 'style'> {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
}

/**
 * A labelled text input whose error is read out with it: the label names the control for screen
 * readers, the hint and the error are its accessibility hint, and the error is announced when it appears.
 */
export const FormField = forwardRef<TextInput, FormFieldProps>(function FormField({ label, error, hint, ...input }, ref) {
  const help = [error, hint].filter(Boolean).join('. ');
  return (
    <View style={styles.field}>
      <Text style={styles.label} nativeID={`${label}-label`}>
        {label}
      </Text>
      <TextInput
        ref={ref}
        accessibilityLabel={label}
        accessibilityHint={help || undefined}
        accessibilityState={{ disabled: input.editable === false }}
        aria-invalid={error ? true : undefined}
        style={[styles.input, error ? styles.inputInvalid : null]}
        placeholderTextColor="#6b7280"
        {...input}
      />
      {hint && !error ? <Text style={styles.hint}>{hint}</Text> : null}
      {error ? (
        <Text style={styles.error} accessibilityRole="alert" accessibilityLiveRegion="polite">
          {error}
        </Text>
      ) : null}
    </View>
  );
});

const styles = StyleSheet.create({
  field: { marginBottom: 16 },
  label: { fontSize: 15, fontWeight: '600', color: '#111827', marginBottom: 6 },
  // minHeight, not height: a large text size grows the box instead of clipping the text.
  input: {
    minHeight: 48,
    borderWidth: 1,
    borderColor: '#d1d5db',
    borderRadius: 10,
    paddingHorizontal: 12,
    paddingVertical: 10,
    fontSize: 16,
    color: '#111827',
  },
  inputInvalid: { borderColor: '#b91c1c' },
  hint: { marginTop: 4, fontSize: 13, color: '#4b5563' },
  error: { marginTop: 4, fontSize: 14, color: '#b91c1c' },
});
