import { Form } from '@remix-run/react';

export interface BusinessChoice {
  id: number;
  name: string;
}

/**
 * A labelled select and a Switch button. It does not navigate on change: a keyboard user arrowing through
 * the options would be sent to every business on the way (WCAG 3.2.2). A GET form, so it also works
 * before the page's JavaScript has loaded.
 */
export function BusinessSwitcher({
  current,
  businesses,
  section,
}: {
  current: BusinessChoice;
  businesses: BusinessChoice[];
  section?: string;
}) {
  return (
    <Form method="get" action="/b" className="switcher">
      <label htmlFor="business-switcher">Business</label>
      <select id="business-switcher" name="business" defaultValue={current.id} key={current.id}>
        {businesses.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </select>
      {section && <input type="hidden" name="section" value={section} />}
      <button type="submit" className="button button--quiet">
        Switch
      </button>
    </Form>
  );
}
