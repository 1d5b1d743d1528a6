import { Form } from '@remix-run/react';
import { useState } from 'react';
import { reconnectReason, withPlatformNames } from '../connect-messages.js';
import type { ConnectedAccount } from '../endpoints.server.js';
import { accountName, expiryPhrase, formatDateTime } from '../format.js';
import { canRefreshToken } from '../platforms.js';
import { connectionLabel } from '../status.js';
import { ConnectButton } from './ConnectButton.js';
import { DisconnectControl } from './DisconnectControl.js';
import { RelativeTime } from './RelativeTime.js';
import { StatusBadge } from './StatusBadge.js';
import { SubmitButton } from './SubmitButton.js';

/** One connected account: avatar, name, status, token expiry, last sync; Reconnect, Refresh token, Disconnect. */
export function AccountCard({
  platform,
  displayName,
  account,
  now,
  here,
}: {
  platform: string;
  displayName: string;
  account: ConnectedAccount;
  now: number;
  here: string;
}) {
  const label = connectionLabel({
    is_connected: account.status !== 'connecting',
    status: account.status,
    requires_refresh: account.requires_refresh,
  });
  const name = account.display_name ?? account.username ?? `Account ${account.id}`;
  const handle = account.username && account.username !== name ? accountName(account.username) : undefined;
  const who = accountName(account.username) ?? name;
  const reconnectRequired = account.status === 'reconnect_required';

  return (
    <li className="account-card" data-account-id={String(account.id)} data-status={account.status ?? undefined}>
      <div className="account-card__identity">
        <Avatar url={account.avatar_url} name={name} />
        <div className="account-card__names">
          <p className="account-card__name">{name}</p>
          {handle && <p className="muted account-card__handle">{handle}</p>}
        </div>
        <StatusBadge status={label} />
      </div>

      {reconnectRequired && (
        <p className="alert alert--error account-card__alert">
          <strong>Reconnect required.</strong>{' '}
          {reconnectReason(account.status_message) ?? `${displayName} no longer accepts Social Sync’s access.`} Syncing is paused until you
          reconnect.
        </p>
      )}
      {!reconnectRequired && account.requires_refresh && (
        <p className="alert alert--warning account-card__alert">
          <strong>Reconnect soon.</strong> Access {expiryPhrase(account.expires_at, now)} and cannot be renewed automatically.
        </p>
      )}
      {!reconnectRequired && account.status_message && <p className="muted">{withPlatformNames(account.status_message)}</p>}

      <dl className="facts">
        <div>
          <dt>Access token</dt>
          <dd data-testid="token-expiry">
            {account.expires_at ? (
              <time dateTime={account.expires_at} title={formatDateTime(account.expires_at)}>
                {expiryPhrase(account.expires_at, now)}
              </time>
            ) : (
              expiryPhrase(null, now)
            )}
          </dd>
        </div>
        <div>
          <dt>Last synced</dt>
          <dd>
            <RelativeTime iso={account.last_sync_at} now={now} />
          </dd>
        </div>
      </dl>

      <div className="account-card__actions">
        <ConnectButton
          platform={platform}
          label="Reconnect"
          hiddenLabel={` ${displayName} ${who}`}
          here={here}
          primary={reconnectRequired}
        />
        {(account.can_refresh ?? canRefreshToken(platform)) && !reconnectRequired && (
          <Form method="post" action={here} className="inline-form">
            <input type="hidden" name="intent" value="refresh" />
            <input type="hidden" name="platform" value={platform} />
            <input type="hidden" name="account_id" value={String(account.id)} />
            <input type="hidden" name="account_name" value={who} />
            <SubmitButton label="Refresh token" hiddenLabel={` for ${who}`} intent="refresh" accountId={String(account.id)} />
          </Form>
        )}
        <DisconnectControl platform={platform} displayName={displayName} accountId={String(account.id)} who={who} here={here} />
      </div>
    </li>
  );
}

function Avatar({ url, name }: { url?: string | null; name: string }) {
  const [failed, setFailed] = useState(false);
  if (!url || failed || !/^https?:\/\//i.test(url)) {
    return (
      <span className="avatar avatar--initials" aria-hidden="true">
        {name.replace(/^@/, '').slice(0, 1).toUpperCase()}
      </span>
    );
  }
  // The name is written beside it, so the picture is decorative.
  return (
    <img
      className="avatar"
      src={url}
      alt=""
      width={44}
      height={44}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}
