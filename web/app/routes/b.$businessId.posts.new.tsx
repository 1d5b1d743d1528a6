// Compose a post: the composer (components/PostComposer.tsx) with its loader and action (posts.server.ts).
import type { MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PostComposer } from '../components/PostComposer.js';
import { TimeZoneSetting } from '../components/TimeZoneSetting.js';
import { newComposerValues } from '../post-form.js';
import { composerAction, composerLoader } from '../posts.server.js';
import { zoneOrUtc } from '../zoned-time.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'New post') }];

export const loader = composerLoader;

export const action = composerAction;

export default function NewPost() {
  const { business } = useBusiness();
  const { now, accounts, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const timeZone = zoneOrUtc(business.time_zone);
  return (
    <>
      <div className="page-heading">
        <h1>New post</h1>
        <p className="muted">Write once, publish now or later to any of {business.name}’s accounts.</p>
      </div>
      <PostComposer
        accounts={accounts}
        timeZone={timeZone}
        initial={result?.values ?? newComposerValues(now, timeZone)}
        media={result?.media ?? []}
        errors={result?.errors}
        requestId={result?.requestId}
        editing={false}
        cancelHref={`/b/${business.id}/posts`}
        connectionsHref={`/b/${business.id}/connections`}
      />
      <TimeZoneSetting businessId={business.id} timeZone={timeZone} zones={timeZones} />
    </>
  );
}

export const ErrorBoundary = PageErrorBoundary;
