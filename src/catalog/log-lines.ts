/**
 * Execution log lines as they travel to internal.append_execution_messages, and what makes any
 * text storable there. PostgreSQL refuses a NUL character and a lone UTF-16 surrogate in a JSON
 * value (the whole batch would fail); both are replaced by U+FFFD instead. A line longer than
 * MAX_LINE_CHARS is cut, with a marker saying how long it was.
 */

/** One message for catalog.operation_messages (SSIS message and source types). */
export interface LogLine {
  readonly time: string;
  readonly type: number;
  readonly source?: number;
  readonly message: string;
  readonly package?: string;
  readonly event?: string;
  readonly sourceName?: string;
  readonly code?: number;
  /** The stream the line belongs to (a UUID: workers use one per attempt), and its number in it. */
  readonly stream?: string;
  readonly seq?: number;
}

export const MAX_LINE_CHARS = 65_536;

// A high surrogate not followed by a low one, or a low one not preceded by a high one; and NUL.
const UNSTORABLE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

/** The text with every character the catalog cannot store replaced by U+FFFD. */
export function storableText(text: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

/** Room left for the marker: a line cut once is not cut again (the master cuts what workers cut). */
const MARKER_ROOM = 100;

/** The text cut to MAX_LINE_CHARS (never inside a surrogate pair), with a marker when it was cut. */
export function cutLine(text: string, max = MAX_LINE_CHARS): string {
  if (text.length <= max + MARKER_ROOM) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)} … [line cut: ${text.length} characters in all]`;
}

/** A line whose every text field the catalog can store (lines from the wire may lack some fields). */
export function storableLine<T extends { message?: string | null; package?: string; event?: string; sourceName?: string }>(line: T): T {
  const fix = (v: string | undefined) => (v === undefined ? undefined : storableText(v));
  return {
    ...line,
    message: typeof line.message === 'string' ? cutLine(storableText(line.message)) : line.message,
    package: fix(line.package),
    event: fix(line.event),
    sourceName: fix(line.sourceName),
  };
}
