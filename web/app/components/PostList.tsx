// The posts list: one compact row per post (its time in the business's zone, status, text) and a line per
// account it goes to, with that target's status, a link to the published post, the error in words, and
// the actions the status allows (edit and cancel the post; retry, or check and retry, one target).
import { Form, Link, useNavigation } from '@remix-run/react';
import type { Post, PostTarget } from '../endpoints.server.js';
import { accountName } from '../format.js';
import { platformDisplayName } from '../platforms.js';
import {
  canCancelPost,
  canEditPost,
  postInstant,
  postStatusLabel,
  retryLabel,
  targetErrorWords,
  targetStatusLabel,
} from '../post-status.js';
import { formatInZone } from '../zoned-time.js';
import { PlatformBadge } from './PlatformBadge.js';
import { StatusBadge } from './StatusBadge.js';

export function PostList({ posts, timeZone, businessId, action }: { posts: Post[]; timeZone: string; businessId: number; action: string }) {
  return (
    <ul className="post-list" aria-label="Posts">
      {posts.map((post) => (
        <PostRow key={post.id} post={post} timeZone={timeZone} businessId={businessId} action={action} />
      ))}
    </ul>
  );
}

function PostRow({ post, timeZone, businessId, action }: { post: Post; timeZone: string; businessId: number; action: string }) {
  const at = postInstant(post);
  const when = at === undefined ? 'No time set' : formatInZone(at, timeZone);
  const headingId = `post-${post.id}-title`;
  return (
    <li className="post-row" id={`post-${post.id}`} data-post-id={post.id} data-status={post.status} aria-labelledby={headingId}>
      <div className="post-row__when">
        <h2 id={headingId} className="post-row__time">
          <span className="visually-hidden">Post of </span>
          {at === undefined ? when : <time dateTime={new Date(at).toISOString()}>{when}</time>}
        </h2>
        <StatusBadge status={postStatusLabel(post.status)} />
      </div>
      <div className="post-row__main">
        <p className="post-row__text">{post.text.trim() ? post.text : <span className="muted">No text</span>}</p>
        {post.targets.length > 0 && (
          <ul className="targets" aria-label="Accounts">
            {post.targets.map((t) => (
              <TargetLine key={t.account_id} target={t} postId={post.id} action={action} />
            ))}
          </ul>
        )}
      </div>
      <div className="post-row__actions">
        {canEditPost(post.status) && (
          <Link to={`/b/${businessId}/posts/${post.id}/edit`} className="button button--quiet">
            Edit<span className="visually-hidden"> the post of {when}</span>
          </Link>
        )}
        {canCancelPost(post.status) && <CancelControl postId={post.id} when={when} action={action} />}
      </div>
    </li>
  );
}

function TargetLine({ target: t, postId, action }: { target: PostTarget; postId: string; action: string }) {
  const platform = platformDisplayName(t.platform);
  const name = accountName(t.username) ?? t.display_name ?? '';
  const error = t.status === 'failed' || t.status === 'unconfirmed' ? targetErrorWords(t.error, t.status) : undefined;
  const retry = retryLabel(t.status);
  const navigation = useNavigation();
  const retrying =
    navigation.state === 'submitting' &&
    navigation.formData?.get('intent') === 'retry' &&
    navigation.formData.get('post_id') === postId &&
    navigation.formData.get('account_id') === t.account_id;
  return (
    <li className="target" data-account-id={t.account_id} data-platform={t.platform} data-status={t.status}>
      <PlatformBadge platform={t.platform} />
      <span className="target__name">
        {platform} {name && <span className="muted">{name}</span>}
      </span>
      <StatusBadge status={targetStatusLabel(t.status)} />
      {t.permalink && /^https?:\/\//i.test(t.permalink) && (
        <a className="target__link" href={t.permalink} target="_blank" rel="noreferrer">
          View on {platform}
          <span className="visually-hidden"> ({name || platform}, opens in a new tab)</span>
        </a>
      )}
      {error && <span className="target__error">{error}</span>}
      {retry && (
        <Form method="post" action={action} className="target__retry">
          <input type="hidden" name="intent" value="retry" />
          <input type="hidden" name="post_id" value={postId} />
          <input type="hidden" name="account_id" value={t.account_id} />
          <button
            type="submit"
            className="button button--quiet"
            aria-busy={retrying || undefined}
            onClick={(e) => retrying && e.preventDefault()}
          >
            {retrying && <span className="spinner" aria-hidden="true" />}
            {retry}
            <span className="visually-hidden">
              {' '}
              for {platform} {name}
            </span>
          </button>
        </Form>
      )}
    </li>
  );
}

/** Cancel asks first: a disclosure with the question and a "Yes, cancel it" that submits. Works without JavaScript. */
function CancelControl({ postId, when, action }: { postId: string; when: string; action: string }) {
  return (
    <details className="cancel-post">
      <summary className="button button--quiet">
        Cancel<span className="visually-hidden"> the post of {when}</span>
      </summary>
      <Form method="post" action={action} className="cancel-post__confirm" role="group" aria-label={`Cancel the post of ${when}?`}>
        <p>It will not be published. This cannot be undone.</p>
        <input type="hidden" name="intent" value="cancel" />
        <input type="hidden" name="post_id" value={postId} />
        <button type="submit" name="confirm" value="yes" className="button button--danger">
          Yes, cancel it
        </button>
      </Form>
    </details>
  );
}
