// The fake people who consent on the sandbox's consent pages, seeded the same way every time. The first
// identity of each provider is the consent page's default. Ids look like the real ones (LinkedIn member
// ids are opaque strings, X ids are snowflakes, Meta ids are long numbers) so clients that validate
// shapes are exercised.

interface LinkedInOrganization {
  id: string;
  name: string;
  vanityName: string;
}

export interface LinkedInMember {
  id: string;
  givenName: string;
  familyName: string;
  email: string;
  emailVerified: boolean;
  locale: { country: string; language: string };
  /** Organizations this member administers (role ADMINISTRATOR, state APPROVED). */
  organizations: LinkedInOrganization[];
}

export interface XUser {
  id: string;
  username: string;
  name: string;
  description: string;
  createdAt: string;
  followersCount: number;
  followingCount: number;
}

export interface InstagramAccount {
  id: string;
  username: string;
  name: string;
  followersCount: number;
}

export interface MetaPage {
  id: string;
  name: string;
  category: string;
  tasks: string[];
  instagram?: InstagramAccount;
}

export interface MetaUser {
  id: string;
  name: string;
  email: string;
  pages: MetaPage[];
}

export interface Identities {
  linkedin: LinkedInMember[];
  twitter: XUser[];
  meta: MetaUser[];
}

const pageTasks = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

export function seedIdentities(): Identities {
  return {
    linkedin: [
      {
        id: 'sbxLiMember01',
        givenName: 'Sandbox',
        familyName: 'Member',
        email: 'sandbox.member@example.com',
        emailVerified: true,
        locale: { country: 'US', language: 'en' },
        organizations: [{ id: '90000001', name: 'Sandbox Coffee Co.', vanityName: 'sandbox-coffee' }],
      },
      {
        id: 'sbxLiMember02',
        givenName: 'Second',
        familyName: 'Member',
        email: 'second.member@example.com',
        emailVerified: true,
        locale: { country: 'GB', language: 'en' },
        organizations: [{ id: '90000002', name: 'Sandbox Bakery Ltd', vanityName: 'sandbox-bakery' }],
      },
    ],
    twitter: [
      {
        id: '1700000000000000001',
        username: 'sandbox_x',
        name: 'Sandbox X',
        description: 'The sandbox X account. Coffee, mostly.',
        createdAt: '2020-03-14T09:26:53.000Z',
        followersCount: 1280,
        followingCount: 210,
      },
      {
        id: '1700000000000000002',
        username: 'sandbox_x_two',
        name: 'Sandbox X Two',
        description: 'A second sandbox X account.',
        createdAt: '2021-07-01T12:00:00.000Z',
        followersCount: 64,
        followingCount: 99,
      },
    ],
    meta: [
      {
        id: '10000000000000001',
        name: 'Sandbox Meta User',
        email: 'sandbox.meta@example.com',
        pages: [
          {
            id: '20000000000000001',
            name: 'Sandbox Coffee Co.',
            category: 'Coffee Shop',
            tasks: pageTasks,
            instagram: {
              id: '17841400000000001',
              username: 'sandbox_coffee',
              name: 'Sandbox Coffee Co.',
              followersCount: 4200,
            },
          },
          { id: '20000000000000002', name: 'Sandbox Bakery', category: 'Bakery', tasks: pageTasks },
        ],
      },
      {
        id: '10000000000000002',
        name: 'Second Meta User',
        email: 'second.meta@example.com',
        pages: [{ id: '20000000000000003', name: 'Second Sandbox Page', category: 'Restaurant', tasks: pageTasks }],
      },
    ],
  };
}

export type IdentityPlatform = keyof Identities;

export function identityLabel(platform: IdentityPlatform, identity: Identities[IdentityPlatform][number]): string {
  if (platform === 'twitter') {
    const u = identity as XUser;
    return `${u.name} (@${u.username}, id ${u.id})`;
  }
  if (platform === 'linkedin') {
    const m = identity as LinkedInMember;
    return `${m.givenName} ${m.familyName} (${m.id}; admin of ${m.organizations.map((o) => o.name).join(', ') || 'no organization'})`;
  }
  const u = identity as MetaUser;
  return `${u.name} (id ${u.id}; Pages: ${u.pages.map((p) => p.name).join(', ') || 'none'})`;
}

/** Every Meta Page and Instagram account, with the user who manages it. */
export function metaObjects(identities: Identities) {
  const pages = new Map<string, { user: MetaUser; page: MetaPage }>();
  const instagram = new Map<string, { user: MetaUser; page: MetaPage; account: InstagramAccount }>();
  for (const user of identities.meta) {
    for (const page of user.pages) {
      pages.set(page.id, { user, page });
      if (page.instagram) instagram.set(page.instagram.id, { user, page, account: page.instagram });
    }
  }
  return { pages, instagram };
}
