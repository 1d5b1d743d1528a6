import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { ApiError } from '../api.server.js';
import { logIn } from '../endpoints.server.js';
import { createUserSession, getSession, safeRedirect } from '../session.server.js';

export const meta: MetaFunction = () => [{ title: 'Sign in · Social Sync' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request);
  if (session.get('apiToken')) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get('redirectTo')));
  }
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData().catch(() => new FormData()); // a body that is not a form is an empty one
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  const redirectTo = safeRedirect(form.get('redirectTo'));
  if (!email || !password) {
    return data({ error: 'Enter your email and password.', email }, { status: 400 });
  }
  try {
    const login = await logIn(request, { email, password });
    const cookie = await createUserSession({
      token: login.token,
      expiresAt: login.expires_at,
      businessId: login.businesses[0]?.id,
    });
    return redirect(redirectTo, { headers: { 'Set-Cookie': cookie } });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return data({ error: loginErrorMessage(error), email }, { status: error.status });
  }
}

function loginErrorMessage(error: ApiError): string {
  switch (error.status) {
    case 401:
      return 'Email or password is incorrect.';
    case 400:
      return 'Enter a valid email address and your password.';
    case 429: {
      const seconds = error.retryAfterSeconds;
      const wait = seconds === undefined ? 'in a minute' : seconds <= 1 ? 'in a second' : `in ${seconds} seconds`;
      return `Too many sign-in attempts. Try again ${wait}.`;
    }
    default:
      return error.status >= 500 ? error.message : 'Signing in failed. Try again in a moment.';
  }
}

export default function LoginPage() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === 'submitting';
  const error = actionData?.error;

  return (
    <main id="main" className="auth">
      <div className="auth__card panel">
        <p className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          Social Sync
        </p>
        <h1>Sign in</h1>
        <p className="muted">Keep your social accounts connected and in sync.</p>

        {error && (
          <div className="alert alert--error" role="alert" id="login-error">
            {error}
          </div>
        )}

        <Form method="post" className="form" aria-describedby={error ? 'login-error' : undefined}>
          <input type="hidden" name="redirectTo" value={searchParams.get('redirectTo') ?? ''} />
          <div className="field">
            <label htmlFor="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              defaultValue={actionData?.email}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={error ? true : undefined}
            />
          </div>
          <button type="submit" className="button button--primary button--block" aria-busy={submitting || undefined}>
            Sign in
          </button>
        </Form>
      </div>
    </main>
  );
}
