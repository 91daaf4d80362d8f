/** Component tests: the jest-expo preset (React Native renderer); the root's node --test never sees these *.test.tsx files. */
module.exports = {
  preset: 'jest-expo',
  testMatch: ['<rootDir>/**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/e2e/'],
  // The workspace packages ship TypeScript source (exports → src/index.ts), so Babel must transform them too.
  transformIgnorePatterns: [
    'node_modules/(?!((jest-)?react-native|@react-native(-community)?|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|react-native-svg|@dema/.*|@tanstack/.*))',
  ],
};
