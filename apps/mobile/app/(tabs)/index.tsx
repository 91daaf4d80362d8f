import { Text, View } from 'react-native';

export default function CatalogScreen() {
  return (
    <View>
      <Text>Catalog</Text>
    </View>
  );
}
