const preset = require('jest-expo/jest-preset');

const [mjsTransformer, mjsOptions] = preset.transform['\\.[jt]sx?$'];

/** Component tests: the jest-expo preset (React Native renderer); the root's node --test never sees these *.test.tsx files. */
module.exports = {
  preset: 'jest-expo',
  setupFiles: ['<rootDir>/jest.setup.js'],
  // The first render of a file loads expo-router and React Native (seconds on a busy 2-core machine).
  testTimeout: 60_000,
  testMatch: ['<rootDir>/**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/e2e/'],
  // typebox (under @dema/contracts) ships ES modules as .mjs: Babel turns them into CommonJS like the rest. Its
  // modules import a type builder named `Object`, so object spread must compile to Babel's helper: the preset's
  // loose `Object.assign` would call typebox's `Object` instead.
  transform: { '\\.mjs$': [mjsTransformer, { ...mjsOptions, plugins: [['@babel/plugin-transform-object-rest-spread', { loose: false }]] }] },
  // The workspace packages ship TypeScript source (exports → src/index.ts), so Babel must transform them too.
  transformIgnorePatterns: [
    'node_modules/(?!((jest-)?react-native|@react-native(-community)?|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|react-native-svg|@dema/.*|@tanstack/.*|standard-navigation|typebox))',
  ],
};
