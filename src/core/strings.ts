/**
 * A copy of `text` that does not keep alive the larger string it was cut from (V8 substrings of 13 chars
 * or more are views into their parent: keeping one keeps the whole parent). For strings kept long, such as
 * the keys of a frequency table.
 */
export function detachString(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
