import { Tabs } from 'expo-router';

export default function TabsLayout() {
  return (
    <Tabs>
      <Tabs.Screen name="index" options={{ title: 'Catalog', tabBarAccessibilityLabel: 'Catalog' }} />
      <Tabs.Screen name="cart" options={{ title: 'Cart', tabBarAccessibilityLabel: 'Cart' }} />
    </Tabs>
  );
}
