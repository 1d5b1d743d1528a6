import { platformMonogram } from '../platforms.js';

/** The decorative mark beside a platform's name. */
export function PlatformBadge({ platform }: { platform: string }) {
  return (
    <span className={`platform-badge platform-badge--${platform}`} aria-hidden="true">
      {platformMonogram(platform)}
    </span>
  );
}
