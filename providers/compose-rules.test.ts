import { describe, expect, it } from 'vitest';
import { composeProblems, textCount } from './compose-rules.js';
import { missingScopes, withScopes } from './publishing.js';

const jpeg = (width = 1080, height = 1080, bytes = 200_000) => ({ mimeType: 'image/jpeg', bytes, width, height });

describe('X text, weighted as X counts it (twitter-text)', () => {
  it('exactly 280 weighted characters go; 281 do not', () => {
    expect(composeProblems('twitter', { text: 'a'.repeat(280), media: [] })).toEqual([]);
    expect(composeProblems('twitter', { text: 'a'.repeat(281), media: [] })).toEqual([
      'X allows 280 characters (weighted: emoji and CJK characters count 2, every link 23); this text has 281.',
    ]);
  });

  it('emoji and CJK count 2: 140 of them fill a post', () => {
    expect(textCount('twitter', '😀'.repeat(140))).toEqual({ count: 280, max: 280 });
    expect(composeProblems('twitter', { text: '😀'.repeat(140), media: [] })).toEqual([]);
    expect(composeProblems('twitter', { text: `${'中'.repeat(140)}a`, media: [] })).toHaveLength(1);
    // A family emoji (several code points joined) still counts 2.
    expect(textCount('twitter', '👨‍👩‍👧')?.count).toBe(2);
  });

  it('every link counts 23 however long it is', () => {
    const url = `https://example.com/${'x'.repeat(200)}`;
    expect(textCount('twitter', url)?.count).toBe(23);
    expect(textCount('twitter', `${'a'.repeat(256)} ${url}`)?.count).toBe(280);
    expect(composeProblems('twitter', { text: `${'a'.repeat(256)} ${url}`, media: [] })).toEqual([]);
  });

  it('up to 4 images of JPEG, PNG, GIF or WebP, each at most 5 MB; an image alone needs no text', () => {
    expect(composeProblems('twitter', { text: '', media: [jpeg()] })).toEqual([]);
    expect(composeProblems('twitter', { text: '', media: [] })).toEqual(['A post for X needs text or an image.']);
    expect(composeProblems('twitter', { text: 'hi', media: [1, 2, 3, 4, 5].map(() => jpeg()) })).toEqual([
      'X takes at most 4 images; this post has 5.',
    ]);
    expect(
      composeProblems('twitter', { text: 'hi', media: [jpeg(100, 100, 5 * 1024 * 1024 + 1), { ...jpeg(), mimeType: 'image/bmp' }] }),
    ).toEqual(['Image 1 is 5 MB; X takes images up to 5 MB.', 'Image 2 is image/bmp; X takes JPEG, PNG, GIF or WebP images.']);
  });
});

