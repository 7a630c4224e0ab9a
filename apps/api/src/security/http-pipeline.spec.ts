import { ProblemCode } from '../problem/problem-details.filter';
import { toBodyProblem } from './http-pipeline';

describe(toBodyProblem.name, () => {
  it('answers an oversized body with a 413 naming the limit', () => {
    const problem = toBodyProblem({ type: 'entity.too.large' }, '1mb');
    expect(problem?.getStatus()).toBe(413);
    expect(problem?.code).toBe(ProblemCode.PayloadTooLarge);
    expect(problem?.message).toContain('1mb');
  });

  it('answers broken JSON with a 400 that does not echo the body', () => {
    const parseError = Object.assign(new SyntaxError('"secret" is not'), {
      type: 'entity.parse.failed',
    });
    const problem = toBodyProblem(parseError, '1mb');
    expect(problem?.getStatus()).toBe(400);
    expect(problem?.code).toBe(ProblemCode.MalformedJson);
    expect(problem?.message).not.toContain('secret');
  });

  it.each([[new Error('boom')], [{ type: 'charset.unsupported' }], [null]])(
    'leaves any other error alone: %j',
    (error) => {
      expect(toBodyProblem(error, '1mb')).toBeUndefined();
    },
  );
});
