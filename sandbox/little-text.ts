// LinkedIn's "little" text format for post commentary (learn.microsoft.com/linkedin/marketing/
// community-management/shares/little-text-format). Reserved characters must be backslash-escaped; an
// unescaped one that starts no valid element makes LinkedIn accept the post and silently cut the
// commentary there (observed, PUBLISHING.md 1.2). Valid elements kept here: mentions
// `@[Name](urn:li:person|organization:id)` and hashtag templates `{hashtag|\#|word}`.

const RESERVED = new Set(['\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~']);

const MENTION = /^@\[([^\]\\]*)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)/;
const HASHTAG = /^\{hashtag\|\\#\|([^{}|\\]+)\}/;

export interface LittleText {
  /** The commentary LinkedIn stores and reads back: the input up to the first bad reserved character. */
  commentary: string;
  /** What a reader sees: escapes removed, mentions as their name, hashtags as #word. */
  text: string;
  truncated: boolean;
}

export function parseLittleText(input: string): LittleText {
  let text = '';
  for (let i = 0; i < input.length;) {
    const ch = input[i] as string;
    if (ch === '\\' && RESERVED.has(input[i + 1] ?? '')) {
      text += input[i + 1];
      i += 2;
      continue;
    }
    if (!RESERVED.has(ch)) {
      text += ch;
      i += 1;
      continue;
    }
    const rest = input.slice(i);
    const mention = rest.match(MENTION);
    if (mention) {
      text += mention[1];
      i += mention[0].length;
      continue;
    }
    const hashtag = rest.match(HASHTAG);
    if (hashtag) {
      text += `#${hashtag[1]}`;
      i += hashtag[0].length;
      continue;
    }
    return { commentary: input.slice(0, i), text, truncated: true };
  }
  return { commentary: input, text, truncated: false };
}
