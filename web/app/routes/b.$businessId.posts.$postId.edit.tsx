// Edit a post while it is a draft or scheduled: the composer, filled in with the post.
import type { MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PostComposer } from '../components/PostComposer.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { TimeZoneSetting } from '../components/TimeZoneSetting.js';
import { composerValuesOf } from '../post-form.js';
import { canEditPost, postStatusLabel } from '../post-status.js';
import { composerAction, composerLoader } from '../posts.server.js';
import { zoneOrUtc } from '../zoned-time.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Edit post') }];

export const loader = composerLoader;

export const action = composerAction;

export default function EditPost() {
  const { business } = useBusiness();
  const { now, accounts, post, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const timeZone = zoneOrUtc(business.time_zone);
  const postsHref = `/b/${business.id}/posts`;
  if (!post) return null;
  // Accounts the post goes to stay listed even if they could not be picked today (the API says why on save).
  const known = new Set(accounts.map((a) => a.id));
  const listed = [
    ...accounts,
    ...post.targets
      .filter((t) => !known.has(t.account_id))
      .map((t) => ({
        id: t.account_id,
        platform: t.platform,
        name: t.username ?? t.account_id,
        blocked: 'This account is no longer connected.',
      })),
  ];
  return (
    <>
      <div className="page-heading">
        <h1>
          Edit post <StatusBadge status={postStatusLabel(post.status)} />
        </h1>
      </div>
      {canEditPost(post.status) ? (
        <>
          <PostComposer
            accounts={listed}
            timeZone={timeZone}
            initial={result?.values ?? composerValuesOf(post, now, timeZone)}
            media={result?.media ?? post.media ?? []}
            errors={result?.errors}
            requestId={result?.requestId}
            editing
            cancelHref={postsHref}
            connectionsHref={`/b/${business.id}/connections`}
          />
          <TimeZoneSetting businessId={business.id} timeZone={timeZone} zones={timeZones} />
        </>
      ) : (
        <div className="alert alert--warning" role="note">
          <p>Publishing of this post has begun, so it can no longer be changed.</p>
          <p>
            <Link to={`${postsHref}#post-${post.id}`}>See its status in the posts list</Link>
          </p>
        </div>
      )}
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
