// What each platform accepts in a post, checked when it is written (not at 3 a.m. when it is due): text
// length, and the number, type, size and shape of images. Browser-safe (the dashboard's composer counts
// with it as the user types; the API and each publisher's validate() check with it): no node: imports.
// Limits and their sources: docs/decisions/016-provider-publishing.md.
import twitterText from 'twitter-text';
import type { MediaFacts } from './contract.js';

const MB = 1024 * 1024;

interface ComposeRules {
  /** The platform's name in messages. */
  name: string;
  maxText: number;
  /** How the platform counts: X weighs characters (twitter-text), the others count characters. */
  count(text: string): number;
  /** How the count is described when a post is too long. */
  countNote?: string;
  minMedia: number;
  maxMedia: number;
  mimeTypes: readonly string[];
  maxBytes: number;
  maxPixels?: number;
  /** Width / height, inclusive. */
  aspect?: { min: number; max: number; words: string };
  maxHashtags?: number;
  maxMentions?: number;
}

/** Unicode code points: what LinkedIn, Facebook and Instagram count (an emoji is one, not two UTF-16 units). */
const codePoints = (text: string) => [...text].length;

const RULES: Record<string, ComposeRules> = {
  twitter: {
    name: 'X',
    maxText: 280,
    count: (text) => twitterText.parseTweet(text).weightedLength,
    countNote: 'weighted: emoji and CJK characters count 2, every link 23',
    minMedia: 0,
    maxMedia: 4,
    mimeTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
    maxBytes: 5 * MB,
  },
  linkedin: {
    name: 'LinkedIn',
    maxText: 3000,
    count: codePoints,
    minMedia: 0,
    maxMedia: 20,
    mimeTypes: ['image/jpeg', 'image/png', 'image/gif'],
    maxBytes: 5 * MB,
    maxPixels: 36_152_320,
  },
  meta: {
    name: 'Facebook',
    maxText: 63_206,
    count: codePoints,
    minMedia: 0,
    maxMedia: 10,
    mimeTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
    maxBytes: 10 * MB,
  },
  instagram: {
    name: 'Instagram',
    maxText: 2200,
    count: codePoints,
    minMedia: 1,
    maxMedia: 10,
    mimeTypes: ['image/jpeg'],
    maxBytes: 8 * MB,
    aspect: { min: 4 / 5, max: 1.91, words: 'between 4:5 (portrait) and 1.91:1 (landscape)' },
    maxHashtags: 30,
    maxMentions: 20,
  },
};

const TYPE_NAMES: Record<string, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/gif': 'GIF', 'image/webp': 'WebP' };
const typeName = (mime: string) => TYPE_NAMES[mime] ?? mime;
const list = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);
const megabytes = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** The text's length as the platform counts it (X: weighted), and its limit; null for a platform without rules. */
export function textCount(platform: string, text: string): { count: number; max: number } | null {
  const rules = RULES[platform];
  return rules ? { count: rules.count(text), max: rules.maxText } : null;
}

/** What stops this post from going to this platform, in words for the user; empty when it can go. */
export function composeProblems(platform: string, post: { text: string; media: readonly MediaFacts[] }): string[] {
  const rules = RULES[platform];
  if (!rules) return [];
  const { name } = rules;
  const problems: string[] = [];
  const text = post.text;
  const count = rules.count(text);
  if (count > rules.maxText) {
    const note = rules.countNote ? ` (${rules.countNote})` : '';
    problems.push(
      `${name} allows ${rules.maxText.toLocaleString('en-US')} characters${note}; this text has ${count.toLocaleString('en-US')}.`,
    );
  }
  if (rules.minMedia > 0 && post.media.length < rules.minMedia)
    problems.push(`${name} needs at least one image: it has no text-only posts.`);
  else if (text.trim() === '' && post.media.length === 0) problems.push(`A post for ${name} needs text or an image.`);
  if (post.media.length > rules.maxMedia)
    problems.push(`${name} takes at most ${rules.maxMedia} images; this post has ${post.media.length}.`);
  post.media.forEach((image, i) => {
    const which = post.media.length > 1 ? `Image ${i + 1}` : 'The image';
    if (!rules.mimeTypes.includes(image.mimeType))
      problems.push(`${which} is ${typeName(image.mimeType)}; ${name} takes ${list(rules.mimeTypes.map(typeName))} images.`);
    if (image.bytes > rules.maxBytes)
      problems.push(`${which} is ${megabytes(image.bytes)}; ${name} takes images up to ${megabytes(rules.maxBytes)}.`);
    if (rules.maxPixels && image.width * image.height > rules.maxPixels)
      problems.push(
        `${which} has ${image.width}×${image.height} pixels; ${name} takes at most ${rules.maxPixels.toLocaleString('en-US')} pixels.`,
      );
    const aspect = rules.aspect;
    if (aspect && image.width > 0 && image.height > 0) {
      const ratio = image.width / image.height;
      // Rounded as the platforms' own checks are (1080×1350 is exactly 4:5).
      const r = Math.round(ratio * 1000) / 1000;
      if (r < Math.round(aspect.min * 1000) / 1000 || r > aspect.max)
        problems.push(`${which} is ${image.width}×${image.height}; ${name} takes images whose shape is ${aspect.words}.`);
    }
  });
  if (rules.maxHashtags !== undefined) {
    const hashtags = twitterText.extractHashtags(text).length;
    if (hashtags > rules.maxHashtags) problems.push(`${name} allows at most ${rules.maxHashtags} hashtags; this text has ${hashtags}.`);
  }
  if (rules.maxMentions !== undefined) {
    const mentions = twitterText.extractMentions(text).length;
    if (mentions > rules.maxMentions) problems.push(`${name} allows at most ${rules.maxMentions} @mentions; this text has ${mentions}.`);
  }
  return problems;
}
