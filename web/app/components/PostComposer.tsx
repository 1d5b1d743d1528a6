// The composer: accounts to post to, one text (and an account's own text where it should differ), images,
// a preview per account with its live character counter and problems (counted as the platform counts),
// and now or a date and time in the business's time zone. A plain multipart form the route's action
// handles, so it works before (and without) JavaScript; with it the previews and counters are live.
import { Form, Link, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { composeProblems } from '../../../providers/compose-rules.js';
import type { MediaFacts } from '../../../providers/contract.js';
import type { Media } from '../endpoints.server.js';
import { platformDisplayName } from '../platforms.js';
import { counterView, joinThread, splitThread, type ComposerAccount, type ComposerErrors, type ComposerValues } from '../post-form.js';
import { Banner } from './Banner.js';
import { PlatformBadge } from './PlatformBadge.js';

/** An image chosen in the file input but not uploaded yet (it is, with the form). */
interface PendingImage {
  name: string;
  type: string;
  size: number;
  url: string;
}

const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp';

export function PostComposer({
  accounts,
  timeZone,
  initial,
  media,
  errors,
  requestId,
  editing,
  cancelHref,
  connectionsHref,
}: {
  accounts: ComposerAccount[];
  timeZone: string;
  initial: ComposerValues;
  media: Media[];
  errors?: ComposerErrors;
  requestId?: string | null;
  editing: boolean;
  cancelHref: string;
  connectionsHref: string;
}) {
  const navigation = useNavigation();
  const submitting = navigation.state === 'submitting';
  const submittedIntent = submitting ? navigation.formData?.get('intent') : undefined;

  const [text, setText] = useState(initial.text);
  const [selected, setSelected] = useState<string[]>(initial.accountIds);
  const [own, setOwn] = useState<Record<string, { on: boolean; text: string }>>(() =>
    Object.fromEntries(Object.entries(initial.overrides).map(([id, t]) => [id, { on: true, text: t }])),
  );
  // The thread box of each X account, as typed (tweets ended by a `---` line).
  const [threads, setThreads] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(initial.threads).map(([id, tweets]) => [id, joinThread(tweets)])),
  );
  const [when, setWhen] = useState(initial.when);
  const [removed, setRemoved] = useState<string[]>([]);
  const [pending, setPending] = useState<PendingImage[]>([]);
  // The server's problems describe the post as it was sent: once it is changed, only the live checks show.
  const [edited, setEdited] = useState(false);
  useEffect(() => setEdited(false), [errors]);
  useEffect(() => () => pending.forEach((p) => URL.revokeObjectURL(p.url)), [pending]);

  // Files sent with a refused submit are stored already and come back in `media`: clear the file input
  // (its key) so the next submit does not upload them again.
  const mediaKey = media.map((m) => m.id).join(',');
  useEffect(() => setPending([]), [mediaKey]);

  const keptMedia = media.filter((m) => !removed.includes(m.id));
  // What compose-rules checks: the stored images' facts, and for chosen files what the browser knows
  // before upload (the server checks their dimensions once they are stored).
  const facts: MediaFacts[] = [
    ...keptMedia.map((m) => ({ mimeType: m.mime_type ?? 'image/jpeg', bytes: m.bytes ?? 0, width: m.width ?? 0, height: m.height ?? 0 })),
    ...pending.map((p) => ({ mimeType: p.type, bytes: p.size, width: 0, height: 0 })),
  ];
  const images = [...keptMedia.map((m) => m.url), ...pending.map((p) => p.url)];
  const chosen = accounts.filter((a) => selected.includes(a.id) && !a.blocked);
  const textFor = (id: string) => (own[id]?.on ? own[id].text : text);
  const overLimit = chosen
    .map((a) => ({ a, counter: counterView(a.platform, textFor(a.id)) }))
    .filter(({ counter }) => counter?.over)
    .map(({ a, counter }) => `${platformDisplayName(a.platform)} ${a.name}: ${counter!.words}.`)
    .join(' ');

  return (
    <Form method="post" encType="multipart/form-data" className="composer" noValidate onChange={() => setEdited(true)}>
      {errors?.form && (
        <Banner
          tone="danger"
          title={editing ? 'The post was not saved' : 'The post was not created'}
          focus
          focusKey={errors}
          testId="composer-error"
        >
          <p>{errors.form}</p>
          {requestId && (
            <p className="muted">
              Reference: <code>{requestId}</code>
            </p>
          )}
        </Banner>
      )}

      <fieldset className="panel composer__section" aria-describedby={errors?.accounts ? 'accounts-error' : undefined}>
        <legend className="composer__legend">Post to</legend>
        {accounts.length === 0 ? (
          <p className="empty-state">
            No accounts are connected. <Link to={connectionsHref}>Connect one under Connections</Link> to publish to it.
          </p>
        ) : (
          <ul className="account-choices">
            {accounts.map((a) => (
              <li key={a.id} className="account-choice" data-blocked={a.blocked ? 'true' : undefined}>
                <label>
                  <input
                    type="checkbox"
                    name="account_ids"
                    value={a.id}
                    checked={selected.includes(a.id) && !a.blocked}
                    disabled={Boolean(a.blocked)}
                    aria-describedby={a.blocked ? `account-${a.id}-blocked` : undefined}
                    onChange={(event) => {
                      const on = event.currentTarget.checked;
                      setSelected((current) => (on ? [...current, a.id] : current.filter((id) => id !== a.id)));
                    }}
                  />
                  <PlatformBadge platform={a.platform} />
                  <span>
                    {platformDisplayName(a.platform)} <span className="muted">{a.name}</span>
                  </span>
                </label>
                {a.blocked && (
                  <p id={`account-${a.id}-blocked`} className="account-choice__reason">
                    {a.blocked}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
        {errors?.accounts && (
          <p id="accounts-error" className="field-error">
            {errors.accounts}
          </p>
        )}
      </fieldset>

      <div className="panel composer__section">
        <div className="field">
          <label htmlFor="post-text">Text</label>
          <textarea id="post-text" name="text" rows={6} value={text} onChange={(event) => setText(event.currentTarget.value)} />
        </div>

        <fieldset className="composer__images">
          <legend className="composer__legend composer__legend--small">Images</legend>
          {media.length > 0 && (
            <ul className="media-list">
              {media.map((m, i) => (
                <li key={m.id} className="media-item" data-removed={removed.includes(m.id) || undefined}>
                  <img src={m.url} alt={`Image ${i + 1}`} width={96} height={96} />
                  <input type="hidden" name="media_ids" value={m.id} />
                  <input type="hidden" name="media" value={JSON.stringify(m)} />
                  <label>
                    <input
                      type="checkbox"
                      name="remove_media"
                      value={m.id}
                      checked={removed.includes(m.id)}
                      onChange={(event) => {
                        const on = event.currentTarget.checked;
                        setRemoved((current) => (on ? [...current, m.id] : current.filter((id) => id !== m.id)));
                      }}
                    />{' '}
                    Remove<span className="visually-hidden"> image {i + 1}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <div className="field">
            <label htmlFor="post-images">Add images</label>
            <input
              key={mediaKey}
              id="post-images"
              type="file"
              name="images"
              accept={ACCEPT}
              multiple
              aria-describedby="post-images-help"
              onChange={(event) => {
                const files = [...(event.currentTarget.files ?? [])];
                setPending(files.map((f) => ({ name: f.name, type: f.type, size: f.size, url: URL.createObjectURL(f) })));
              }}
            />
            <p id="post-images-help" className="muted">
              JPEG, PNG, GIF or WebP. They are uploaded with the post. Instagram needs at least one image (JPEG).
            </p>
          </div>
        </fieldset>
      </div>

      {accounts.length > 0 && (
        <section className="composer__section" aria-labelledby="preview-title">
          <h2 id="preview-title" className="composer__legend">
            Preview
          </h2>
          {chosen.length === 0 ? (
            <p className="muted">Choose an account above to see how the post looks there.</p>
          ) : (
            <ul className="previews">
              {chosen.map((a) => (
                <AccountPreview
                  key={a.id}
                  account={a}
                  text={textFor(a.id)}
                  images={images}
                  facts={facts}
                  own={own[a.id]}
                  onOwnChange={(value) => setOwn((current) => ({ ...current, [a.id]: value }))}
                  thread={threads[a.id] ?? ''}
                  onThreadChange={(value) => setThreads((current) => ({ ...current, [a.id]: value }))}
                  sharedText={text}
                  serverProblems={edited ? [] : (errors?.accountProblems[a.id] ?? [])}
                />
              ))}
            </ul>
          )}
          {/* One polite announcement of what is over a limit, not one per keystroke. */}
          <p className="visually-hidden" role="status" aria-live="polite">
            {overLimit}
          </p>
        </section>
      )}

      <fieldset className="panel composer__section" aria-describedby={errors?.when ? 'when-error' : 'when-help'}>
        <legend className="composer__legend">When</legend>
        <div className="when-choices">
          <label>
            <input type="radio" name="when" value="now" checked={when === 'now'} onChange={() => setWhen('now')} /> Publish now
          </label>
          <label>
            <input type="radio" name="when" value="later" checked={when === 'later'} onChange={() => setWhen('later')} /> Schedule for
          </label>
          <div className="when-later">
            <label>
              <span className="visually-hidden">Publish on </span>Date
              <input
                type="date"
                name="date"
                defaultValue={initial.date}
                aria-invalid={errors?.when ? true : undefined}
                onFocus={() => setWhen('later')}
              />
            </label>
            <label>
              Time
              <input
                type="time"
                name="time"
                defaultValue={initial.time}
                aria-invalid={errors?.when ? true : undefined}
                onFocus={() => setWhen('later')}
              />
            </label>
          </div>
        </div>
        <p id="when-help" className="muted" data-testid="composer-time-zone">
          Times are in <strong>{timeZone}</strong>. <a href="#time-zone">Change the time zone</a>
        </p>
        {errors?.when && (
          <p id="when-error" className="field-error">
            {errors.when}
          </p>
        )}
      </fieldset>

      <div className="actions">
        <button
          type="submit"
          name="intent"
          value="publish"
          className="button button--primary"
          aria-busy={submittedIntent === 'publish' || undefined}
          onClick={(event) => submitting && event.preventDefault()}
        >
          {submittedIntent === 'publish' && <span className="spinner" aria-hidden="true" />}
          {when === 'later' ? (editing ? 'Save and schedule' : 'Schedule post') : 'Publish now'}
        </button>
        <button
          type="submit"
          name="intent"
          value="draft"
          className="button"
          aria-busy={submittedIntent === 'draft' || undefined}
          onClick={(event) => submitting && event.preventDefault()}
        >
          {submittedIntent === 'draft' && <span className="spinner" aria-hidden="true" />}
          Save as draft
        </button>
        <Link to={cancelHref}>{editing ? 'Back to posts without saving' : 'Back to posts'}</Link>
      </div>
    </Form>
  );
}

function AccountPreview({
  account: a,
  text,
  images,
  facts,
  own,
  onOwnChange,
  thread,
  onThreadChange,
  sharedText,
  serverProblems,
}: {
  account: ComposerAccount;
  text: string;
  images: string[];
  facts: MediaFacts[];
  own?: { on: boolean; text: string };
  onOwnChange: (value: { on: boolean; text: string }) => void;
  thread: string;
  onThreadChange: (value: string) => void;
  sharedText: string;
  serverProblems: string[];
}) {
  const name = `${platformDisplayName(a.platform)} ${a.name}`;
  const counter = counterView(a.platform, text);
  const isX = a.platform === 'twitter';
  const tweets = isX ? splitThread(thread) : [];
  // Each further tweet is held to the same rules as the first (its images stay with the first), as the API does.
  const threadProblems = tweets.flatMap((tweet, i) =>
    composeProblems(a.platform, { text: tweet, media: [] }).map((p) => `Tweet ${i + 2} of the thread: ${p}`),
  );
  const problems = [...new Set([...composeProblems(a.platform, { text, media: facts }), ...threadProblems, ...serverProblems])];
  const counterId = `counter-${a.id}`;
  return (
    <li className="preview" data-account-id={a.id} data-platform={a.platform} aria-label={`Preview for ${name}`}>
      <div className="preview__header">
        <PlatformBadge platform={a.platform} />
        <span className="preview__name">{name}</span>
        {counter && (
          <span id={counterId} className={`counter${counter.over ? ' counter--over' : ''}`} data-testid="counter" title={counter.words}>
            <span aria-hidden="true">{counter.short}</span>
            <span className="visually-hidden">{counter.words}</span>
          </span>
        )}
      </div>
      <p className="preview__text">{text.trim() ? text : <span className="muted">No text</span>}</p>
      {images.length > 0 && (
        <ul className="preview__images" aria-label={`${images.length} image${images.length === 1 ? '' : 's'}`}>
          {images.map((url, i) => (
            <li key={url}>
              <img src={url} alt="" width={64} height={64} data-index={i} />
            </li>
          ))}
        </ul>
      )}
      <label className="preview__own">
        <input
          type="checkbox"
          name={`own_text_${a.id}`}
          checked={own?.on ?? false}
          onChange={(event) => onOwnChange({ on: event.currentTarget.checked, text: own?.text || sharedText })}
        />{' '}
        Write different text for {name}
      </label>
      {own?.on && (
        <textarea
          name={`text_${a.id}`}
          rows={4}
          aria-label={`Text for ${name}`}
          aria-describedby={counter ? counterId : undefined}
          value={own.text}
          onChange={(event) => onOwnChange({ on: true, text: event.currentTarget.value })}
        />
      )}
      {isX && (
        <label className="preview__thread">
          Continue as a thread on X: the next tweets, each ended by a line of only ---
          <textarea
            name={`thread_${a.id}`}
            rows={3}
            value={thread}
            placeholder={'Second tweet\n---\nThird tweet'}
            onChange={(event) => onThreadChange(event.currentTarget.value)}
          />
          {tweets.length > 0 && (
            <span className="muted" data-testid="thread-count">
              A thread of {tweets.length + 1} tweets
            </span>
          )}
        </label>
      )}
      {problems.length > 0 && (
        <ul className="preview__problems" aria-label={`Problems for ${name}`} data-testid="account-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </li>
  );
}
