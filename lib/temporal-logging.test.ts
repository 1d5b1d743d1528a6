import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runWithContext } from './context.js';
import { createLogger } from './logger.js';
import { temporalFields, temporalLogger } from './temporal-logging.js';

function capture(level = 'debug') {
  const chunks: string[] = [];
  const destination = new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) });
  return {
    logger: createLogger('worker', { level, destination }),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('temporalFields', () => {
  it('renames the SDK attributes to our field names and drops the task token', () => {
    expect(
      temporalFields({
        sdkComponent: 'activity',
        workflowId: 'account:12',
        workflowRunId: 'run-1',
        workflowType: 'accountWorkflow',
        activityId: '3',
        activityType: 'syncAccount',
        attempt: 2,
        taskQueue: 'q',
        namespace: 'default',
        isLocal: false,
        taskToken: 'c2VjcmV0',
        event_type: 'sync_started',
        [Symbol.for('log_timestamp')]: 1n,
      }),
    ).toEqual({
      sdk_component: 'activity',
      workflow_id: 'account:12',
      run_id: 'run-1',
      workflow_type: 'accountWorkflow',
      activity_id: '3',
      activity_type: 'syncAccount',
      attempt: 2,
      task_queue: 'q',
      namespace: 'default',
      is_local: false,
      event_type: 'sync_started',
      account_id: 12,
    });
  });

  it('keeps an account_id given explicitly and derives none for other workflows', () => {
    expect(temporalFields({ workflowId: 'account:12', account_id: 5 }).account_id).toBe(5);
    expect(temporalFields({ workflowId: 'connect:oauth:7' })).toEqual({ workflow_id: 'connect:oauth:7' });
  });

  it("keeps the Worker's own state readable (it is not an OAuth state)", () => {
    expect(temporalFields({ sdkComponent: 'worker', state: 'RUNNING' })).toEqual({ sdk_component: 'worker', worker_state: 'RUNNING' });
    expect(temporalFields({ sdkComponent: 'activity', state: 'x' })).toMatchObject({ state: 'x' });
  });
});

describe('temporalLogger', () => {
  it('writes pino lines at the mapped level, outside whatever request context is current', () => {
    const { logger, lines } = capture();
    const temporal = temporalLogger(logger);
    runWithContext({ request_id: 'someone-elses' }, () => {
      temporal.warn('Activity failed', { activityType: 'syncAccount', attempt: 1, error: new Error('boom') });
      temporal.trace('too chatty');
    });
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 'warn',
      service: 'worker',
      message: 'Activity failed',
      activity_type: 'syncAccount',
      attempt: 1,
      err: { message: 'boom' },
    });
    expect(line).not.toHaveProperty('request_id');
  });

  it('hands WARN and ERROR lines to onProblem, even when the level is off', () => {
    const problems: string[] = [];
    const temporal = temporalLogger(capture('silent').logger, { onProblem: (level, message) => problems.push(`${level}:${message}`) });
    temporal.info('fine');
    temporal.warn('Workflow failed', { workflowId: 'account:1' });
    temporal.error('Failed to process Workflow Activation');
    expect(problems).toEqual(['warn:Workflow failed', 'error:Failed to process Workflow Activation']);
  });
});
