// Posts: every post of the business with each account's status, filtered (scheduled, published, needing
// attention, drafts), with a link to each published post, the reason a target failed, and edit, cancel
// and retry. Statuses refresh on their own, every 2 s while something is being published.
import type { MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { Banner } from '../components/Banner.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PostList } from '../components/PostList.js';
import { SectionProblem } from '../components/SectionProblem.js';
import { useAutoRevalidate } from '../hooks/use-auto-revalidate.js';
import { isPublishing, postInstant } from '../post-status.js';
import { postsAction, postsLoader, type PostFilter } from '../posts.server.js';
import { STATUS_REFRESH_MS } from '../progress.js';
import { formatInZone, zoneOrUtc } from '../zoned-time.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Posts') }];

export const loader = postsLoader;

export const action = postsAction;

const FILTERS: { value: PostFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'scheduled', label: 'Scheduled' },
  { value: 'published', label: 'Published' },
  { value: 'failed', label: 'Needs attention' },
  { value: 'draft', label: 'Drafts' },
];

/** How long after its time a scheduled post counts as due: the page refreshes fast until it starts. */
const DUE_SOON_MS = 60_000;

export default function Posts() {
  const { business } = useBusiness();
  const { now, filter, posts } = useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const timeZone = zoneOrUtc(business.time_zone);
  const here = `/b/${business.id}/posts`;
  const list = posts.state === 'ready' ? posts.data : [];
  const active = list.some((p) => isPublishing(p) || (p.status === 'scheduled' && (postInstant(p) ?? Infinity) <= now + DUE_SOON_MS));
  useAutoRevalidate(active || searchParams.get('done') === 'publishing' ? STATUS_REFRESH_MS.syncing : STATUS_REFRESH_MS.idle);
  const done = doneBanner(searchParams, list, timeZone);

  return (
    <>
      <div className="page-heading page-heading--split">
        <div>
          <h1>Posts</h1>
          <p className="muted">
            What {business.name} has published and will publish. Times are in {timeZone}.
          </p>
        </div>
        <Link to={`${here}/new`} className="button button--primary">
          New post
        </Link>
      </div>

      {done && (
        <Banner tone={done.tone} title={done.title} testId="posts-banner">
          <p>{done.message}</p>
          <p>
            <Link to={filter === 'all' ? here : `${here}?status=${filter}`} replace className="banner__dismiss">
              Dismiss
            </Link>
          </p>
        </Banner>
      )}
      {actionResult && (
        <Banner tone={actionResult.tone} title={actionResult.title} focus focusKey={actionResult} testId="action-result">
          <p>{actionResult.message}</p>
          {actionResult.requestId && (
            <p className="muted">
              Reference: <code>{actionResult.requestId}</code>
            </p>
          )}
        </Banner>
      )}

      <nav aria-label="Filter posts" className="filters">
        <ul className="filters__list">
          {FILTERS.map((f) => (
            <li key={f.value}>
              <Link
                to={f.value === 'all' ? here : `${here}?status=${f.value}`}
                className="filters__link"
                aria-current={filter === f.value ? 'page' : undefined}
                prefetch="none"
              >
                {f.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <section className="panel section" aria-label="Posts">
        {posts.state !== 'ready' ? (
          <SectionProblem section={posts} what="Posts" />
        ) : list.length === 0 ? (
          <p className="empty-state">
            {filter === 'all' ? 'No posts yet. ' : 'No posts here. '}
            <Link to={`${here}/new`}>Write one</Link>.
          </p>
        ) : (
          <PostList posts={list} timeZone={timeZone} businessId={business.id} action={`${here}?index`} />
        )}
      </section>
    </>
  );
}

function doneBanner(
  params: URLSearchParams,
  posts: { id: string; scheduled_at?: string | null; created_at?: string | null; targets: { published_at?: string | null }[] }[],
  timeZone: string,
): { tone: 'success' | 'info'; title: string; message: string } | undefined {
  const post = posts.find((p) => p.id === params.get('post'));
  const notice = params.get('notice') ?? '';
  const at = post ? postInstant(post) : undefined;
  switch (params.get('done')) {
    case 'publishing':
      return { tone: 'success', title: 'Publishing now', message: 'Each account’s status below updates as it is published.' };
    case 'scheduled':
      return {
        tone: 'success',
        title: 'Post scheduled',
        message:
          `${at === undefined ? 'It will be published at the time you chose.' : `It will be published ${formatInZone(at, timeZone)} (${timeZone}).`} ${notice}`.trim(),
      };
    case 'draft':
      return { tone: 'info', title: 'Draft saved', message: 'It is not published until you schedule it or publish it.' };
    case 'updated':
      return { tone: 'success', title: 'Post saved', message: `Your changes are saved. ${notice}`.trim() };
    default:
      return undefined;
  }
}

export const ErrorBoundary = PageErrorBoundary;
