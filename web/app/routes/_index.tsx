import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { throwRouteError } from '../api.server.js';
import { AppHeader } from '../components/AppHeader.js';
import { getMe } from '../endpoints.server.js';
import { getSession } from '../session.server.js';

export const meta: MetaFunction = () => [{ title: 'Social Sync' }];

/** Home: straight to the business last chosen (or the first one); a user with none gets a page saying so. */
export async function loader({ request }: LoaderFunctionArgs) {
  const me = await getMe(request).catch(throwRouteError);
  const chosen = (await getSession(request)).get('businessId');
  const business = me.businesses.find((b) => b.id === chosen) ?? me.businesses[0];
  if (business) {
    // The API's OAuth callback sends the browser here with ?error= when it could not tell which business
    // the sign-in was for (an unknown or tampered state): show that on Connections rather than drop it.
    const params = new URL(request.url).searchParams;
    const error = params.get('error');
    if (error && /^[a-z_]{1,64}$/.test(error)) {
      const platform = params.get('platform');
      const forwarded = new URLSearchParams({ error, ...(platform && /^[a-z]{1,20}$/.test(platform) ? { platform } : {}) });
      throw redirect(`/b/${business.id}/connections?${forwarded}`);
    }
    throw redirect(`/b/${business.id}`);
  }
  return { email: me.user.email };
}

export default function NoBusiness() {
  const { email } = useLoaderData<typeof loader>();
  return (
    <>
      <AppHeader user={{ email }} />
      <main id="main" className="page">
        <section className="panel empty-state" aria-labelledby="no-business-title">
          <h1 id="no-business-title">You don’t belong to any business yet</h1>
          <p>
            Social Sync works per business. Ask an owner of your business to add <strong>{email}</strong>, then sign in again.
          </p>
        </section>
      </main>
    </>
  );
}
