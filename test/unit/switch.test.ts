import { interpretSwitch } from '../../lambda/aws/switch';

const NAME = '/sagemaker-guard/enforcement';

describe('interpretSwitch: what a raw parameter value means (fails safe to policy)', () => {
  test.each<[string, string | undefined, string]>([
    ['absent', undefined, `SSM parameter ${NAME} holds undefined, not one of policy, report`],
    ['empty', '', `SSM parameter ${NAME} holds "", not one of policy, report`],
    ['blank', '   ', `SSM parameter ${NAME} holds "   ", not one of policy, report`],
    ['another word', 'off', `SSM parameter ${NAME} holds "off", not one of policy, report`],
    ['wrong case', 'Report', `SSM parameter ${NAME} holds "Report", not one of policy, report`],
    ['a line break is shown escaped', 'report\nnow', `SSM parameter ${NAME} holds "report\\nnow", not one of policy, report`],
  ])('%s: policy, with the problem named', (_title, raw, detail) => {
    expect(interpretSwitch(NAME, raw)).toEqual({ value: 'policy', problem: { code: 'invalid', detail } });
  });

  test.each<[string, 'policy' | 'report']>([
    ['policy', 'policy'],
    ['report', 'report'],
    [' report ', 'report'],
    ['policy\n', 'policy'],
  ])('%j means %s, with no problem', (raw, value) => {
    expect(interpretSwitch(NAME, raw)).toEqual({ value });
  });
});
