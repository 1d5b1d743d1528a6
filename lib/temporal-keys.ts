// Search attributes shared by workflow code (deterministic, bundled) and the processes around it. Only
// @temporalio/common here: the workflow bundle must not pull in the client or Node APIs.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Operators find accounts by these in the Temporal UI; the dev server registers them at start. */
export const SEARCH_ATTRIBUTE_TYPES = {
  BusinessId: 'Keyword',
  Platform: 'Keyword',
  AccountStatus: 'Keyword',
  TokenExpiresAt: 'Datetime',
  PostStatus: 'Keyword',
} as const;

export const searchAttributes = {
  businessId: defineSearchAttributeKey('BusinessId', SearchAttributeType.KEYWORD),
  platform: defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD),
  accountStatus: defineSearchAttributeKey('AccountStatus', SearchAttributeType.KEYWORD),
  tokenExpiresAt: defineSearchAttributeKey('TokenExpiresAt', SearchAttributeType.DATETIME),
  postStatus: defineSearchAttributeKey('PostStatus', SearchAttributeType.KEYWORD),
};
