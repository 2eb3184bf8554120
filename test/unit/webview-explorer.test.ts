// The embedding explorer's built bundle in headless Chromium: 100k points, search, click, neighbours.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { EmbeddingExplorerState, NeighboursRequestMessage } from '../../common/protocol/panels';
import { KNOWN_WORDS, launchBrowser, openPanel, pageErrors, paintedPixels, postProjection, postToWebview, posted, savedState, waitFor } from '../webview/harness';

const COUNT = 100_000;

const view = async (page: Page): Promise<number[]> =>
  ((await page.locator('#scatter').getAttribute('data-view')) ?? '').split(',').map(Number);

const neighbourRequests = async (page: Page): Promise<NeighboursRequestMessage[]> =>
  (await posted<NeighboursRequestMessage>(page)).filter((m) => m.type === 'neighbours');

describe('embedding explorer webview', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await launchBrowser();
    page = await openPanel(browser, 'embeddingExplorer');
  });
  after(() => browser?.close());

  it('draws 100k points on one canvas, with the labels that fit', async () => {
    // how fast, and the longest task meanwhile, are bench/panels.ts's
    await postProjection(page, COUNT);
    assert.ok(Number(await page.locator('#scatter').getAttribute('data-points')) > COUNT * 0.95, 'fitted: (almost) every point is in view');
    assert.ok(Number(await page.locator('#scatter').getAttribute('data-labels')) > 10, 'the labels that fit are drawn');
    assert.ok((await paintedPixels(page, '#scatter')) > 10_000);
    assert.match(await page.locator('#info').innerText(), /100,000 most frequent of 250,000 words/);
    assert.equal(await page.locator('#scatter').count(), 1);
    assert.equal(await page.locator('#plot *').count(), 2, 'one canvas and a tooltip, no element per point');
  });

  it('zooms with the wheel around the pointer and pans by dragging', async () => {
    const before = await view(page);
    const box = (await page.locator('#scatter').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await waitFor(page, `Number(document.querySelector('#scatter').dataset.view.split(',')[2]) > ${before[2]! * 1.5}`);
    const zoomed = await view(page);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 100, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await waitFor(page, `Number(document.querySelector('#scatter').dataset.view.split(',')[0]) < ${zoomed[0]! - 50 / zoomed[2]!}`);
    assert.equal((await neighbourRequests(page)).length, 0, 'a drag is not a click');
  });

  it('search centres and highlights the word and asks for its neighbours', async () => {
    await page.getByRole('searchbox', { name: 'Word to find' }).fill('banana');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForSelector('#scatter[data-selected="banana"]');
    const [x, y] = await view(page);
    assert.ok(Math.abs(x! - KNOWN_WORDS.banana[0]) < 1e-6 && Math.abs(y! - KNOWN_WORDS.banana[1]) < 1e-6, `centred on banana: ${x}, ${y}`);
    assert.match(await page.locator('#status').innerText(), /Showing “banana”/);
    assert.deepEqual((await neighbourRequests(page)).at(-1), { type: 'neighbours', requestId: 1, word: 'banana', count: 20 });
  });

  it('says so when the word is not in the projection', async () => {
    await page.getByRole('searchbox', { name: 'Word to find' }).fill('zyzzyva');
    await page.getByRole('searchbox', { name: 'Word to find' }).press('Enter');
    await page.waitForSelector('#status.error');
    assert.match(await page.locator('#status').innerText(), /“zyzzyva” is not in the projection/);
  });

  it('click on a point posts a neighbours request; the answer lists neighbours, and clicking one jumps to it', async () => {
    // banana is at the centre of the view now
    const box = (await page.locator('#scatter').boundingBox())!;
    const requestsBefore = (await neighbourRequests(page)).length;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await waitFor(page, `window.__posted.filter((m) => m.type === 'neighbours').length > ${requestsBefore}`);
    const request = (await neighbourRequests(page)).at(-1)!;
    assert.equal(request.word, 'banana');
    await postToWebview(page, [{
      type: 'neighbours', requestId: request.requestId, word: 'banana',
      result: { inVocabulary: true, vocabularySize: 250000, neighbours: [{ word: 'cherry', similarity: 0.81 }, { word: 'apple', similarity: 0.79 }, { word: 'mango', similarity: 0.7 }] },
    }]);
    await page.waitForSelector('#neighbours-list button[data-word="apple"]');
    assert.deepEqual(await page.locator('#neighbours-list .similarity').allInnerTexts(), ['0.810', '0.790', '0.700'], 'always three decimals');
    assert.match(await page.locator('#side .hint').innerText(), /1 neighbour of 3 is not among the projected words/);
    await page.getByRole('button', { name: /apple/ }).click();
    await page.waitForSelector('#scatter[data-selected="apple"]');
    const [x, y] = await view(page);
    assert.ok(Math.abs(x! - KNOWN_WORDS.apple[0]) < 1e-6 && Math.abs(y! - KNOWN_WORDS.apple[1]) < 1e-6);
    await page.getByRole('button', { name: /mango/ }).click();
    await page.waitForSelector('#status.error');
    assert.match(await page.locator('#status').innerText(), /“mango” is not in the projection/);
  });

  it('after a search, zooms out until the word and all of its projected neighbours are in view', async () => {
    await page.getByRole('searchbox', { name: 'Word to find' }).fill('cherry');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForSelector('#scatter[data-selected="cherry"]');
    const closeUp = await view(page);
    const request = (await neighbourRequests(page)).at(-1)!;
    const inView = async (): Promise<boolean[]> => {
      const [x, y, scale] = await view(page);
      const box = (await page.locator('#scatter').boundingBox())!;
      return Object.values(KNOWN_WORDS).map(([wx, wy]) => {
        const sx = (wx - x!) * scale! + box.width / 2;
        const sy = -(wy - y!) * scale! + box.height / 2;
        return sx >= 0 && sx <= box.width && sy >= 0 && sy <= box.height;
      });
    };
    assert.deepEqual(await inView(), [false, false, true], 'the close-up shows cherry only');
    await postToWebview(page, [{
      type: 'neighbours', requestId: request.requestId, word: 'cherry',
      result: { inVocabulary: true, vocabularySize: 250000, neighbours: [{ word: 'apple', similarity: 0.61 }, { word: 'banana', similarity: 0.6 }] },
    }]);
    await waitFor(page, `document.querySelector('#scatter').dataset.view !== ${JSON.stringify(closeUp.join(','))}`);
    assert.deepEqual(await inView(), [true, true, true]);
  });

  it('numbers twenty neighbours in full, inside the side panel', async () => {
    await page.getByRole('searchbox', { name: 'Word to find' }).fill('w100');
    await page.getByRole('button', { name: 'Find' }).click();
    const asked = (await neighbourRequests(page)).at(-1)!;
    const neighbours = Array.from({ length: 20 }, (_, i) => ({ word: `w${200 + i}`, similarity: 0.9 - i / 100 }));
    await postToWebview(page, [{ type: 'neighbours', requestId: asked.requestId, word: 'w100', result: { inVocabulary: true, vocabularySize: 250000, neighbours } }]);
    await page.waitForSelector('#neighbours-list li:nth-child(20)');
    assert.deepEqual(await page.locator('#neighbours-list .rank').allInnerTexts(), neighbours.map((_, i) => `${i + 1}.`));
    const clipped = await page.evaluate<string[]>(`(() => {
      const side = document.querySelector('#side').getBoundingClientRect();
      return [...document.querySelectorAll('#neighbours-list .rank')]
        .filter((rank) => { const box = rank.getBoundingClientRect(); return box.left < side.left || box.right > side.right || rank.scrollWidth > rank.clientWidth; })
        .map((rank) => rank.textContent);
    })()`);
    assert.deepEqual(clipped, []);
  });

  it('keeps view, selection and neighbours in its state, and restores them after a reload', async () => {
    await waitFor(page, 'JSON.parse(window.__state ?? "{}").selected === "w100"');
    const saved = (await savedState(page))!;
    const state = JSON.parse(saved) as EmbeddingExplorerState;
    assert.equal(state.vectorsPath, '/runs/sotu/vectors.bin');
    assert.deepEqual(state.neighbours?.word, 'w100');
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
    assert.deepEqual(pageErrors(page), []);
    const reloaded = await openPanel(browser, 'embeddingExplorer', saved);
    assert.deepEqual((await posted(reloaded))[0], { type: 'ready', vectorsPath: '/runs/sotu/vectors.bin' });
    assert.match(await reloaded.locator('#neighbours-list').innerText(), /w219/);
    await postProjection(reloaded, COUNT);
    assert.deepEqual(await view(reloaded), [state.view!.x, state.view!.y, state.view!.scale]);
    assert.equal(await reloaded.locator('#scatter').getAttribute('data-selected'), 'w100');
    assert.equal((await neighbourRequests(reloaded)).length, 0, 'the restored neighbours are not asked for again');
    await reloaded.close();
  });

  it('says "all N words" when the projection holds the whole vocabulary', async () => {
    const small = await openPanel(browser, 'embeddingExplorer');
    await postToWebview(small, [{ type: 'projection', vectorsPath: '/runs/tiny/vectors.txt',
      projection: { words: ['a', 'b', 'c'], coordinates: [0, 0, 1, 1, 2, 0], explainedVariance: [0.6, 0.3], dimensions: 8, vocabularySize: 3 } }]);
    await small.waitForSelector('#scatter[data-points]');
    assert.match(await small.locator('#info').innerText(), /^All 3 words · 8 dimensions/);
    await small.close();
  });
});
