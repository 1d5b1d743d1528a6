import { platformColor, platformMonogram } from '../platforms.js';

/** The decorative mark beside a platform's name, in the platform's colour. */
export function PlatformBadge({ platform }: { platform: string }) {
  return (
    <span className="platform-badge" style={{ background: platformColor(platform) }} aria-hidden="true">
      {platformMonogram(platform)}
    </span>
  );
}
