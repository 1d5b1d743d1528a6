import { describe, expect, it } from 'vitest';
import { canEditPost, isPublishing, postInstant, postStatusLabel, retryLabel, targetErrorWords, targetStatusLabel } from './post-status.js';

describe('post and target statuses in words', () => {
  it('names every target status with a tone, and a post that is partly published', () => {
    expect(
      ['draft', 'scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'canceled'].map((s) => {
        const { label, tone } = targetStatusLabel(s);
        return `${label}/${tone}`;
      }),
    ).toEqual([
      'Draft/neutral',
      'Scheduled/info',
      'Publishing/info',
      'Published/success',
      'Failed/danger',
      'Not confirmed/warning',
      'Canceled/neutral',
    ]);
    expect(postStatusLabel('partially_published')).toEqual({ tone: 'warning', label: 'Partly published' });
    expect(postStatusLabel('something_new').label).toBe('Something new');
  });

  it('allows edit and cancel only before publishing, and retry only where it is safe', () => {
    expect(['draft', 'scheduled', 'publishing', 'published', 'failed'].filter(canEditPost)).toEqual(['draft', 'scheduled']);
    expect(retryLabel('failed')).toBe('Retry');
    expect(retryLabel('unconfirmed')).toBe('Check and retry');
    expect(retryLabel('published')).toBeUndefined();
    expect(retryLabel('publishing')).toBeUndefined();
  });

  it('says why a target failed in words', () => {
    expect(targetErrorWords('reconnect_required', 'failed')).toBe('The account must be reconnected before Social Sync can publish to it.');
    expect(targetErrorWords('twitter: Too many requests', 'failed')).toBe('X: Too many requests');
    expect(targetErrorWords(null, 'unconfirmed')).toBe('Social Sync could not confirm whether the platform published this post.');
    expect(targetErrorWords('', 'failed')).toBe('Publishing failed, and the platform gave no reason.');
    expect(targetErrorWords(null, 'published')).toBeUndefined();
  });

  it('knows when something is being published (the page refreshes fast then)', () => {
    expect(isPublishing({ status: 'scheduled', targets: [{ status: 'scheduled' }] })).toBe(false);
    expect(isPublishing({ status: 'partially_published', targets: [{ status: 'published' }, { status: 'publishing' }] })).toBe(true);
  });

  it('places a post at its scheduled time, else its first publication, else its creation', () => {
    const targets = [{ published_at: '2026-12-02T10:05:00Z' }, { published_at: '2026-12-02T10:04:00Z' }, { published_at: null }];
    expect(postInstant({ scheduled_at: '2026-12-02T10:00:00Z', created_at: '2026-12-01T00:00:00Z', targets })).toBe(
      Date.parse('2026-12-02T10:00:00Z'),
    );
    expect(postInstant({ scheduled_at: null, created_at: '2026-12-01T00:00:00Z', targets })).toBe(Date.parse('2026-12-02T10:04:00Z'));
    expect(postInstant({ created_at: '2026-12-01T00:00:00Z', targets: [] })).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(postInstant({ targets: [] })).toBeUndefined();
  });
});
