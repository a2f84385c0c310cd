import { medianRatios, type Ratio } from '../../scripts/bench/summary';

function ratioOf(value: number, bounds: Ratio['bounds']): Ratio {
  return { name: 'end to end / raw putObject', value, target: '', met: false, formula: '', bounds };
}

describe('medianRatios', () => {
  it('takes the median run ratio', () => {
    const runs = [[ratioOf(1.32, { max: 1.5 })], [ratioOf(1.69, { max: 1.5 })], [ratioOf(1.25, { max: 1.5 })]];

    const [combined] = medianRatios(runs);

    expect(combined!.value).toBe(1.32);
    expect(combined!.met).toBe(true);
    expect(combined!.target).toBe('<= 1.5');
  });

  it('reports a missed lower bound', () => {
    const runs = [[ratioOf(3.9, { min: 5 })], [ratioOf(4.4, { min: 5 })]];

    const [combined] = medianRatios(runs);

    expect(combined!.value).toBe(4.15);
    expect(combined!.met).toBe(false);
    expect(combined!.target).toBe('>= 5');
  });
});
