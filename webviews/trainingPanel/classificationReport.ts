// A classification report as DOM: accuracy and macro-F1, the confusion matrix (rows = true label,
// columns = predicted; cells shaded by their share of the row in the theme's chart colours) and the
// per-class precision/recall/F1/support table. Real tables with scoped headers, for screen readers.
import type { ClassificationReport } from '../../common/protocol/panels';
import { h } from '../shared/dom';
import { formatNumber, formatScore } from '../shared/format';

const score = formatScore;
const percent = (share: number): string => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`;

export function renderClassificationReport(report: ClassificationReport): HTMLElement[] {
  const { labels, confusionMatrix, perClass } = report;
  const total = confusionMatrix.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  const headline = h('dl', { class: 'stats report-metrics' },
    h('div', { class: 'stat' }, h('dt', {}, 'Accuracy'), h('dd', { id: 'report-accuracy' }, score(report.accuracy))),
    h('div', { class: 'stat' }, h('dt', {}, 'Macro-F1'), h('dd', { id: 'report-macro-f1' }, score(report.macroF1))),
    h('div', { class: 'stat' }, h('dt', {}, 'Examples'), h('dd', {}, formatNumber(total))));

  const matrix = h('table', { id: 'confusion-matrix', class: 'confusion' },
    h('caption', {}, 'Confusion matrix (rows: true label, columns: predicted; % of the row)'),
    h('thead', {},
      h('tr', {}, h('td', { class: 'corner' }, 'true ╲ predicted'), ...labels.map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, ...confusionMatrix.map((row, truth) => {
      const rowTotal = row.reduce((a, b) => a + b, 0);
      return h('tr', {},
        h('th', { scope: 'row' }, labels[truth] ?? String(truth)),
        ...row.map((count, predicted) => {
          const share = rowTotal === 0 ? 0 : count / rowTotal;
          const cell = h('td', {
            class: `cell ${truth === predicted ? 'hit' : 'miss'}${share >= 0.55 ? ' strong' : ''}`,
            title: `true ${labels[truth]}, predicted ${labels[predicted]}: ${count} of ${rowTotal} (${percent(share)})`,
            'data-count': count,
          }, h('span', { class: 'count' }, formatNumber(count)), h('span', { class: 'share' }, percent(share)));
          // A CSS variable through the CSSOM: the CSP forbids style attributes, not this.
          cell.style.setProperty('--share', share.toFixed(4));
          return cell;
        }));
    })));

  const support = perClass.reduce((sum, row) => sum + row.support, 0);
  // Averaged like the engine's macro-F1 (sklearn): over the classes that are true or predicted at least once.
  const present = perClass.filter((row, id) => row.support > 0 || confusionMatrix.some((line) => (line[id] ?? 0) > 0));
  const perClassTable = h('table', { id: 'per-class', class: 'per-class' },
    h('caption', {}, 'Per class, on the validation set'),
    h('thead', {}, h('tr', {}, ...['label', 'precision', 'recall', 'F1', 'support'].map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, ...perClass.map((row) => h('tr', {},
      h('th', { scope: 'row' }, row.label),
      h('td', {}, score(row.precision)), h('td', {}, score(row.recall)), h('td', {}, score(row.f1)), h('td', {}, formatNumber(row.support))))),
    h('tfoot', {},
      h('tr', {}, h('th', { scope: 'row' }, 'accuracy'), h('td', {}), h('td', {}), h('td', {}, score(report.accuracy)), h('td', {}, formatNumber(support))),
      h('tr', {}, h('th', { scope: 'row' }, 'macro avg'),
        ...(['precision', 'recall'] as const).map((key) => h('td', {}, score(mean(present.map((row) => row[key]))))),
        h('td', {}, score(report.macroF1)), h('td', {}, formatNumber(support)))));

  return [headline, h('div', { class: 'report-tables' }, matrix, perClassTable)];
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
