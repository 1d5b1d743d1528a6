import { Form, Link } from '@remix-run/react';
import { BusinessSwitcher, type BusinessChoice } from './BusinessSwitcher.js';

export interface AppHeaderProps {
  user?: { email: string };
  business?: BusinessChoice;
  /** Every business the user belongs to; the switcher shows when there is more than one. */
  businesses?: BusinessChoice[];
  /** The section being viewed, kept when switching business. */
  section?: string;
}

export function AppHeader({ user, business, businesses = [], section }: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link to="/" className="brand">
          <span className="brand__mark" aria-hidden="true" />
          Social Sync
        </Link>
        {business && (
          <div className="app-header__business">
            <span className="visually-hidden">Business: </span>
            <span className="business-name" data-testid="business-name">
              {business.name}
            </span>
          </div>
        )}
        {business && businesses.length > 1 && <BusinessSwitcher current={business} businesses={businesses} section={section} />}
        <div className="app-header__account">
          {user && (
            <span className="app-header__email">
              <span className="visually-hidden">Signed in as </span>
              {user.email}
            </span>
          )}
          <Form method="post" action="/logout">
            <button type="submit" className="button button--quiet">
              Log out
            </button>
          </Form>
        </div>
      </div>
    </header>
  );
}
