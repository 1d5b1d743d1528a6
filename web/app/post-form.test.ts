import { describe, expect, it } from 'vitest';
import {
  composerValuesOf,
  counterView,
  newComposerValues,
  problemsByAccount,
  publishBlock,
  readComposerForm,
  toPostInput,
} from './post-form.js';

function form(entries: [string, string][]): FormData {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
}

const NOW = Date.parse('2026-12-02T08:30:00Z');

describe('reading the composer form', () => {
  it('keeps the chosen accounts, the texts that differ, and the images not removed', () => {
    const values = readComposerForm(
      form([
        ['text', 'Hello'],
        ['account_ids', '3'],
        ['account_ids', '7'],
        ['account_ids', '3'],
        ['account_ids', 'abc'],
        ['own_text_3', 'on'],
        ['text_3', 'Hello X'],
        ['text_7', 'ignored: its box is not ticked'],
        ['thread_3', 'Second tweet\n---\n  Third tweet  \n ---\n\n---\n'],
        ['thread_9', 'ignored: account 9 is not chosen'],
        ['when', 'later'],
        ['date', '2026-12-03'],
        ['time', '09:00'],
        ['media_ids', '11'],
        ['media_ids', '12'],
        ['remove_media', '12'],
      ]),
    );
    expect(values).toEqual({
      text: 'Hello',
      accountIds: ['3', '7'],
      overrides: { '3': 'Hello X' },
      threads: { '3': ['Second tweet', 'Third tweet'] },
      when: 'later',
      date: '2026-12-03',
      time: '09:00',
      mediaIds: ['11'],
    });
  });
});

describe('the API post from the form', () => {
  const base = {
    text: 'Hi',
    accountIds: ['3', '7'],
    overrides: { '7': 'Hi LinkedIn' },
    threads: {},
    when: 'now' as const,
    date: '',
    time: '',
    mediaIds: ['11'],
  };

  it('publishes now without a scheduled_at, with per-account text and the images', () => {
    expect(toPostInput(base, ['12'], 'publish', 'UTC', NOW)).toEqual({
      ok: true,
      notice: undefined,
      input: {
        text: 'Hi',
        targets: [
          { account_id: 3, thread: [] },
          { account_id: 7, text: 'Hi LinkedIn', thread: [] },
        ],
        media_ids: [11, 12],
        draft: false,
      },
    });
  });

  it("sends an X account's thread, and an empty one to clear a thread an edit removed", () => {
    const result = toPostInput({ ...base, threads: { '3': ['Two', 'Three'] } }, [], 'publish', 'UTC', NOW);
    expect(result.ok && result.input.targets).toEqual([
      { account_id: 3, thread: ['Two', 'Three'] },
      { account_id: 7, text: 'Hi LinkedIn', thread: [] },
    ]);
  });

  it('schedules at the date and time in the business zone, stored in UTC', () => {
    const result = toPostInput({ ...base, when: 'later', date: '2026-12-03', time: '09:00' }, [], 'publish', 'America/New_York', NOW);
    expect(result.ok && result.input.scheduled_at).toBe('2026-12-03T14:00:00.000Z');
    const draft = toPostInput({ ...base, when: 'later', date: '2026-12-03', time: '09:00' }, [], 'draft', 'Asia/Tokyo', NOW);
    expect(draft.ok && [draft.input.scheduled_at, draft.input.draft]).toEqual(['2026-12-03T00:00:00.000Z', true]);
  });

  it('says what is wrong: no account, no time, a time past, a time the clocks skip', () => {
    expect(toPostInput({ ...base, accountIds: [] }, [], 'publish', 'UTC', NOW)).toEqual({
      ok: false,
      errors: { accounts: 'Choose at least one account to post to.', accountProblems: {} },
    });
    const noTime = toPostInput({ ...base, when: 'later' }, [], 'publish', 'UTC', NOW);
    expect(!noTime.ok && noTime.errors.when).toBe('Choose the date and the time to publish at.');
    const past = toPostInput({ ...base, when: 'later', date: '2026-12-02', time: '09:00' }, [], 'publish', 'Europe/Berlin', NOW);
    expect(!past.ok && past.errors.when).toBe('That time has passed in Europe/Berlin. Choose a time in the future, or publish now.');
    const skipped = toPostInput({ ...base, when: 'later', date: '2027-03-28', time: '02:30' }, [], 'publish', 'Europe/Berlin', NOW);
    expect(skipped.ok && [skipped.input.scheduled_at, skipped.notice]).toEqual([
      '2027-03-28T01:30:00.000Z',
      '02:30 does not exist on that day in Europe/Berlin (the clocks go forward), so it is set for Sun 28 Mar 2027, 03:30.',
    ]);
  });

  it('reads the 422 problems per account', () => {
    expect(
      problemsByAccount([
        { account_id: 3, problems: ['X allows 280 characters; this text has 300.'] },
        { account_id: '9', problems: [{ message: 'Instagram needs at least one image.' }] },
        { account_id: null, problems: ['The scheduled time has passed: pick a time ahead.'] },
        { problems: ['no account'] },
        'junk',
      ]),
    ).toEqual({
      '3': ['X allows 280 characters; this text has 300.'],
      '9': ['Instagram needs at least one image.'],
      post: ['The scheduled time has passed: pick a time ahead.'],
    });
    expect(problemsByAccount(undefined)).toEqual({});
  });
});

