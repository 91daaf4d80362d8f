import { fireEvent, screen } from '@testing-library/react-native';
import { usePathname } from 'expo-router';
import { renderRouter } from 'expo-router/testing-library';
import { Text } from 'react-native';
import TabsLayout from '../app/(tabs)/_layout.tsx';
import { expectAccessible } from './support/accessibility.ts';

// The tab bar alone, over stand-in screens: the screens have tests of their own.
function StandIn() {
  return <Text>Screen at {usePathname()}</Text>;
}

function renderTabs() {
  return renderRouter(
    {
      '(tabs)/_layout': TabsLayout,
      '(tabs)/index': StandIn,
      '(tabs)/cart': StandIn,
      '(tabs)/orders': StandIn,
      '(tabs)/account': StandIn,
    },
    { initialUrl: '/' },
  );
}

test('the tab bar names its four tabs, says which one is open, and passes the audit (44-point targets, labels that grow and are never cut)', async () => {
  renderTabs();
  expect(await screen.findByText('Screen at /')).toBeTruthy();
  const tabs = screen.getAllByRole('tab');
  expect(tabs.map((tab) => tab.props.accessibilityLabel)).toEqual(['Catalog', 'Cart', 'My orders', 'Account']);
  expect(screen.getByRole('tab', { name: 'Catalog', selected: true })).toBeTruthy();
  // The bar only: the navigator's header above the screens is React Navigation's own.
  expectAccessible(screen.UNSAFE_getAllByProps({ role: 'tablist' })[0]);
});

test('pressing a tab opens its screen', async () => {
  const view = renderTabs();
  await screen.findByText('Screen at /');
  fireEvent.press(screen.getByRole('tab', { name: 'My orders' }));
  expect(await screen.findByText('Screen at /orders')).toBeTruthy();
  expect(view.getPathname()).toBe('/orders');
  expect(screen.getByRole('tab', { name: 'My orders', selected: true })).toBeTruthy();
});
