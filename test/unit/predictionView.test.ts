import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { predictionView } from '../../extension/commands/predictionView';

describe('prediction view', () => {
  it('heads with the predicted class and lists every class, most probable first', () => {
    const view = predictionView({ label: 'spam', probabilities: { ham: 0.027, spam: 0.9731, other: 0.0 } });
    assert.equal(view.headline, 'spam 97.3%');
    assert.deepEqual(view.rows.map((row) => [row.label, row.percent, row.predicted]), [
      ['spam', '97.3%', true],
      ['ham', '2.7%', false],
      ['other', '0.0%', false],
    ]);
  });
});
