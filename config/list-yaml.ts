/**
 * The fastest path for the one large YAML file aiwc reads: a list of flat records under one
 * top-level key, as users.yaml is (100,000 users are about 19 MB: js-yaml takes 0.45 s, this
 * reader about a third of that). It reads only this shape, in block style:
 *
 *     # comments and blank lines between lines
 *     users:
 *       - name: anna                 # a record per `- `; keys are plain words
 *         packs: [pro, storage-plus] # a flow list of plain words
 *         profile: light
 *         sudo: true                 # true/false (any of YAML 1.2's spellings) are booleans
 *         aliases:                   # or a block list of plain scalars
 *           - a
 *         sshKey: ssh-ed25519 AAAA…  # plain scalars, also continued on more-indented lines
 *           anna@example.org
 *
 * Everything else — quotes, block scalars, anchors, tags, nulls, numbers and anything that
 * could be one, nested records, duplicate keys, tabs, carriage returns, a second top-level
 * key — returns undefined and the caller falls back to the general parsers, so this reader
 * never has to decide a question where YAML is subtle. test/list-yaml.test.ts holds it to
 * `yaml`'s value on generated lists and declines.
 */

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const COMMA = 44;
const QUESTION = 63;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** First characters this reader leaves to the general parsers: indicators, and anything that could start a number, .inf/.nan or ~. */
const DECLINED_START = new Uint8Array(128);
for (const c of "-?:,[]{}#&*!|>'\"%@`~+.0123456789") DECLINED_START[c.charCodeAt(0)] = 1;
/** Key characters: letters, digits, `_`, `-` (a key starts with a letter). */
const KEY_CHAR = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") KEY_CHAR[c.charCodeAt(0)] = 1;
/** Characters inside a flow list this reader leaves to the general parsers. */
const FLOW_DECLINED = new Uint8Array(128);
for (const c of "#:[]{}") FLOW_DECLINED[c.charCodeAt(0)] = 1;
/** Characters this reader does not take anywhere: control characters, BOM, tabs, CR, lone surrogates. */
const UNSAFE = /[\x00-\x09\x0B-\x1F\x7F-\x9F\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
const BOOLEANS = new Map([["true", true], ["True", true], ["TRUE", true], ["false", false], ["False", false], ["FALSE", false]]);

/**
 * The plain scalar text[start, end) as YAML 1.2's core schema reads it — a string or a
 * boolean — given that the caller has checked it holds no `: ` and no ` #`; undefined =
 * decline (empty, null, number-like, an indicator first, a final `:`).
 */
function scalar(text: string, start: number, end: number): string | boolean | undefined {
  if (end <= start) return undefined;
  const first = text.charCodeAt(start);
  if (first < 128 && DECLINED_START[first] === 1) return undefined;
  if (text.charCodeAt(end - 1) === COLON) return undefined;
  const value = text.slice(start, end);
  if (end - start === 4 || end - start === 5) {
    const boolean = BOOLEANS.get(value);
    if (boolean !== undefined) return boolean;
    if (value === "null" || value === "Null" || value === "NULL") return undefined;
  }
  return value;
}

/** The start of text[start, end) without leading spaces. */
function trimStart(text: string, start: number, end: number): number {
  while (start < end && text.charCodeAt(start) === SPACE) start++;
  return start;
}

/** The end of text[start, end) without trailing spaces. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
  return end;
}

/** The value of a flow list `[a, b]` in text[start, end) of plain words; undefined = decline. */
function flowList(text: string, start: number, end: number): (string | boolean)[] | undefined {
  const close = end - 1;
  if (text.charCodeAt(close) !== CLOSE_BRACKET) return undefined;
  for (let i = start + 1; i < close; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && FLOW_DECLINED[c] === 1) return undefined;
  }
  const items: (string | boolean)[] = [];
  let from = start + 1;
  for (;;) {
    let to = from;
    while (to < close && text.charCodeAt(to) !== COMMA) to++;
    const a = trimStart(text, from, to);
    const b = trimEnd(text, a, to);
    if (a === b && to === close && items.length === 0) return items; // []
    const value = scalar(text, a, b);
    if (value === undefined) return undefined;
    items.push(value);
    if (to === close) return items;
    from = to + 1;
  }
}

/**
 * The next position at or after `from` where `needle` occurs, walking forward only: a reader
 * that asks with ever larger `from` scans the text once, natively.
 */
class Occurrences {
  private at = -1;
  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}
  next(from: number): number {
    if (this.at < from) {
      const found = this.text.indexOf(this.needle, from);
      this.at = found === -1 ? Number.MAX_SAFE_INTEGER : found;
    }
    return this.at;
  }
}

