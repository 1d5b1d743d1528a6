// Keeps the sandbox's state in one JSON file under a data directory, so a restarted sandbox still
// honours the grants and tokens it issued (a real provider does not forget them). Writes are debounced
// and atomic (a temp file renamed over the old one); the file is read once at start. Without a data
// directory the sandbox stays in memory only, as the tests use it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfig, type SandboxState } from './store.js';

const FILE = 'sandbox-state.json';
const VERSION = 1;

/** The parts of the state that outlive a process (clock, URL and apps come from options). */
function snapshot(state: SandboxState) {
  return {
    version: VERSION,
    seed: state.seed,
    contentAnchor: state.contentAnchor,
    identities: state.identities,
    config: state.config,
    grants: [...state.grants.values()],
    codes: [...state.codes.values()],
    tokens: [...state.tokens.values()],
    issued: state.issued,
    faults: state.faults,
    rateWindows: [...state.rateWindows],
    contentEpochs: [...state.contentEpochs],
    extraPosts: [...state.extraPosts],
    pageTokens: [...state.pageTokens],
    publishing: state.publishing,
  };
}

type Snapshot = ReturnType<typeof snapshot>;

function restore(state: SandboxState, saved: Snapshot): void {
  state.seed = saved.seed;
  state.contentAnchor = saved.contentAnchor;
  state.identities = saved.identities;
  // Settings added after the file was written keep their defaults.
  const defaults = defaultConfig();
  state.config = {
    linkedin: { ...defaults.linkedin, ...saved.config.linkedin },
    twitter: { ...defaults.twitter, ...saved.config.twitter },
    meta: { ...defaults.meta, ...saved.config.meta },
    content: { seededPosts: { ...defaults.content.seededPosts, ...saved.config.content?.seededPosts } },
  };
  state.grants = new Map(saved.grants.map((g) => [g.id, g]));
  state.codes = new Map(saved.codes.map((c) => [c.value, c]));
  state.tokens = new Map(saved.tokens.map((t) => [t.value, t]));
  state.issued = saved.issued;
  state.faults = saved.faults;
  state.rateWindows = new Map(saved.rateWindows);
  state.contentEpochs = new Map(saved.contentEpochs);
  state.extraPosts = new Map(saved.extraPosts);
  state.pageTokens = new Map(saved.pageTokens);
  state.publishing = { ...state.publishing, ...saved.publishing };
}

export interface Persistence {
  /** Saves soon (debounced); call after anything that may have changed the state. */
  changed(): void;
  /** Saves now if anything changed since the last save. */
  flush(): void;
}

/**
 * Debounced by a second: with thousands of accounts the file is megabytes, and a save per request
 * would cost more than the requests.
 */
export function persistState(state: SandboxState, dataDir: string, debounceMs = 1000): Persistence {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE);
  if (existsSync(file)) {
    let saved: Snapshot;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    } catch (error) {
      throw new Error(`${file} is not readable sandbox state (${(error as Error).message}); move it away to start afresh`, {
        cause: error,
      });
    }
    if (saved.version !== VERSION) throw new Error(`${file}: unknown sandbox state version ${String(saved.version)}`);
    restore(state, saved);
  }
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(snapshot(state)), { mode: 0o600 });
    renameSync(temp, file);
  };
  return {
    changed() {
      dirty = true;
      timer ??= setTimeout(flush, debounceMs);
    },
    flush,
  };
}
