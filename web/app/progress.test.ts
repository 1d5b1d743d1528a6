import { describe, expect, it } from 'vitest';
import { etaText, isFinished, progressAnnouncement, progressPercent, progressText } from './progress.js';

describe('progressText', () => {
  it('names the step, the posts so far and the time left', () => {
    expect(
      progressText({
        status: 'running',
        progress: 40,
        current_step: 'Fetching posts and metrics',
        posts_done: 150,
        estimated_time_remaining: 3,
      }),
    ).toBe('Fetching posts and metrics — 150 posts — about 3 s left');
  });

  it('counts against the total when the provider gave one', () => {
    expect(
      progressText({
        status: 'running',
        progress: 65,
        current_step: 'Fetching posts and metrics',
        posts_done: 1500,
        posts_total: 2300,
        estimated_time_remaining: 90,
      }),
    ).toBe('Fetching posts and metrics — 1,500 of 2,300 posts — about 2 min left');
  });

  it('leaves out what it does not know yet', () => {
    expect(
      progressText({
        status: 'running',
        progress: 0,
        current_step: 'Starting',
        posts_done: 0,
        estimated_time_remaining: null,
      }),
    ).toBe('Starting');
    expect(progressText({ status: 'running', progress: 10, current_step: null, posts_done: 1 })).toBe('Working — 1 post');
  });

  it('says how it ended', () => {
    expect(
      progressText({
        status: 'completed',
        progress: 100,
        current_step: 'Completed',
        posts_done: 250,
        estimated_time_remaining: 0,
      }),
    ).toBe('Completed — 250 posts');
    expect(progressText({ status: 'failed', progress: 100, current_step: 'Failed', error_message: 'X API: Unauthorized' })).toBe(
      'Failed — X API: Unauthorized',
    );
    expect(progressText({ status: 'failed', progress: 100, error_message: null })).toBe('Failed');
  });
});

describe('etaText', () => {
  it('rounds to seconds, minutes or hours, and says nothing without an estimate', () => {
    expect(etaText(0.4)).toBe('about 1 s left');
    expect(etaText(0)).toBeUndefined();
    expect(etaText(1)).toBe('about 1 s left');
    expect(etaText(59)).toBe('about 59 s left');
    expect(etaText(150)).toBe('about 3 min left');
    expect(etaText(7200)).toBe('about 2 h left');
    expect(etaText(null)).toBeUndefined();
    expect(etaText(Number.NaN)).toBeUndefined();
  });
});

describe('progressPercent', () => {
  it('is a whole number from 0 to 100, and 100 once completed', () => {
    expect(progressPercent({ status: 'running', progress: 33.4 })).toBe(33);
    expect(progressPercent({ status: 'running', progress: 140 })).toBe(100);
    expect(progressPercent({ status: 'running', progress: -5 })).toBe(0);
    expect(progressPercent({ status: 'running', progress: Number.NaN })).toBe(0);
    expect(progressPercent({ status: 'completed', progress: 95 })).toBe(100);
  });
});

describe('isFinished and the announcement', () => {
  it('knows the end states and announces steps, not percentages', () => {
    expect(['completed', 'failed', 'running'].map(isFinished)).toEqual([true, true, false]);
    expect(progressAnnouncement('X', { status: 'running', progress: 40, current_step: 'Fetching posts and metrics' })).toBe(
      'X sync: Fetching posts and metrics.',
    );
    expect(progressAnnouncement('X', { status: 'completed', progress: 100 })).toBe('X sync completed.');
    expect(progressAnnouncement('X', { status: 'failed', progress: 100 })).toBe('X sync failed.');
  });
});
