import { StyleSheet, Text, View } from 'react-native';
import { type OrderStatus, orderStatusLabel } from '@dema/contracts';
import { progressOf } from './order-status.ts';

const tones: Record<OrderStatus, { background: string; text: string }> = {
  PENDING: { background: '#fef3c7', text: '#92400e' },
  CONFIRMED: { background: '#dbeafe', text: '#1e40af' },
  SHIPPED: { background: '#e0e7ff', text: '#3730a3' },
  DELIVERED: { background: '#dcfce7', text: '#166534' },
  CANCELLED: { background: '#f3f4f6', text: '#374151' },
  RETURNED: { background: '#fce7f3', text: '#9d174d' },
};

/** An order's status as a coloured label ("Shipped"); the label, not the colour, carries the meaning. */
export function StatusBadge({ status }: { status: OrderStatus }) {
  const tone = tones[status];
  return (
    <View style={[styles.badge, { backgroundColor: tone.background }]} testID={`status-${status}`}>
      <Text style={[styles.badgeText, { color: tone.text }]} accessibilityLabel={`Status: ${orderStatusLabel(status)}`}>
        {orderStatusLabel(status)}
      </Text>
    </View>
  );
}

/** The order's progress along pending → confirmed → shipped → delivered (or where it ended). */
export function OrderProgress({ status }: { status: OrderStatus }) {
  const steps = progressOf(status);
  return (
    <View accessibilityRole="list" accessibilityLabel="Order progress" style={styles.progress}>
      {steps.map((step) => (
        <View key={step.status} style={styles.step} accessibilityLabel={`${orderStatusLabel(step.status)}, ${step.state === 'todo' ? 'not yet' : step.state}`}>
          <View style={[styles.dot, step.state === 'done' ? styles.dotDone : step.state === 'current' ? styles.dotCurrent : null]} />
          <Text style={[styles.stepText, step.state === 'current' ? styles.stepCurrent : null]}>{orderStatusLabel(step.status)}</Text>
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  badge: { alignSelf: 'flex-start', borderRadius: 999, paddingHorizontal: 10, paddingVertical: 4 },
  badgeText: { fontSize: 14, fontWeight: '600' },
  progress: { gap: 10 },
  step: { flexDirection: 'row', alignItems: 'center', gap: 10 },
  dot: { width: 14, height: 14, borderRadius: 7, borderWidth: 2, borderColor: '#9ca3af' },
  dotDone: { backgroundColor: '#16a34a', borderColor: '#16a34a' },
  dotCurrent: { backgroundColor: '#1d4ed8', borderColor: '#1d4ed8' },
  stepText: { fontSize: 15, color: '#4b5563', flexShrink: 1 },
  stepCurrent: { color: '#111827', fontWeight: '700' },
});
