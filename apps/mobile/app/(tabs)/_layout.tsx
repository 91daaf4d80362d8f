import { Tabs } from 'expo-router';

// Text tabs: no icon font to ship, and the labels grow with the reader's font size.
const textOnly = { tabBarIconStyle: { display: 'none' as const }, tabBarLabelStyle: { fontSize: 15 } };

export default function TabsLayout() {
  return (
    <Tabs>
      <Tabs.Screen name="index" options={{ ...textOnly, title: 'Catalog', tabBarAccessibilityLabel: 'Catalog' }} />
      <Tabs.Screen name="cart" options={{ ...textOnly, title: 'Cart', tabBarAccessibilityLabel: 'Cart' }} />
      <Tabs.Screen name="orders" options={{ ...textOnly, title: 'Orders', tabBarAccessibilityLabel: 'My orders' }} />
      <Tabs.Screen name="account" options={{ ...textOnly, title: 'Account', tabBarAccessibilityLabel: 'Account' }} />
    </Tabs>
  );
}
