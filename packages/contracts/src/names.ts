import Type from 'typebox';

/**
 * Names people give things (products, variants, categories, shipping zones and methods, tax rates,
 * accounts): one rule for all of them, in the schema, the CSV import and every client.
 */

// Besides what `\s` covers, characters that print nothing: the soft hyphen, the combining grapheme
// joiner, the zero-width spaces and joiners, direction marks, invisible operators, the byte order
// mark, and the "letters" that are blank (Hangul fillers, the empty braille pattern). A name of
// only these reads as no name in every list, and spammers use them for that.
const invisible = '\\s\\u00ad\\u034f\\u115f\\u1160\\u180e\\u200b-\\u200f\\u2060-\\u2064\\u2800\\u3164\\uffa0\\ufeff';

/** The JSON Schema `pattern` of a name: somewhere, a character that shows. */
export const visibleTextPattern = `[^${invisible}]`;

const visible = new RegExp(visibleTextPattern);

/** Whether `text` has a character that shows (what `visibleTextPattern` checks). */
export const hasVisibleCharacter = (text: string): boolean => visible.test(text);

/** Why a name without a visible character is refused, in the words of every API and the CSV import. */
export const invisibleNameReason = 'must have a visible character, not only spaces';

/**
 * A name of at most `maxLength` characters with a visible one among them. The services store it
 * trimmed (`trimmedName`): spaces around a name are a slip of the keyboard, not part of it.
 */
export const Name = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: visibleTextPattern, description: 'Not only spaces; the spaces around it are dropped' });

/** `input` with its `name` (when it has one) trimmed, as the services store it. */
export function trimmedName<T extends { name?: string }>(input: T): T {
  return input.name === undefined ? input : { ...input, name: input.name.trim() };
}
