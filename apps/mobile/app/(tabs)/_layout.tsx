import { Tabs } from 'expo-router';
import { TabBar } from '../../components/tab-bar.tsx';

// Text tabs: no icon font to ship, and the labels grow with the reader's font size (the bar grows with them).
export default function TabsLayout() {
  return (
    <Tabs tabBar={(props) => <TabBar {...props} />}>
      <Tabs.Screen name="index" options={{ title: 'Catalog', tabBarAccessibilityLabel: 'Catalog' }} />
      <Tabs.Screen name="cart" options={{ title: 'Cart', tabBarAccessibilityLabel: 'Cart' }} />
      <Tabs.Screen name="orders" options={{ title: 'Orders', tabBarAccessibilityLabel: 'My orders' }} />
      <Tabs.Screen name="account" options={{ title: 'Account', tabBarAccessibilityLabel: 'Account' }} />
    </Tabs>
  );
}
