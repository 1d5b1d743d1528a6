import { Form, Link } from '@remix-run/react';
import type { Section } from '../api.server.js';
import { connectErrorMessage } from '../connect-messages.js';
import type { MetaPages } from '../endpoints.server.js';
import { Banner } from './Banner.js';
import { SectionProblem } from './SectionProblem.js';
import { SubmitButton } from './SubmitButton.js';

/**
 * Meta's Page picker, after Facebook's consent page sent the browser back with ?meta_pending=: the Pages
 * the user manages and their linked Instagram accounts, all checked; submitting connects the chosen ones.
 */
export function MetaPagePicker({ section, pendingId, here }: { section: Section<MetaPages>; pendingId: number; here: string }) {
  return (
    <section className="panel section meta-picker" aria-labelledby="meta-picker-title">
      <h2 id="meta-picker-title">Choose Facebook Pages and Instagram accounts</h2>
      {section.state === 'unavailable' ? (
        <Banner tone="danger" title={connectErrorMessage('selection_expired').title}>
          <p>
            This Page selection has expired or was already used. Choose Connect on Facebook Pages or Instagram Business to sign in again.
          </p>
        </Banner>
      ) : section.state === 'error' ? (
        <SectionProblem section={section} what="The Pages to choose from" />
      ) : section.data.pages.length === 0 ? (
        <p className="empty-state">
          Facebook did not list any Pages you manage, so there is nothing to connect. <Link to={here}>Back</Link>
        </p>
      ) : (
        <Form method="post" action={`${here}?meta_pending=${pendingId}`} className="form">
          <p className="muted">
            Facebook granted Social Sync access. Choose what it should keep in sync; an Instagram Business account is synced through its
            linked Page.
          </p>
          <input type="hidden" name="intent" value="meta_select" />
          <input type="hidden" name="pending_id" value={pendingId} />
          <fieldset className="checklist">
            <legend>Pages and their Instagram accounts</legend>
            {section.data.pages.map((page) => (
              <div key={page.pageId} className="checklist__group">
                <div className="checkbox">
                  <input type="checkbox" id={`page-${page.pageId}`} name="page_ids" value={page.pageId} defaultChecked />
                  <label htmlFor={`page-${page.pageId}`}>
                    {page.pageName}
                    {page.category && <span className="muted"> · {page.category}</span>}
                  </label>
                </div>
                {page.instagram && (
                  <div className="checkbox checkbox--nested">
                    <input
                      type="checkbox"
                      id={`instagram-${page.instagram.id}`}
                      name="instagram_ids"
                      value={page.instagram.id}
                      defaultChecked
                    />
                    <label htmlFor={`instagram-${page.instagram.id}`}>
                      Instagram {page.instagram.username ? `@${page.instagram.username}` : page.instagram.id}
                      <span className="muted"> · linked to {page.pageName}</span>
                    </label>
                  </div>
                )}
              </div>
            ))}
          </fieldset>
          <div className="actions">
            <SubmitButton label="Connect selected" intent="meta_select" primary />
            <Link to={here} className="button">
              Cancel
            </Link>
          </div>
        </Form>
      )}
    </section>
  );
}
