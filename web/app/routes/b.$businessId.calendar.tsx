// Calendar: the business's scheduled and published posts on a month or week grid, each on its day in the
// business's time zone (not the server's, not the browser's). Server-rendered; paging is plain links.
import type { MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { businessPageTitle, useBusiness } from '../business-context.js';
import { PageErrorBoundary } from '../components/PageErrorBoundary.js';
import { PlatformBadge } from '../components/PlatformBadge.js';
import { SectionProblem } from '../components/SectionProblem.js';
import { TimeZoneSetting } from '../components/TimeZoneSetting.js';
import type { Post } from '../endpoints.server.js';
import { useAutoRevalidate } from '../hooks/use-auto-revalidate.js';
import { platformDisplayName } from '../platforms.js';
import { isPublishing, postInstant, postStatusLabel } from '../post-status.js';
import { calendarLoader } from '../posts.server.js';
import { STATUS_REFRESH_MS } from '../progress.js';
import {
  addDays,
  addMonths,
  bucketByDay,
  formatDay,
  formatMonth,
  formatShortDay,
  monthGrid,
  monthOf,
  timeOfDayAt,
  weekDays,
} from '../zoned-time.js';

export const meta: MetaFunction = ({ matches }) => [{ title: businessPageTitle(matches, 'Calendar') }];

export const loader = calendarLoader;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export default function Calendar() {
  const { business } = useBusiness();
  const { timeZone, view, date, today, posts, timeZones } = useLoaderData<typeof loader>();
  const list = posts.state === 'ready' ? posts.data : [];
  useAutoRevalidate(list.some(isPublishing) ? STATUS_REFRESH_MS.syncing : STATUS_REFRESH_MS.idle);
  const here = `/b/${business.id}/calendar`;
  const link = (v: string, d: string) => `${here}?view=${v}&date=${d}`;
  const weeks = view === 'month' ? monthGrid(monthOf(date)) : [weekDays(date)];
  const days = bucketByDay(
    list.filter((p) => p.status !== 'canceled'),
    (p) => postInstant(p),
    timeZone,
  );
  const title = view === 'month' ? formatMonth(monthOf(date)) : `Week of ${formatDay(weeks[0]![0]!)}`;
  const previous = view === 'month' ? addMonths(date, -1) : addDays(date, -7);
  const next = view === 'month' ? addMonths(date, 1) : addDays(date, 7);

  return (
    <>
      <div className="page-heading page-heading--split">
        <div>
          <h1>Calendar</h1>
          <p className="muted">Scheduled and published posts, on their day in {timeZone}.</p>
        </div>
        <Link to={`/b/${business.id}/posts/new`} className="button button--primary">
          New post
        </Link>
      </div>

      <div className="calendar-toolbar">
        <nav aria-label="Calendar view" className="filters">
          <ul className="filters__list">
            <li>
              <Link to={link('month', date)} className="filters__link" aria-current={view === 'month' ? 'page' : undefined} prefetch="none">
                Month
              </Link>
            </li>
            <li>
              <Link to={link('week', date)} className="filters__link" aria-current={view === 'week' ? 'page' : undefined} prefetch="none">
                Week
              </Link>
            </li>
          </ul>
        </nav>
        <nav aria-label={view === 'month' ? 'Months' : 'Weeks'} className="calendar-paging">
          <Link to={link(view, previous)} className="button button--quiet" prefetch="none">
            ← Previous<span className="visually-hidden"> {view}</span>
          </Link>
          <Link to={link(view, today)} className="button button--quiet" prefetch="none">
            Today
          </Link>
          <Link to={link(view, next)} className="button button--quiet" prefetch="none">
            Next<span className="visually-hidden"> {view}</span> →
          </Link>
        </nav>
      </div>

      <section className="panel section" aria-labelledby="calendar-title">
        <h2 id="calendar-title" className="calendar-title">
          {title}
        </h2>
        {posts.state !== 'ready' && <SectionProblem section={posts} what="Posts" />}
        <div className="table-scroll" role="region" aria-labelledby="calendar-title" tabIndex={0}>
          <table className={`calendar calendar--${view}`} data-testid="calendar">
            <thead>
              <tr>
                {WEEKDAYS.map((d) => (
                  <th key={d} scope="col">
                    <abbr title={d}>{d.slice(0, 3)}</abbr>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week[0]}>
                  {week.map((day) => (
                    <DayCell
                      key={day}
                      day={day}
                      posts={days.get(day) ?? []}
                      outside={view === 'month' && monthOf(day) !== monthOf(date)}
                      isToday={day === today}
                      timeZone={timeZone}
                      postsHref={`/b/${business.id}/posts`}
                    />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <TimeZoneSetting businessId={business.id} timeZone={timeZone} zones={timeZones} />
    </>
  );
}

function DayCell({
  day,
  posts,
  outside,
  isToday,
  timeZone,
  postsHref,
}: {
  day: string;
  posts: Post[];
  outside: boolean;
  isToday: boolean;
  timeZone: string;
  postsHref: string;
}) {
  return (
    <td className="calendar__day" data-day={day} data-outside={outside || undefined} data-today={isToday || undefined}>
      <span className="calendar__date">
        <span aria-hidden="true">{Number(day.slice(8))}</span>
        <span className="visually-hidden">{formatDay(day)}</span>
        {isToday && <span className="calendar__today"> Today</span>}
      </span>
      {posts.length > 0 && (
        <ul className="calendar__posts" aria-label={`${posts.length} post${posts.length === 1 ? '' : 's'} on ${formatShortDay(day)}`}>
          {posts.map((post) => {
            const status = postStatusLabel(post.status);
            const platforms = [...new Set(post.targets.map((t) => t.platform))];
            return (
              <li key={post.id} className={`cal-post cal-post--${status.tone}`} data-post-id={post.id} data-status={post.status}>
                <Link to={`${postsHref}#post-${post.id}`} className="cal-post__link">
                  <span className="cal-post__time">{timeOfDayAt(postInstant(post)!, timeZone)}</span>
                  <span className="cal-post__platforms" aria-hidden="true">
                    {platforms.map((p) => (
                      <PlatformBadge key={p} platform={p} />
                    ))}
                  </span>
                  <span className="visually-hidden">
                    {platforms.map((p) => platformDisplayName(p)).join(', ')}, {status.label}:{' '}
                  </span>
                  <span className="cal-post__text">{post.text || 'No text'}</span>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </td>
  );
}

export const ErrorBoundary = PageErrorBoundary;
