// The incremental read every provider shares (decision 018): listings are newest first, so the posts of
// a page published at or after `since` are a prefix, and the first older one ends the listing.

/** The posts of a newest-first page to keep for `since`, and whether the page reached older ones (stop paging). */
export function cutAtSince<T>(
  posts: T[],
  postedAt: (post: T) => Date | null,
  since: Date | null | undefined,
): { posts: T[]; passed: boolean } {
  if (!since) return { posts, passed: false };
  const older = posts.findIndex((post) => {
    const at = postedAt(post);
    return at !== null && at < since;
  });
  return older === -1 ? { posts, passed: false } : { posts: posts.slice(0, older), passed: true };
}
