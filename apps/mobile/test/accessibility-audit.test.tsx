import { render } from '@testing-library/react-native';
import { Pressable, Switch, Text, TextInput, View } from 'react-native';
import { ActionButton } from '../components/action-button.tsx';
import { FormField } from '../components/form-field.tsx';
import { accessibilityProblems, expectAccessible } from './support/accessibility.ts';

// The audit every screen's test runs: what it lets through and what it names.

test('the app’s own button and field pass', () => {
  render(
    <View>
      <FormField label="Email" />
      <ActionButton label="Sign in" onPress={() => {}} />
    </View>,
  );
  expectAccessible();
});

test('a control without a name is named by its kind', () => {
  render(
    <View>
      <Pressable onPress={() => {}} style={{ minHeight: 48, minWidth: 48 }} />
      <TextInput style={{ minHeight: 48 }} placeholder="Search" />
      <Switch value={false} style={{ minHeight: 48 }} />
    </View>,
  );
  expect(accessibilityProblems().filter((problem) => problem.includes('no accessible name'))).toHaveLength(3);
});

test('a control under 44 points is too small unless its hitSlop makes up the difference', () => {
  render(
    <View>
      <Pressable accessibilityRole="button" onPress={() => {}} style={{ minHeight: 36 }}>
        <Text>Small</Text>
      </Pressable>
      <Pressable accessibilityRole="button" onPress={() => {}} hitSlop={4} style={{ minHeight: 36 }}>
        <Text>Reached</Text>
      </Pressable>
      <Pressable accessibilityLabel="Close" onPress={() => {}} style={{ height: 44, width: 24 }} />
    </View>,
  );
  expect(accessibilityProblems()).toEqual([
    '<View role="button"> "Small" is only 36 points tall (minHeight/height with hitSlop), under 44',
    '<View> "Close" has no text and is only 24 points wide (minWidth/width with hitSlop), under 44',
  ]);
});

test('text that cannot grow is named: a fixed height around it, no scaling, a low cap, a line limit', () => {
  render(
    <View>
      <View style={{ height: 40 }}>
        <Text>Boxed</Text>
      </View>
      <Text allowFontScaling={false}>Fixed</Text>
      <Text maxFontSizeMultiplier={1.3}>Capped</Text>
      <Text numberOfLines={1}>$12.50</Text>
      <Text maxFontSizeMultiplier={0}>Unlimited</Text>
    </View>,
  );
  expect(accessibilityProblems()).toEqual([
    '<Text> "Boxed" sits in <View> "Boxed", with a fixed height of 40: larger text is clipped',
    '<Text> "Fixed" sets allowFontScaling={false}: it ignores the reader\'s text size',
    '<Text> "Capped" caps its text at 1.3× (maxFontSizeMultiplier), under 2×',
    '<Text> "$12.50" is cut to 1 line(s) (numberOfLines): at a large text size the rest is lost',
  ]);
});
