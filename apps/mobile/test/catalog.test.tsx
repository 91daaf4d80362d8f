import { render, screen } from '@testing-library/react-native';
import CatalogScreen from '../app/(tabs)/index.tsx';

test('the catalog tab shows its title', () => {
  render(<CatalogScreen />);
  expect(screen.getByText('Catalog')).toBeTruthy();
});