describe('the composer’s starting values', () => {
  it('suggests the next whole hour but one, in the business zone', () => {
    expect(newComposerValues(NOW, 'Asia/Kolkata')).toMatchObject({ when: 'now', date: '2026-12-02', time: '16:00' });
    expect(newComposerValues(Date.parse('2026-12-02T22:40:00Z'), 'UTC')).toMatchObject({ date: '2026-12-03', time: '00:00' });
    expect(newComposerValues(Date.parse('2026-12-31T23:10:00Z'), 'UTC')).toMatchObject({ date: '2027-01-01', time: '01:00' });
  });

  it('fills in a post being edited, in the business zone', () => {
    const post = {
      text: 'Shared',
      scheduled_at: '2026-12-05T23:30:00Z',
      media_ids: ['4'],
      targets: [
        { account_id: '3', status: 'scheduled', text: null, thread: ['Two', 'Three'] },
        { account_id: '7', status: 'scheduled', text: 'Own' },
        { account_id: '8', status: 'canceled', text: null },
      ],
    };
    expect(composerValuesOf(post, NOW, 'Europe/Berlin')).toEqual({
      text: 'Shared',
      accountIds: ['3', '7'],
      overrides: { '7': 'Own' },
      threads: { '3': ['Two', 'Three'] },
      when: 'later',
      date: '2026-12-06',
      time: '00:30',
      mediaIds: ['4'],
    });
  });
});

describe('which accounts can be posted to', () => {
  it('says why an account cannot be picked', () => {
    expect(publishBlock({ platform: 'twitter', status: 'reconnect_required' })).toBe('Reconnect this account to publish to it.');
    expect(publishBlock({ platform: 'linkedin', status: 'active', reconnect_required: true })).toBe(
      'Reconnect this account to publish to it.',
    );
    expect(publishBlock({ platform: 'twitter', status: 'connecting' })).toBe('This account is still connecting.');
    expect(publishBlock({ platform: 'twitter', status: 'active' })).toBeUndefined();
  });
});

describe('the live character counter', () => {
  it('counts as the platform does: X weighs emoji and links, LinkedIn counts characters', () => {
    expect(counterView('twitter', 'Hello 👋')).toMatchObject({
      count: 8,
      max: 280,
      over: false,
      short: '8 / 280',
      words: '8 of 280 weighted characters used',
    });
    expect(counterView('linkedin', 'Hello 👋')).toMatchObject({ count: 7, max: 3000, short: '7 / 3,000' });
    expect(counterView('twitter', 'https://example.com/a/very/long/path/that/is/shortened')?.count).toBe(23);
    expect(counterView('twitter', 'x'.repeat(290))).toMatchObject({ over: true, words: '10 weighted characters over the limit of 280' });
    expect(counterView('unknown', 'x')).toBeUndefined();
  });
});