/** `{ <key>: [records…] }` if `text` is a list of flat records in the shape above; else undefined. */
export function listYaml(text: string): Record<string, Record<string, unknown>[]> | undefined {
  if (/[^\n\x20-\x7E]/.test(text) && UNSAFE.test(text)) return undefined;
  const length = text.length;
  const colonSpace = new Occurrences(text, ": ");
  const spaceHash = new Occurrences(text, " #");
  /** Keys seen so far: a key read again is the same string, not a new one. */
  const keys: string[] = [];
  /** Which of `keys` the current record has (bit i = keys[i]; the first 31). */
  let has = 0;
  let topKey: string | undefined;
  const records: Record<string, unknown>[] = [];
  let itemIndent = -1;
  let keyIndent = -1;
  let record: Record<string, unknown> = {};
  /** The key whose plain scalar the next more-indented line may continue, and its text so far. */
  let openKey: string | undefined;
  let openParts: string[] = [];
  /** Ends a plain scalar: one written on several lines becomes one flat string. */
  const closeOpen = () => {
    if (openKey !== undefined && openParts.length > 1) record[openKey] = openParts.join(" ");
    openKey = undefined;
  };
  /** A key written with no value: a block list must follow. */
  let pendingKey: string | undefined;
  /** The block list being filled, and its items' indent. */
  let list: (string | boolean)[] | undefined;
  let listIndent = -1;

  /** The index in `keys` of the key in text[start, colon), read once: -1 = not a plain word. */
  const keyAt = (start: number, colon: number): number => {
    const first = text.charCodeAt(start);
    if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return -1;
    const size = colon - start;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === size && key.charCodeAt(0) === first && text.startsWith(key, start)) return k;
    }
    for (let i = start + 1; i < colon; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || KEY_CHAR[c] !== 1) return -1;
    }
    return keys.push(text.slice(start, colon)) - 1;
  };
  /** Reads `key: value` (or `key:`) in text[start, end), trimmed; false = decline. */
  const setKey = (start: number, end: number): boolean => {
    let colon = colonSpace.next(start);
    let a: number;
    if (colon < end) {
      a = colon + 2;
      if (colonSpace.next(colon + 1) < end) return false; // `: ` in the value
    } else {
      if (text.charCodeAt(end - 1) !== COLON) return false;
      colon = end - 1;
      a = end;
    }
    const index = keyAt(start, colon);
    if (index === -1) return false;
    const key = keys[index]!;
    if (index < 31 ? (has & (1 << index)) !== 0 : Object.hasOwn(record, key)) return false;
    has |= index < 31 ? 1 << index : 0;
    a = trimStart(text, a, end);
    const hash = a < end && text.charCodeAt(a) === HASH ? a : spaceHash.next(a - 1);
    const commented = hash < end;
    const b = trimEnd(text, a, commented ? hash : end);
    if (a === b) {
      pendingKey = key;
      return true;
    }
    if (text.charCodeAt(a) === OPEN_BRACKET) {
      const items = flowList(text, a, b);
      if (items === undefined) return false;
      record[key] = items;
      return true;
    }
    const value = scalar(text, a, b);
    if (value === undefined) return false;
    record[key] = value;
    if (!commented && typeof value === "string") {
      openKey = key;
      openParts = [value];
    }
    return true;
  };

  for (let pos = 0; pos <= length; ) {
    let lineEnd = text.indexOf("\n", pos);
    if (lineEnd === -1) lineEnd = length;
    const start = trimStart(text, pos, lineEnd);
    const indent = start - pos;
    const end = trimEnd(text, start, lineEnd);
    pos = lineEnd + 1;
    if (start === end || text.charCodeAt(start) === HASH) {
      // A blank or comment line ends a plain scalar; a continuation after it is not ours.
      closeOpen();
      continue;
    }
    if (topKey === undefined) {
      // The one top-level key, e.g. `users:` (a comment may follow).
      if (indent !== 0) return undefined;
      const hash = spaceHash.next(start);
      const colon = trimEnd(text, start, hash < end ? hash : end) - 1;
      if (colon <= start || text.charCodeAt(colon) !== COLON) return undefined;
      const index = keyAt(start, colon);
      if (index === -1) return undefined;
      topKey = keys[index]!;
      continue;
    }
    const isItem = text.charCodeAt(start) === DASH && text.charCodeAt(start + 1) === SPACE;
    if (indent <= keyIndent || openKey === undefined) closeOpen();
    if (itemIndent === -1) {
      if (!isItem) return undefined;
      itemIndent = indent;
      keyIndent = indent + 2;
    }
    if (indent === itemIndent && isItem) {
      if (pendingKey !== undefined || text.charCodeAt(start + 2) === SPACE) return undefined;
      list = undefined;
      record = {};
      has = 0;
      records.push(record);
      if (!setKey(start + 2, end)) return undefined;
      continue;
    }
    if (pendingKey !== undefined || list !== undefined) {
      if (isItem && indent >= keyIndent) {
        if (list === undefined) {
          list = [];
          listIndent = indent;
          record[pendingKey!] = list;
          pendingKey = undefined;
        }
        if (indent !== listIndent) return undefined;
        const a = trimStart(text, start + 2, end);
        if (colonSpace.next(a) < end) return undefined;
        const hash = spaceHash.next(a - 1);
        const value = scalar(text, a, trimEnd(text, a, hash < end ? hash : end));
        if (value === undefined) return undefined;
        list.push(value);
        continue;
      }
      if (pendingKey !== undefined) return undefined;
      list = undefined;
    }
    if (indent === keyIndent) {
      if (!setKey(start, end)) return undefined;
      continue;
    }
    if (indent > keyIndent && openKey !== undefined) {
      // A continuation line: folded into the scalar with one space.
      const c = text.charCodeAt(start);
      if (c === DASH || c === COLON || c === QUESTION) return undefined;
      if (colonSpace.next(start) < end || spaceHash.next(start) < end || text.charCodeAt(end - 1) === COLON) return undefined;
      openParts.push(text.slice(start, end));
      continue;
    }
    return undefined;
  }
  closeOpen();
  if (pendingKey !== undefined || topKey === undefined || records.length === 0) return undefined;
  return { [topKey]: records };
}
