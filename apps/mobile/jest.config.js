const preset = require('jest-expo/jest-preset');

/** Component tests: the jest-expo preset (React Native renderer); the root's node --test never sees these *.test.tsx files. */
module.exports = {
  preset: 'jest-expo',
  setupFiles: ['<rootDir>/jest.setup.js'],
  // The first render of a file loads expo-router and React Native (seconds on a busy 2-core machine).
  testTimeout: 60_000,
  testMatch: ['<rootDir>/**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/e2e/'],
  // typebox (under @dema/contracts) ships ES modules as .mjs: Babel turns them into CommonJS like the rest.
  transform: { '\\.mjs$': preset.transform['\\.[jt]sx?$'] },
  // The workspace packages ship TypeScript source (exports → src/index.ts), so Babel must transform them too.
  transformIgnorePatterns: [
    'node_modules/(?!((jest-)?react-native|@react-native(-community)?|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|react-native-svg|@dema/.*|@tanstack/.*|standard-navigation|typebox))',
  ],
};
