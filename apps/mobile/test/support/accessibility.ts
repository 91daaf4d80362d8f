import { screen } from '@testing-library/react-native';
import { StyleSheet, type Insets } from 'react-native';
import type { ReactTestInstance } from 'react-test-renderer';
import { minTarget } from '../../components/ui.tsx';

/** Roles a screen reader announces as something to activate. */
const controlRoles = new Set(['button', 'link', 'tab', 'checkbox', 'switch', 'radio', 'menuitem', 'togglebutton']);

/**
 * Below this, the text is not allowed to grow to twice its size: iOS's largest accessibility sizes
 * are about three times the default, so a cap under 2 keeps text small for exactly the readers who need it big.
 */
const minFontSizeMultiplier = 2;

type Style = Record<string, unknown>;

const isHost = (node: ReactTestInstance) => typeof node.type === 'string';
const hostName = (node: ReactTestInstance) => String(node.type);
const flat = (node: ReactTestInstance): Style => (StyleSheet.flatten(node.props.style) ?? {}) as Style;
const roleOf = (node: ReactTestInstance): string | undefined => node.props.role ?? node.props.accessibilityRole;

/** The text a screen reader would read inside `node`, without its own label. */
function textContent(node: ReactTestInstance | string): string {
  if (typeof node === 'string') return node;
  return node.children.map(textContent).join('');
}

function isControl(node: ReactTestInstance): boolean {
  const name = hostName(node);
  if (name === 'TextInput' || name.includes('Switch')) return true;
  const role = roleOf(node);
  if (role !== undefined && controlRoles.has(role)) return true;
  // Pressable and the Touchables hand the host view their press handling as onClick; a Text with onPress keeps onPress.
  return typeof node.props.onClick === 'function' || typeof node.props.onPress === 'function';
}

function hitSlopOf(node: ReactTestInstance): Required<Insets> {
  const slop: number | Insets | null | undefined = node.props.hitSlop;
  if (typeof slop === 'number') return { top: slop, bottom: slop, left: slop, right: slop };
  return { top: slop?.top ?? 0, bottom: slop?.bottom ?? 0, left: slop?.left ?? 0, right: slop?.right ?? 0 };
}

/** The least a flattened style guarantees along one axis: the fixed size, else the minimum, else nothing. */
function leastSize(style: Style, size: 'height' | 'width'): number {
  const fixed = style[size];
  if (typeof fixed === 'number') return fixed;
  const least = style[size === 'height' ? 'minHeight' : 'minWidth'];
  return typeof least === 'number' ? least : 0;
}

function describe(node: ReactTestInstance): string {
  const label = node.props.accessibilityLabel ?? node.props['aria-label'];
  const text = textContent(node).trim();
  const name = label ?? (text || node.props.placeholder || node.props.testID);
  return `<${hostName(node)}${roleOf(node) ? ` role="${roleOf(node)}"` : ''}>${name ? ` "${name}"` : ''}`;
}

function auditControl(node: ReactTestInstance, problems: string[]): void {
  const label: unknown = node.props.accessibilityLabel ?? node.props['aria-label'];
  const text = textContent(node).trim();
  if (!(typeof label === 'string' && label.trim()) && !text) problems.push(`${describe(node)} has no accessible name (accessibilityLabel, aria-label or text)`);
  const style = flat(node);
  const slop = hitSlopOf(node);
  const height = leastSize(style, 'height') + slop.top + slop.bottom;
  if (height < minTarget) problems.push(`${describe(node)} is only ${height} points tall (minHeight/height with hitSlop), under ${minTarget}`);
  // A control with text is as wide as its words; an icon alone needs the width set.
  if (!text && hostName(node) !== 'TextInput') {
    const width = leastSize(style, 'width') + slop.left + slop.right;
    if (width < minTarget) problems.push(`${describe(node)} has no text and is only ${width} points wide (minWidth/width with hitSlop), under ${minTarget}`);
  }
}

function auditText(node: ReactTestInstance, ancestors: readonly ReactTestInstance[], problems: string[]): void {
  const { allowFontScaling, maxFontSizeMultiplier, numberOfLines } = node.props;
  if (allowFontScaling === false) problems.push(`${describe(node)} sets allowFontScaling={false}: it ignores the reader's text size`);
  // 0 means no limit, as does leaving it out.
  if (typeof maxFontSizeMultiplier === 'number' && maxFontSizeMultiplier > 0 && maxFontSizeMultiplier < minFontSizeMultiplier) {
    problems.push(`${describe(node)} caps its text at ${maxFontSizeMultiplier}× (maxFontSizeMultiplier), under ${minFontSizeMultiplier}×`);
  }
  if (typeof numberOfLines === 'number' && numberOfLines > 0) {
    problems.push(`${describe(node)} is cut to ${numberOfLines} line(s) (numberOfLines): at a large text size the rest is lost`);
  }
  for (const box of [node, ...ancestors]) {
    const style = flat(box);
    for (const limit of ['height', 'maxHeight'] as const) {
      if (typeof style[limit] === 'number') {
        problems.push(
          `${describe(node)} sits in ${box === node ? 'itself, ' : `${describe(box)}, `}with a fixed ${limit} of ${style[limit]}: larger text is clipped`,
        );
      }
    }
  }
}

/** Every accessibility problem of the host tree under `node`, one line each naming the element. */
function auditTree(node: ReactTestInstance, ancestors: ReactTestInstance[], problems: string[]): void {
  const host = isHost(node);
  if (host && isControl(node)) auditControl(node, problems);
  if (host && (hostName(node) === 'Text' || hostName(node) === 'TextInput')) auditText(node, ancestors, problems);
  const inside = host ? [node, ...ancestors] : ancestors;
  for (const child of node.children) if (typeof child !== 'string') auditTree(child, inside, problems);
}

/** The problems `expectAccessible` reports, for a test that checks the audit itself. */
export function accessibilityProblems(root: ReactTestInstance = screen.root): string[] {
  const problems: string[] = [];
  auditTree(root, [], problems);
  // A nested Text reports the same box again for each ancestor it shares with its parent Text.
  return [...new Set(problems)];
}

/**
 * Fails, naming each element, when what is on screen now is not usable with a screen reader or at a
 * large text size: a control (something pressable, a role a screen reader activates, a text input, a
 * switch) without an accessible name or under 44 points tall (and wide, when it has no text), counting
 * its hitSlop; a text whose box has a fixed height or maxHeight (its own or an ancestor's); a text
 * that does not scale (allowFontScaling={false}), caps its scaling under 2×, or is cut to a number of lines.
 */
export function expectAccessible(root: ReactTestInstance = screen.root): void {
  const problems = accessibilityProblems(root);
  if (problems.length > 0) throw new Error(`Accessibility problems on screen:\n- ${problems.join('\n- ')}`);
}
