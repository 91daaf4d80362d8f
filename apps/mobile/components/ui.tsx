import { StyleSheet, Text } from 'react-native';

/** Apple's and Android's minimum comfortable touch target. */
export const minTarget = 44;

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
  title: { fontSize: 20, fontWeight: '600', textAlign: 'center' },
  body: { fontSize: 16, textAlign: 'center' },
  muted: { fontSize: 14, color: '#555' },
  problem: { fontSize: 14, color: '#b00020' },
  banner: { backgroundColor: '#fff4ce', padding: 8, fontSize: 14, textAlign: 'center' },
  input: { minHeight: minTarget, borderWidth: 1, borderColor: '#888', borderRadius: 8, paddingHorizontal: 12, fontSize: 16, margin: 12 },
  // A horizontal strip of chips takes its content's height, not a share of the screen, and keeps it when
  // large text makes the screen's content taller than the screen (a ScrollView may shrink, clipping the chips).
  strip: { flexGrow: 0, flexShrink: 0 },
  row: { flexDirection: 'row', flexWrap: 'wrap', gap: 8, alignItems: 'center' },
});
