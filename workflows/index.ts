// Everything the worker registers as a workflow type.
export { accountWorkflow } from './account.js';
export { connectWorkflow } from './connect.js';
export { postWorkflow } from './post.js';
export { postSweepWorkflow } from './post-sweep.js';
