/** A piece of a plain-text body: words as they are, or a web address to show as a link. */
export type TextPiece = { text: string } | { href: string };

// What an email's plain text holds a link as: an http(s) address up to the next space or angle
// bracket. Punctuation that ends a sentence is not part of it.
const address = /https?:\/\/[^\s<>"]+/g;
const trailing = /[.,;:!?)\]'"]+$/;

/**
 * `text` cut into plain runs and http(s) addresses, in order (joined back, the pieces are `text`).
 * Only http and https: a `javascript:` or `data:` address stays text, so an email cannot put a
 * script behind a click.
 */
export function splitLinks(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const match of text.matchAll(address)) {
    const href = match[0].replace(trailing, '');
    if (match.index > at) pieces.push({ text: text.slice(at, match.index) });
    pieces.push({ href });
    at = match.index + href.length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}
