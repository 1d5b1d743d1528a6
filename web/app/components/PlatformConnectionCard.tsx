import type { Section } from '../api.server.js';
import type { ConnectionStatus } from '../endpoints.server.js';
import { AccountCard } from './AccountCard.js';
import { ConnectButton } from './ConnectButton.js';
import { PlatformBadge } from './PlatformBadge.js';
import { SectionProblem } from './SectionProblem.js';
import { StatusBadge } from './StatusBadge.js';

interface PlatformConnectionProps {
  platform: string;
  displayName: string;
  configured: boolean;
  connection: Section<ConnectionStatus>;
  now: number;
  here: string;
  /** Many accounts: the card says how many and offers Connect; the accounts table lists them. */
  compact?: boolean;
}

/** One platform's card on the Connections page: its connected accounts and how to connect (another) one. */
export function PlatformConnectionCard(props: PlatformConnectionProps) {
  return (
    <li id={`platform-${props.platform}`} className="card" data-platform={props.platform}>
      <div className="card__header">
        <PlatformBadge platform={props.platform} />
        <h2 className="card__title">{props.displayName}</h2>
      </div>
      <PlatformConnection {...props} />
    </li>
  );
}

function PlatformConnection({ platform, displayName, configured, connection, now, here, compact }: PlatformConnectionProps) {
  if (connection.state !== 'ready') {
    return (
      <>
        <SectionProblem section={connection} what="Status" compact />
        {configured && <ConnectButton platform={platform} label={`Connect ${displayName}`} here={here} primary />}
      </>
    );
  }
  const { accounts } = connection.data;

  if (accounts.length === 0) {
    return (
      <>
        <StatusBadge status={{ tone: 'neutral', label: 'Not connected' }} />
        {configured ? (
          <>
            <p className="muted card__text">Connect to keep this account’s posts and metrics in sync.</p>
            <ConnectButton platform={platform} label={`Connect ${displayName}`} here={here} primary />
          </>
        ) : (
          <p className="muted card__text">{displayName} is not set up on this server yet.</p>
        )}
      </>
    );
  }

  if (compact) {
    return (
      <>
        <p className="card__text" data-testid="platform-account-count">
          {accounts.length} connected account{accounts.length === 1 ? '' : 's'}, listed in the table below.
        </p>
        {configured && <ConnectButton platform={platform} label={`Connect another ${displayName} account`} here={here} />}
      </>
    );
  }

  return (
    <>
      <ul className="account-cards" aria-label={`Connected ${displayName} accounts`}>
        {accounts.map((account) => (
          <AccountCard key={String(account.id)} platform={platform} displayName={displayName} account={account} now={now} here={here} />
        ))}
      </ul>
      {/* A business may sync several accounts of a platform: adding one is offered however many there are. */}
      {configured && <ConnectButton platform={platform} label={`Connect another ${displayName} account`} here={here} />}
    </>
  );
}
