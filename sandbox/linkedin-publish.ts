// LinkedIn publishing: POST /rest/posts for members and organizations (201, the URN in x-restli-id),
// images by POST /rest/images?action=initializeUpload then PUT to the uploadUrl, GET /rest/images/{urn}.
// Documented contract: learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api,
// images-api, little-text-format. Observed: the 422 DUPLICATE_POST body naming the existing URN, and the
// silent truncation at an unescaped reserved character (PUBLISHING.md 1.2).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { currentEpoch, publishedAsPost, timeId } from './content.js';
import { bearerToken } from './http.js';
import { apiError, authenticate, denied, hasAny, type Caller } from './linkedin-api.js';
import { parseLittleText } from './little-text.js';
import { rawBody } from './multipart.js';
import { nextSerial, postsOf, type UploadedMedia } from './published.js';
import { secret } from './random.js';
import { checkToken, type SandboxState } from './store.js';

const VISIBILITY = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN'];

/** Rest.li's validation message for a missing or bad field (422). */
function invalidField(res: Response, path: string, problem = 'field is required but not found and has no default value') {
  apiError(res, 422, undefined, undefined, `ERROR :: ${path} :: ${problem}\n`);
}

/**
 * The account an author URN names if the caller may post as it: itself with w_member_social, or an
 * organization it administers with w_organization_social. undefined: a 403 was sent.
 */
function authorAccount(res: Response, caller: Caller, urn: string, resource: string, version?: string) {
  const personId = urn.match(/^urn:li:person:(.+)$/)?.[1];
  if (personId && personId === caller.member.id && hasAny(caller.token, ['w_member_social'])) return personId;
  const orgId = urn.match(/^urn:li:organization:(\d+)$/)?.[1];
  if (orgId && caller.member.organizations.some((o) => o.id === orgId) && hasAny(caller.token, ['w_organization_social'])) return orgId;
  denied(res, resource, version);
  return undefined;
}

