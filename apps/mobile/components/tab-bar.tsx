import type { BottomTabBarProps } from 'expo-router/js-tabs';
import { Pressable, StyleSheet, Text, View } from 'react-native';
import { minTarget } from './ui.tsx';

/**
 * The tab bar, readable at any text size: each tab is as wide as its label at least, the tabs share
 * what width is left, and when the labels no longer fit side by side (four words at twice the text
 * size on a phone) the bar wraps them onto a second row and grows taller. A label is never cut,
 * shrunk or broken inside a word. React Navigation's own bar has a fixed height and one-line labels
 * that end in an ellipsis once the text is large.
 */
export function TabBar({ state, descriptors, navigation, insets }: BottomTabBarProps) {
  return (
    <View role="tablist" style={[styles.bar, { paddingBottom: insets.bottom, paddingLeft: insets.left, paddingRight: insets.right }]}>
      {state.routes.map((route, index) => {
        const { options } = descriptors[route.key]!;
        const focused = index === state.index;
        const label = options.title ?? route.name;
        const onPress = () => {
          const event = navigation.emit({ type: 'tabPress', target: route.key, canPreventDefault: true });
          if (!focused && !event.defaultPrevented) navigation.navigate(route.name, route.params);
        };
        return (
          <Pressable
            key={route.key}
            role="tab"
            aria-selected={focused}
            accessibilityLabel={options.tabBarAccessibilityLabel ?? label}
            onPress={onPress}
            onLongPress={() => navigation.emit({ type: 'tabLongPress', target: route.key })}
            style={({ pressed }) => [styles.tab, pressed ? styles.pressed : null]}
          >
            <Text style={[styles.label, focused ? styles.focused : null]}>{label}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  bar: {
    flexDirection: 'row',
    flexWrap: 'wrap',
    backgroundColor: '#ffffff',
    borderTopWidth: StyleSheet.hairlineWidth,
    borderTopColor: '#d1d5db',
  },
  // As wide as the label (flexBasis auto), then a share of the rest; never narrower than the label.
  tab: {
    flexGrow: 1,
    flexShrink: 0,
    flexBasis: 'auto',
    minHeight: minTarget + 4,
    alignItems: 'center',
    justifyContent: 'center',
    paddingHorizontal: 12,
    paddingVertical: 6,
  },
  pressed: { opacity: 0.6 },
  label: { fontSize: 15, color: '#4b5563', textAlign: 'center' },
  focused: { color: '#1d4ed8', fontWeight: '600' },
});
