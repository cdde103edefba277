// pages.mjs DIR PLAN_PAGE PARTY_PAGE HOSTILE_PAGE SHOTS: open a feed's pages in Debian's
// Chromium (playwright-core, never a browser download) and check them against the API's
// answers in DIR (plan.json), with axe-core; prints TAP-like lines.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [dir, planPage, partyPage, hostilePage, shots] = process.argv.slice(2);
const api = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
let failed = 0;
const ok = (cond, what, detail) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${what}`);
	if (!cond) {
		failed++;
		if (detail !== undefined) console.log(`    ${JSON.stringify(detail).slice(0, 2000)}`);
	}
};

const profile = mkdtempSync(join(tmpdir(), 'termijn-chromium.'));
const args = ['--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (process.getuid() === 0) args.push('--no-sandbox');
const ctx = await chromium.launchPersistentContext(profile, {
	executablePath: '/usr/bin/chromium', headless: true, args,
	viewport: { width: 1400, height: 900 }, timeout: 60000,
});
const errors = [];
ctx.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
ctx.on('weberror', (e) => errors.push(String(e.error())));

async function axe(page, what) {
	// Through DevTools, not a <script>: the page's CSP allows no script at all.
	await page.evaluate(axeSource);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	ok(bad.length === 0, `axe-core: no serious or critical violations on ${what}`,
		bad.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html) })));
}

try {
	const page = await ctx.newPage();
	const res = await page.goto(planPage);
	ok(res.status() === 200, 'the page link opens a page', res.status());
	ok(!page.url().includes(planPage.split('/feed/')[1].replace('.html', '')),
		'the token is not in the address the page ends on', page.url());

	// The table: one row per step, each in the state the API gives.
	await page.goto(new URL('/view/table', planPage).href);
	const want = api('plan.json').milestones;
	const rows = await page.$$eval('tr[data-key]', (trs) => trs.map((t) => [t.dataset.key, t.dataset.state]));
	ok(rows.length === want.length, `the table has a row per step (${want.length})`, rows.length);
	const wantStates = Object.fromEntries(want.map((m) => [m.key, m.state]));
	const wrong = rows.filter(([k, s]) => wantStates[k] !== s);
	ok(wrong.length === 0, 'every row is in the state the API gives', wrong);
	const states = new Set(rows.map(([, s]) => s));
	for (const s of ['done', 'done-late', 'ready', 'blocked', 'overdue', 'waived'])
		ok(states.has(s), `the table shows a step ${s}`);
	ok((await page.getAttribute('html', 'lang')) === 'nl', 'the shipped plan\'s pages are in Dutch');
	await page.screenshot({ path: join(shots, 'table.png'), fullPage: true });
	await axe(page, 'the table');

	// A party's feed: its own steps and the shared ones.
	await page.goto(partyPage);
	await page.goto(new URL('/view/table', partyPage).href);
	const prow = await page.$$eval('tr[data-key]', (trs) => trs.length);
	const pwant = want.filter((m) => m.party === null || m.party === 'staphorst').length;
	ok(prow === pwant, 'a party\'s table has its steps and the shared ones', [prow, pwant]);

	// Titles that try HTML and SVG: text, never markup.
	await page.goto(hostilePage);
	await page.goto(new URL('/view/table', hostilePage).href);
	const h = await page.evaluate(() => ({
		scripts: document.scripts.length,
		imgs: document.images.length,
		h1: document.querySelector('h1').textContent,
		title: document.title,
		body: document.body.textContent,
	}));
	ok(h.scripts === 0 && h.imgs === 0, 'no <script> or <img> from a title made it into the page', h);
	ok(h.h1 === 'Plan </svg><script>alert("plan")</script>', 'the plan title shows as text', h.h1);
	ok(h.title === h.h1, 'and the document title too', h.title);
	ok(h.body.includes('First <script>alert("x")</script> & </svg> "quoted" \'single\''),
		'a step title with <script> and </svg> shows as text');
	ok(h.body.includes('Second </text></a></g></svg><img src=x>'), 'and one that closes SVG elements');

	ok(errors.length === 0, 'no console errors', errors);
} catch (e) {
	ok(false, `the browser run: ${e.message}`);
} finally {
	await ctx.close();
	rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
