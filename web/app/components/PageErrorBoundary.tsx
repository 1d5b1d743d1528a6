import { useLocation, useRouteError } from '@remix-run/react';
import { describeError, ErrorPanel } from './ErrorPanel.js';

/** A page's error inside the business layout: header and tabs stay, so the user is never stranded. */
export function PageErrorBoundary() {
  const error = describeError(useRouteError());
  const { pathname, search } = useLocation();
  return (
    <ErrorPanel error={error} headingLevel={1}>
      <p className="actions">
        <a className="button" href={`${pathname}${search}`}>
          Try again
        </a>
      </p>
    </ErrorPanel>
  );
}
