import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { catalogRow, fillUsAddress, launchBrowser, newShopper, pickProduct, shot } from './support.ts';

/**
 * Dynamic type in the browser: the main screens (catalog, product, cart, checkout, sign-in) at twice the text
 * size neither spill sideways nor clip text.
 *
 * What scales the text: nothing Chromium offers does it for react-native-web. Its Text sets
 * `font-size` in px, so a larger root font size or the browser's default font size changes nothing;
 * page zoom grows the boxes with the text, so a fixed height would grow too and no clipping could
 * show; the app reads no font scale of its own (React Native scales its text natively from the
 * system's text size, which a browser does not pass to react-native-web). So the test does what iOS and Android
 * do at a larger text size: every text (and text field) gets twice its font size and line height,
 * boxes keep the sizes the app gave them. A script in the page doubles each outermost element that
 * holds text once (nested text inherits it), again whenever React renders new text, the tab bar's
 * labels too: the app's tab bar grows with them (a second row when four words no longer fit 390 points).
 *
 * What is measured, after the text has grown: the page is no wider than the phone
 * (document.scrollingElement.scrollWidth <= innerWidth; the category and sort strips scroll inside
 * themselves by design), and no text is cut off: for each element holding text and each of its
 * ancestors that hides overflow, scrollHeight <= clientHeight + 1 and scrollWidth <= clientWidth + 1
 * (an ellipsis is a cut too). The tab bar's labels are measured against their tabs and the screen:
 * each label whole inside its tab, each tab inside the screen, no two tabs overlapping. Other text
 * that runs under another box without overflow hidden, or colours, are not measured here.
 */

const textScale = 2;

let browser: Browser;
let page: Page;
let product: { id: string; name: string; price: number };
const suffix = randomBytes(4).toString('hex');
const account = { name: 'Ada Large Text', email: `ada-large-${suffix}@example.com`, password: `amber-heron-lantern-${suffix}` };

before(async () => {
  browser = await launchBrowser();
  const shopper = await newShopper(browser);
  page = shopper.page;
  await shopper.context.addInitScript({ content: growText(textScale) });
  product = await pickProduct();
});

after(async () => {
  await browser?.close();
});

/**
 * Runs in the page: doubles the text as the platform's text size would, now and for every text
 * rendered later (`window.growText()` runs it on demand). Plain JavaScript: functions handed to the page
 * from here would carry tsx's helpers, which the page does not have.
 */
