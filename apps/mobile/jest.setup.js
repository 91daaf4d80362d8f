// The device's key-value store has no native side under jest; the package ships an in-memory stand-in for it.
jest.mock('@react-native-async-storage/async-storage', () => require('@react-native-async-storage/async-storage/jest/async-storage-mock'));