export function linkedinPublishRouter(state: SandboxState): Router {
  const router = express.Router();

  router.post('/rest/images', express.json(), (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    if (req.query.action !== 'initializeUpload')
      return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'Unsupported action; expected initializeUpload');
    const owner = (req.body as { initializeUploadRequest?: { owner?: unknown } })?.initializeUploadRequest?.owner;
    if (typeof owner !== 'string') return invalidField(res, '/initializeUploadRequest/owner');
    if (!authorAccount(res, caller, owner, 'images.ACTION-initializeUpload', req.get('linkedin-version'))) return;
    const key = `D4E10AQ${secret('', 12).replace(/[-_]/g, 'x')}`;
    const image: UploadedMedia = {
      id: `urn:li:image:${key}`,
      platform: 'linkedin',
      owner,
      receivedBytes: 0,
      state: 'uploading',
      createdAt: state.now(),
      url: `${state.publicUrl}/linkedin/dms-uploads/sp/v2/${key}/uploaded-image/0`,
    };
    state.publishing.media[image.id] = image;
    res.json({
      value: { uploadUrlExpiresAt: image.createdAt + 24 * 3_600_000, uploadUrl: image.url, image: image.id },
    });
  });

  router.get('/rest/images/:urn', (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const image = state.publishing.media[req.params.urn];
    if (!image || image.platform !== 'linkedin')
      return apiError(res, 404, undefined, 'NOT_FOUND', `Image ${req.params.urn} does not exist`);
    res.json({
      id: image.id,
      owner: image.owner,
      status: image.state === 'ready' ? 'AVAILABLE' : 'WAITING_UPLOAD',
      ...(image.state === 'ready' ? { downloadUrl: image.url } : {}),
    });
  });

  // The upload URL (www.linkedin.com/dms-uploads/... on the real host): PUT the bytes with the token.
  router.put('/dms-uploads/sp/v2/:key/uploaded-image/0', rawBody('20mb'), (req, res) => {
    const check = checkToken(state, 'linkedin', bearerToken(req));
    if (check.status !== 'valid') return apiError(res, 401, 65600, 'INVALID_ACCESS_TOKEN', 'Invalid access token');
    const image = state.publishing.media[`urn:li:image:${req.params.key}`];
    if (!image || image.state !== 'uploading') return apiError(res, 404, undefined, 'NOT_FOUND', 'No upload is waiting at this URL');
    const bytes = Buffer.isBuffer(req.body) ? req.body.length : 0;
    if (bytes === 0) return apiError(res, 400, undefined, 'ILLEGAL_ARGUMENT', 'The upload is empty');
    image.receivedBytes = bytes;
    image.state = 'ready';
    res.status(201).end();
  });

  router.post('/rest/posts', express.json({ limit: '1mb' }), (req, res) => {
    const caller = authenticate(state, req, res);
    if (!caller) return;
    const version = req.get('linkedin-version');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.author !== 'string') return invalidField(res, '/author');
    const accountId = authorAccount(res, caller, body.author, 'partnerApiPostsExternal.CREATE', version);
    if (!accountId) return;
    if (body.commentary !== undefined && typeof body.commentary !== 'string') return invalidField(res, '/commentary', 'is not a string');
    if (typeof body.visibility !== 'string') return invalidField(res, '/visibility');
    if (!VISIBILITY.includes(body.visibility)) return invalidField(res, '/visibility', `"${body.visibility}" is not an enum symbol`);
    const distribution = body.distribution as { feedDistribution?: unknown } | undefined;
    if (!distribution || typeof distribution !== 'object') return invalidField(res, '/distribution');
    if (typeof distribution.feedDistribution !== 'string') return invalidField(res, '/distribution/feedDistribution');
    if (body.lifecycleState !== 'PUBLISHED') return invalidField(res, '/lifecycleState');
    // Images must be uploaded (AVAILABLE) and belong to the author.
    const content = (body.content ?? {}) as { media?: { id?: unknown }; multiImage?: { images?: { id?: unknown }[] } };
    const imageIds = [
      ...(content.media?.id !== undefined ? [content.media.id] : []),
      ...(content.multiImage?.images ?? []).map((i) => i?.id),
    ];
    for (const id of imageIds) {
      const image = typeof id === 'string' ? state.publishing.media[id] : undefined;
      if (!image || image.owner !== body.author || image.state !== 'ready')
        return invalidField(res, '/content', `media ${String(id)} is not an available image of the author`);
    }
    const { commentary, text } = parseLittleText(body.commentary ?? '');
    const duplicate = postsOf(state.publishing, 'linkedin', accountId).find(
      (p) => p.commentary === commentary && JSON.stringify(p.mediaIds ?? []) === JSON.stringify(imageIds),
    );
    if (duplicate) {
      // Observed body (public issue); it names the existing post.
      return void res.status(422).json({
        errorDetailType: 'com.linkedin.common.error.BadRequest',
        message: `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${duplicate.id}`,
        errorDetails: { inputErrors: [{ description: 'Duplicate post is detected', input: {}, code: 'DUPLICATE_POST' }] },
        status: 422,
      });
    }
    const serial = nextSerial(state.publishing);
    const draft = {
      accountId,
      serial,
      createdAt: state.now(),
      text,
      commentary,
      epoch: currentEpoch(state, 'linkedin', accountId),
    };
    const id = `urn:li:share:${timeId(publishedAsPost(draft))}`;
    state.publishing.posts.push({
      ...draft,
      platform: 'linkedin',
      id,
      ...(imageIds.length ? { mediaIds: imageIds as string[] } : {}),
    });
    res.status(201).set('x-restli-id', id).end();
  });

  // A body that is no JSON, or too large, in LinkedIn's error shape.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown })?.status;
    if (typeof status !== 'number' || status >= 500) return next(error);
    apiError(res, status, undefined, undefined, status === 413 ? 'Request body too large' : 'Unable to parse the request body as JSON');
  });
  return router;
}
