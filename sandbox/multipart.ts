// Request bodies the publishing endpoints take: JSON, and multipart/form-data (X media upload) parsed
// with the platform's own FormData parser (undici, part of Node), so no extra dependency.
import express, { type Request } from 'express';

/** Raw bytes of any body up to `limit` (uploads); JSON stays for express.json. */
export const rawBody = (limit: string) => express.raw({ type: () => true, limit });

export interface FormFields {
  fields: Record<string, string>;
  files: Record<string, { bytes: Buffer; type: string }>;
}

/** Parses a multipart/form-data (or urlencoded) body read by `rawBody`; undefined when it is not one. */
export async function formFields(req: Request): Promise<FormFields | undefined> {
  const type = req.get('content-type') ?? '';
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) return undefined;
  if (!Buffer.isBuffer(req.body)) {
    // A urlencoded body was already parsed by the app's form parser.
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) if (typeof v === 'string') fields[k] = v;
    return { fields, files: {} };
  }
  try {
    const data = await new Request('http://sandbox.local/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: new Uint8Array(req.body),
    }).formData();
    const out: FormFields = { fields: {}, files: {} };
    for (const [name, value] of data.entries()) {
      if (typeof value === 'string') out.fields[name] = value;
      else out.files[name] = { bytes: Buffer.from(await value.arrayBuffer()), type: value.type };
    }
    return out;
  } catch {
    return undefined;
  }
}
