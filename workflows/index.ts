// Everything the worker registers as a workflow type.
export { accountWorkflow } from './account.js';
export { connectWorkflow } from './connect.js';