const growText = (scale: number) => `(() => {
  const grown = new WeakMap();
  const hasOwnText = (element) => [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  const holdsText = (element) => element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || hasOwnText(element);
  const grow = () => {
    if (!document.body) return;
    const pending = [];
    for (const element of document.body.querySelectorAll('*')) {
      if (!holdsText(element) || grown.get(element) === element.style.fontSize) continue;
      let parent = element.parentElement;
      while (parent && !holdsText(parent)) parent = parent.parentElement;
      // Inside a text that is grown already: it inherits the larger size.
      if (!parent) pending.push(element);
    }
    // Read every size before writing any, so that no element is measured after its parent grew.
    const sizes = pending.map((element) => {
      const style = getComputedStyle(element);
      return { element, fontSize: Number.parseFloat(style.fontSize), lineHeight: style.lineHeight };
    });
    for (const { element, fontSize, lineHeight } of sizes) {
      element.style.fontSize = (fontSize * ${scale}) + 'px';
      if (lineHeight !== 'normal') element.style.lineHeight = (Number.parseFloat(lineHeight) * ${scale}) + 'px';
      grown.set(element, element.style.fontSize);
    }
  };
  window.growText = grow;
  new MutationObserver(grow).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** Runs in the page once the text has grown: sideways overflow of the page, and each text clipped, with its words. */
const measureScript = `(() => {
  const problems = [];
  const root = document.scrollingElement || document.documentElement;
  if (root.scrollWidth > window.innerWidth) problems.push('the page is ' + root.scrollWidth + ' px wide on a ' + window.innerWidth + ' px screen');
  const hides = (overflow) => overflow === 'hidden' || overflow === 'clip';
  const cut = (box) => {
    const style = getComputedStyle(box);
    if (hides(style.overflowY) && box.scrollHeight > box.clientHeight + 1) return 'shows ' + box.clientHeight + ' of ' + box.scrollHeight + ' px of its height';
    // A one-line text ends in an ellipsis this way.
    if (hides(style.overflowX) && box.scrollWidth > box.clientWidth + 1) return 'shows ' + box.clientWidth + ' of ' + box.scrollWidth + ' px of its width';
    return null;
  };
  for (const element of document.body.querySelectorAll('*')) {
    if (![...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim())) continue;
    for (let box = element; box && box !== document.body; box = box.parentElement) {
      const shown = cut(box);
      if (shown) {
        problems.push('"' + element.textContent.trim().slice(0, 60) + '" is cut off: its box ' + shown);
        break;
      }
    }
  }
  return [...new Set(problems)];
})()`;

/** Runs in the page: each tab bar label whole inside its tab, each tab inside the screen, no two tabs overlapping. */
const measureTabsScript = `(() => {
  const problems = [];
  const tabs = [...document.querySelectorAll('[role="tablist"] [role="tab"]')];
  if (tabs.length === 0) return problems;
  const rects = tabs.map((tab) => tab.getBoundingClientRect());
  tabs.forEach((tab, index) => {
    const name = tab.textContent.trim();
    const box = rects[index];
    if (box.left < 0 || box.right > window.innerWidth + 1 || box.bottom > window.innerHeight + 1) problems.push('the tab "' + name + '" reaches outside the screen');
    const range = document.createRange();
    range.selectNodeContents(tab);
    const text = range.getBoundingClientRect();
    if (text.left < box.left - 1 || text.right > box.right + 1 || text.top < box.top - 1 || text.bottom > box.bottom + 1) problems.push('the label "' + name + '" runs out of its tab');
    rects.forEach((other, j) => {
      if (j > index && box.left < other.right - 1 && other.left < box.right - 1 && box.top < other.bottom - 1 && other.top < box.bottom - 1) {
        problems.push('the tabs "' + name + '" and "' + tabs[j].textContent.trim() + '" overlap');
      }
    });
  });
  return problems;
})()`;

/** What does not fit once the text is large. */
async function layoutProblems(): Promise<string[]> {
  await page.evaluate('window.growText()');
  // Two frames: the grown text is laid out before it is measured.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  return [...(await page.evaluate<string[]>(measureScript)), ...(await page.evaluate<string[]>(measureTabsScript))];
}

async function expectFits(name: string) {
  await shot(page, `large-text-${name}`);
  assert.deepEqual(await layoutProblems(), [], `${name} at ${textScale}× text`);
}

test('the sign-in screen fits at twice the text size', async () => {
  await page.goto('/login');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await expectFits('login');
});

test('the catalog, with the tab bar, fits at twice the text size', async () => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sort by Name' }).click();
  await catalogRow(page, product).waitFor();
  // Four tabs, so the bar is measured with all its labels.
  assert.equal(await page.locator('[role="tablist"] [role="tab"]').count(), 4);
  await expectFits('catalog');
});

test('the product screen fits at twice the text size', async () => {
  await page.goto(`/product/${product.id}`);
  await page.getByTestId('product-name').filter({ hasText: product.name }).waitFor();
  await expectFits('product');
});

test('the cart with a line fits at twice the text size', async () => {
  await page.goto('/signup');
  await page.getByLabel('Name', { exact: true }).fill(account.name);
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/orders');
  await page.goto(`/product/${product.id}`);
  await page.getByRole('button', { name: `Add ${product.name} to cart` }).click();
  await page.getByText('Added to your cart.').waitFor();
  await page.goto('/cart');
  await page.getByRole('button', { name: `Remove ${product.name}` }).waitFor();
  await expectFits('cart');
});

test('checkout, with its address, shipping options and review, fits at twice the text size', async () => {
  // The cart of the test before: its line is what is checked out.
  await page.goto('/checkout');
  await fillUsAddress(page);
  await page.getByRole('button', { name: 'Show shipping options' }).click();
  await page.getByTestId('checkout-total').waitFor();
  await expectFits('checkout');
});
