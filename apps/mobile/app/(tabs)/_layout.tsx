import { Tabs } from 'expo-router';

// Text tabs: no icon font to ship, and the labels grow with the reader's font size.
const textOnly = { tabBarIconStyle: { display: 'none' as const }, tabBarLabelStyle: { fontSize: 15 } };

export default function TabsLayout() {
  return (
    <Tabs>
      <Tabs.Screen name="index" options={{ ...textOnly, title: 'Catalog', tabBarAccessibilityLabel: 'Catalog' }} />
      <Tabs.Screen name="cart" options={{ ...textOnly, title: 'Cart', tabBarAccessibilityLabel: 'Cart' }} />
    </Tabs>
  );
}
