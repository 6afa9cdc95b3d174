// A lesson in the page (web/src/lesson_panel.ts): lesson 1 opens with its starter C in the editor
// and its starter object loaded; Check says "not yet, because" for the starter; the solution
// written in the editor compiles through the local service (tools/compile_service/), steps to
// XDP_DROP, and Check says done; its share link reopens the lesson with that C. While the
// lesson's C is in the editor the template menu says so; picking a template leaves the lesson.
// The lesson's layout is screenshotted at 1400x900 and 1024x700.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openHarness, repo } from './page_harness.mjs';

let h;

before(async () => {
  h = await openHarness({ compile: true });
});

after(async () => {
  await h?.close();
});

// Nothing of the lesson box is cut off: it lies inside the window and nothing in it is wider than it.
async function assertLessonFits(page) {
  const box = await page.locator('#lesson').boundingBox();
  const vp = page.viewportSize();
  assert.ok(box && box.x >= 0 && box.x + box.width <= vp.width && box.y >= 0 && box.y + box.height <= vp.height, `lesson box inside ${vp.width}x${vp.height}: ${JSON.stringify(box)}`);
  assert.ok(await page.$eval('#lesson', (e) => e.scrollWidth <= e.clientWidth), 'no horizontal overflow in the lesson box');
  const check = await page.locator('#btn-check').boundingBox();
  assert.ok(check && check.y + check.height <= box.y + box.height, 'the Check button is in view');
}

// What the editor's template menu shows.
const templateShown = (page) => page.$eval('#template-select', (s) => s.selectedOptions[0]?.textContent);

async function check(page) {
  await page.evaluate(() => { delete document.body.dataset.lessonCheck; });
  await page.click('#btn-check');
  await page.waitForFunction(() => ['done', 'not-yet', 'error'].includes(document.body.dataset.lessonCheck ?? ''), null, { timeout: 20000 });
  return page.getAttribute('body', 'data-lesson-check');
}

test('lesson 1: the starter is not yet done; the solution written in the editor compiles, steps and is done', async () => {
  const { page, url, shot, andWait, consoleErrors } = h;
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.selectOption('#lesson-select', '01_return');
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === '01_return.starter.o');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#lesson-title'), 'Lesson 1 of 12: Registers and the return value');
  assert.match(await page.textContent('#lesson-task'), /^Task: Drop every packet\.$/);
  const starter = await readFile(`${repo}examples/lessons/01_return.starter.c`, 'utf8');
  await page.waitForFunction((c) => window.bpfplayEditorText() === c, starter);
  assert.equal(await page.inputValue('#program-select'), 'lesson1');
  assert.equal(await templateShown(page), '(lesson 1)');

  assert.equal(await check(page), 'not-yet');
  assert.equal(await page.textContent('#lesson-verdict'), 'Not yet: 01_return.starter.o');
  assert.deepEqual(await page.$$eval('#lesson-results li', (l) => l.map((e) => e.textContent)), [
    'not yet, because a TCP packet got XDP_PASS (2); the goal is XDP_DROP (1)',
    'not yet, because a UDP packet got XDP_PASS (2); the goal is XDP_DROP (1)']);
  for (const [w, hgt] of [[1400, 900], [1024, 700]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await assertLessonFits(page);
    await shot(`80-lesson-not-yet-${w}x${hgt}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // The learner's fix, typed as a user would: Check compiles it first (the C changed).
  const solution = await readFile(`${repo}examples/lessons/01_return.solution.c`, 'utf8');
  await page.click('.cm-content');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(solution);
  assert.equal(await check(page), 'done');
  assert.equal(await page.getAttribute('body', 'data-compile'), 'loaded');
  assert.equal(await page.textContent('#object-name'), '01_return.o');
  assert.equal(await page.textContent('#lesson-verdict'), 'Done! 01_return.o passes every check.');
  assert.deepEqual(await page.$$eval('#lesson-results li.pass', (l) => l.map((e) => e.textContent)), [
    'pass: a TCP packet: XDP_DROP', 'pass: a UDP packet: XDP_DROP']);
  // The compiled program is the one on screen: it steps to its verdict.
  await page.waitForSelector('body[data-ready="true"]');
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#status'), /exited: r0 = 1 \(XDP_DROP\)/);
  for (const [w, hgt] of [[1400, 900], [1024, 700]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await assertLessonFits(page);
    await shot(`81-lesson-done-${w}x${hgt}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // A share link reopens the lesson with the learner's C and object, not the starter.
  await page.click('#btn-share');
  await page.waitForFunction(() => document.querySelector('#share-url')?.value.includes('#z='));
  const link = await page.inputValue('#share-url');
  await page.goto('about:blank');
  await page.goto(link);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  assert.equal(await page.textContent('#object-name'), '01_return.o');
  assert.equal(await page.textContent('#lesson-title'), 'Lesson 1 of 12: Registers and the return value');
  assert.equal(await page.inputValue('#lesson-select'), '01_return');
  await page.waitForFunction((c) => window.bpfplayEditorText() === c, solution);
  assert.equal(await templateShown(page), '(lesson 1)');
  assert.equal(await check(page), 'done');

  // Picking a template leaves the lesson.
  await page.selectOption('#template-select', 'tc');
  assert.equal(await templateShown(page), 'TC classifier: mark DNS');
  assert.equal(await page.$$eval('#template-select option', (o) => o.filter((x) => x.value === '').length), 0);
  assert.equal(await page.isHidden('#lesson'), true);
  assert.equal(await page.inputValue('#lesson-select'), '');
  assert.deepEqual(consoleErrors, []);
});