describe('Instagram', () => {
  it('2,200 characters go, 2,201 do not', () => {
    expect(composeProblems('instagram', { text: 'a'.repeat(2200), media: [jpeg()] })).toEqual([]);
    expect(composeProblems('instagram', { text: 'a'.repeat(2201), media: [jpeg()] })).toEqual([
      'Instagram allows 2,200 characters; this text has 2,201.',
    ]);
    // Counted in characters, not UTF-16 units: 2,200 emoji go.
    expect(composeProblems('instagram', { text: '😀'.repeat(2200), media: [jpeg()] })).toEqual([]);
  });

  it('has no text-only posts; 1 to 10 JPEG images up to 8 MB', () => {
    expect(composeProblems('instagram', { text: 'hello', media: [] })).toEqual([
      'Instagram needs at least one image: it has no text-only posts.',
    ]);
    expect(composeProblems('instagram', { text: '', media: Array.from({ length: 10 }, () => jpeg()) })).toEqual([]);
    expect(composeProblems('instagram', { text: '', media: Array.from({ length: 11 }, () => jpeg()) })).toEqual([
      'Instagram takes at most 10 images; this post has 11.',
    ]);
    expect(composeProblems('instagram', { text: '', media: [{ ...jpeg(), mimeType: 'image/png' }] })).toEqual([
      'The image is PNG; Instagram takes JPEG images.',
    ]);
    expect(composeProblems('instagram', { text: '', media: [jpeg(1080, 1080, 9 * 1024 * 1024)] })).toEqual([
      'The image is 9 MB; Instagram takes images up to 8 MB.',
    ]);
  });

  it('aspect ratio from 4:5 to 1.91:1, edges included', () => {
    expect(composeProblems('instagram', { text: '', media: [jpeg(1080, 1350)] })).toEqual([]);
    expect(composeProblems('instagram', { text: '', media: [jpeg(1910, 1000)] })).toEqual([]);
    expect(composeProblems('instagram', { text: '', media: [jpeg(1080, 1920)] })).toEqual([
      'The image is 1080×1920; Instagram takes images whose shape is between 4:5 (portrait) and 1.91:1 (landscape).',
    ]);
    expect(composeProblems('instagram', { text: '', media: [jpeg(2000, 1000)] })).toHaveLength(1);
  });

  it('at most 30 hashtags and 20 mentions', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `#tag${i}`).join(' ');
    expect(composeProblems('instagram', { text: tags(30), media: [jpeg()] })).toEqual([]);
    expect(composeProblems('instagram', { text: tags(31), media: [jpeg()] })).toEqual([
      'Instagram allows at most 30 hashtags; this text has 31.',
    ]);
    const mentions = Array.from({ length: 21 }, (_, i) => `@user${i}`).join(' ');
    expect(composeProblems('instagram', { text: mentions, media: [jpeg()] })).toEqual([
      'Instagram allows at most 20 @mentions; this text has 21.',
    ]);
  });
});

describe('LinkedIn and Facebook', () => {
  it('LinkedIn: 3,000 characters (reserved characters count as written), 20 images, 36,152,320 pixels', () => {
    expect(composeProblems('linkedin', { text: '(#'.repeat(1500), media: [] })).toEqual([]);
    expect(composeProblems('linkedin', { text: 'a'.repeat(3001), media: [] })).toEqual([
      'LinkedIn allows 3,000 characters; this text has 3,001.',
    ]);
    expect(composeProblems('linkedin', { text: 'x', media: [jpeg(7000, 7000)] })).toEqual([
      'The image has 7000×7000 pixels; LinkedIn takes at most 36,152,320 pixels.',
    ]);
  });

  it('Facebook: 63,206 characters, text or an image', () => {
    expect(composeProblems('meta', { text: 'a'.repeat(63_206), media: [] })).toEqual([]);
    expect(composeProblems('meta', { text: 'a'.repeat(63_207), media: [] })).toHaveLength(1);
    expect(composeProblems('meta', { text: '  ', media: [] })).toEqual(['A post for Facebook needs text or an image.']);
  });

  it('a platform without rules (a test provider) has no problems and no count', () => {
    expect(composeProblems('fake', { text: '', media: [] })).toEqual([]);
    expect(textCount('fake', 'x')).toBeNull();
  });
});

describe('scopes', () => {
  it('connect lists add what publishing needs in the configured separator; a stored grant lacks the rest', () => {
    expect(withScopes('tweet.read users.read', ['tweet.read', 'tweet.write'], ' ')).toBe('tweet.read users.read tweet.write');
    expect(withScopes('pages_show_list,pages_manage_posts', ['pages_manage_posts', 'instagram_content_publish'], ',')).toBe(
      'pages_show_list,pages_manage_posts,instagram_content_publish',
    );
    expect(missingScopes(['tweet.write', 'media.write'], 'tweet.read tweet.write')).toEqual(['media.write']);
    expect(missingScopes(['w_member_social'], 'openid,profile,w_member_social')).toEqual([]);
    expect(missingScopes(['pages_manage_posts'], null)).toBeNull();
  });
});
